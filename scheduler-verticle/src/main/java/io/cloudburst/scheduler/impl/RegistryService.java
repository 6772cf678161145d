// Over 400 lines (as formatted): register, restore and delete of functions and DAGs share the
// lanes,
// the store's write order and the reload-on-notice logic; the pure parts are FunctionRegistry,
// DagRegistry, DagPlan and RegistryCodec.
package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.KeyedSequencer;
import io.cloudburst.bus.Languages;
import io.cloudburst.bus.Names;
import io.cloudburst.bus.msg.NodeEvent;
import io.cloudburst.bus.msg.SchedulerReply;
import io.cloudburst.bus.msg.SchedulerReply.DagInfo;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.cloudburst.bus.msg.SchedulerRequest.RegisterDag;
import io.cloudburst.bus.msg.SchedulerRequest.RegisterFunction;
import io.cloudburst.bus.msg.SchedulerRequest.RestoreFunction;
import io.cloudburst.scheduler.SchedulerOptions;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The registries of functions (every version) and DAGs: changes (register, restore, delete), kept
 * in the store ({@link RegistryStore}) and in memory ({@link FunctionRegistry}, {@link
 * DagRegistry}), which serves every read. A change is applied in memory, and answered, only once
 * the store has made it durable; when the store refuses it, nothing changes and the caller gets the
 * store's error. Changes of one function run one after the other (its lane), and so do all changes
 * of DAGs and deletions of functions (the DAG lane), so a DAG never names a function deleted under
 * it.
 *
 * <p>With a store the registries are shared between nodes: after a change is stored, a notice goes
 * out ({@link Notices#registryChanged}); a notice from another node, and a lookup that misses
 * ({@link #reloadOnMiss}), read that entry again from the store, in its lane; a registration reads
 * the function's versions again just before it stores the new one (see the verticle's javadoc for
 * what this does not cover).
 */
public final class RegistryService {
  private static final System.Logger log = System.getLogger(RegistryService.class.getName());
  private static final Pattern ENTRYPOINT = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");

  /** The lane of every DAG change and function deletion. */
  private static final String DAG_LANE = "dags/";

  private final SchedulerOptions options;
  private final RegistryStore store;
  private final CallPlacement placement;
  private final ExecutorTable executors;
  private final ExecutorGateway gateway;
  private final Notices notices;
  private final LongSupplier clock;
  private final FunctionRegistry functions = new FunctionRegistry();
  private final DagRegistry dags = new DagRegistry();
  private final KeyedSequencer sequencer = new KeyedSequencer();

  /**
   * @param placement picks the executor that validates a new version's source
   * @param executors where a validating executor is noted warm for the version
   */
  public RegistryService(
      SchedulerOptions options,
      RegistryStore store,
      CallPlacement placement,
      ExecutorTable executors,
      ExecutorGateway gateway,
      Notices notices,
      LongSupplier clock) {
    this.options = options;
    this.store = store;
    this.placement = placement;
    this.executors = executors;
    this.gateway = gateway;
    this.notices = notices;
    this.clock = clock;
  }

  /** The functions, for reads (changes go through this service). */
  public FunctionRegistry functions() {
    return functions;
  }

  /** The DAGs, for reads (changes go through this service). */
  public DagRegistry dags() {
    return dags;
  }

  /**
   * Fills the in-memory registries from what the store held; fails when the store does not answer.
   */
  public Future<Void> load() {
    return store
        .load()
        .map(
            loaded -> {
              applyLoaded(loaded);
              return null;
            });
  }

  private void applyLoaded(RegistryStore.Loaded loaded) {
    for (List<FunctionInfo> history : loaded.functions()) {
      history.forEach(functions::add);
    }
    for (DagInfo info : loaded.dags()) {
      try {
        dags.add(
            info,
            DagPlan.of(info.name(), info.functions(), info.connections(), functions::contains));
      } catch (CloudburstException e) {
        // Deleting a function checks that no DAG uses it, so this takes a store changed by hand.
        log.log(
            System.Logger.Level.WARNING,
            "stored DAG " + info.name() + " is not valid any more, skipped: " + e.getMessage());
      }
    }
    if (options.persistent()) {
      log.log(
          System.Logger.Level.INFO,
          "scheduler of node "
              + options.nodeId()
              + " loaded "
              + loaded.functions().size()
              + " function(s) and "
              + dags.all().size()
              + " DAG(s) from the key-value store");
    }
  }

  // ---- functions ----

  /**
   * Registers a new version, once an executor has loaded its source; BAD_REQUEST or
   * PAYLOAD_TOO_LARGE for a bad one.
   */
  public Future<FunctionInfo> register(RegisterFunction r) {
    String name = Names.requireValid("function", r.name());
    String language = Languages.requireValid(r.language());
    if (r.source() == null || r.source().isBlank()) {
      throw CloudburstException.badRequest("source is missing");
    }
    if (r.source().getBytes(StandardCharsets.UTF_8).length > options.maxSourceBytes()) {
      throw CloudburstException.tooLarge(
          "source is larger than " + options.maxSourceBytes() + " bytes");
    }
    String entrypoint = r.entrypoint() == null || r.entrypoint().isEmpty() ? name : r.entrypoint();
    if (!ENTRYPOINT.matcher(entrypoint).matches()) {
      throw CloudburstException.badRequest("entrypoint '" + entrypoint + "' is not an identifier");
    }
    return serialized(
        functionLane(name), () -> validateAndAdd(name, language, r.source(), entrypoint));
  }

  /** Makes an older version current again, as a new version with its source. */
  public Future<FunctionInfo> restore(RestoreFunction r) {
    FunctionInfo old = functions.get(r.name(), r.version());
    return serialized(
        functionLane(old.name()),
        () -> validateAndAdd(old.name(), old.language(), old.source(), old.entrypoint()));
  }

  /**
   * Within the function's lane: validates the source on an executor, then reads the function's
   * versions from the store again (another node may have added one meanwhile; the new version
   * follows the newest stored) and stores the history with the new version.
   */
  private Future<FunctionInfo> validateAndAdd(
      String name, String language, String source, String entrypoint) {
    FunctionInfo proposed =
        new FunctionInfo(
            name, language, functions.nextVersion(name), source, entrypoint, clock.getAsLong());
    ExecutorTable.Entry e = placement.forValidation(proposed);
    if (e == null) {
      return Future.failedFuture(
          CloudburstException.noResources("no executor is available to load the function"));
    }
    return gateway
        .validate(e.address(), proposed)
        .compose(reply -> options.persistent() ? reloadFunction(name) : Future.succeededFuture())
        .map(v -> numbered(proposed, e.address()))
        .compose(f -> store.putFunction(name, historyWith(f)).map(stored -> f))
        .map(
            f -> {
              functions.add(f);
              announceChange(NodeEvent.EntryKind.FUNCTION, name);
              log.log(
                  System.Logger.Level.INFO,
                  "registered " + f.versionKey() + " (" + f.language() + ")");
              return f;
            });
  }

  /**
   * The proposed version, renumbered when another node's version came first (then not warm where
   * validated).
   */
  private FunctionInfo numbered(FunctionInfo proposed, String validatedOn) {
    int version = functions.nextVersion(proposed.name());
    if (version == proposed.version()) {
      executors.warmed(validatedOn, proposed.contextKey());
      return proposed;
    }
    return new FunctionInfo(
        proposed.name(),
        proposed.language(),
        version,
        proposed.source(),
        proposed.entrypoint(),
        proposed.createdAt());
  }

  private List<FunctionInfo> historyWith(FunctionInfo f) {
    List<FunctionInfo> history =
        new ArrayList<>(functions.contains(f.name()) ? functions.history(f.name()) : List.of());
    history.add(f);
    return history;
  }

  /** Deletes a function and its versions; CONFLICT while a DAG uses it. */
  public Future<SchedulerReply> deleteFunction(String name) {
    return serialized(functionLane(name), () -> deleteFunctionInLane(name));
  }

  private Future<SchedulerReply> deleteFunctionInLane(String name) {
    return ensureFunction(name)
        .compose(loaded -> serialized(DAG_LANE, () -> deleteUnusedFunction(name)));
  }

  private Future<SchedulerReply> deleteUnusedFunction(String name) {
    functions.history(name); // FUNC_NOT_FOUND
    List<String> users = dags.using(name);
    if (!users.isEmpty()) {
      throw CloudburstException.of(
          ErrorCode.CONFLICT, "function '" + name + "' is used by DAG(s) " + users);
    }
    return store
        .deleteFunction(name)
        .map(
            v -> {
              functions.remove(name);
              announceChange(NodeEvent.EntryKind.FUNCTION, name);
              log.log(System.Logger.Level.INFO, "deleted function " + name);
              return new SchedulerReply.Ack();
            });
  }

  // ---- DAGs ----

  /** Registers a DAG of registered functions; DAG_INVALID or DAG_ALREADY_EXISTS. */
  public Future<DagInfo> registerDag(RegisterDag r) {
    String name = Names.requireValid("DAG", r.name());
    // Functions registered on another node whose notice has not arrived are read first (outside
    // the DAG lane: a deletion holds a function's lane while it waits for the DAG lane).
    return ensureFunctions(r.functions())
        .compose(known -> serialized(DAG_LANE, () -> registerDagInLane(name, r)));
  }

  private Future<DagInfo> registerDagInLane(String name, RegisterDag r) {
    return ensureDag(name)
        .compose(
            loaded -> {
              if (dags.contains(name)) {
                throw CloudburstException.of(
                    ErrorCode.DAG_ALREADY_EXISTS, "a DAG named '" + name + "' exists");
              }
              DagPlan plan = DagPlan.of(name, r.functions(), r.connections(), functions::contains);
              DagInfo info =
                  new DagInfo(name, plan.functions(), plan.connections(), clock.getAsLong());
              return store
                  .putDag(info)
                  .map(
                      v -> {
                        dags.add(info, plan);
                        announceChange(NodeEvent.EntryKind.DAG, name);
                        log.log(
                            System.Logger.Level.INFO,
                            "registered DAG " + name + " " + plan.connections());
                        return info;
                      });
            });
  }

  /** Deletes a DAG; DAG_NOT_FOUND. */
  public Future<SchedulerReply> deleteDag(String name) {
    return serialized(DAG_LANE, () -> deleteDagInLane(name));
  }

  private Future<SchedulerReply> deleteDagInLane(String name) {
    return ensureDag(name)
        .compose(
            loaded -> {
              dags.get(name); // DAG_NOT_FOUND
              return store
                  .deleteDag(name)
                  .map(
                      v -> {
                        dags.remove(name);
                        announceChange(NodeEvent.EntryKind.DAG, name);
                        log.log(System.Logger.Level.INFO, "deleted DAG " + name);
                        return new SchedulerReply.Ack();
                      });
            });
  }

  // ---- sharing through the store ----

  /**
   * For a request that missed a function or DAG by name: reading that entry from the store (in its
   * lane), or null when the request is of another kind or the registry is kept in memory only.
   */
  public Future<Void> reloadOnMiss(SchedulerRequest r, ErrorCode code) {
    if (!options.persistent()) {
      return null;
    }
    String fn =
        code != ErrorCode.FUNC_NOT_FOUND
            ? null
            : switch (r) {
              case SchedulerRequest.InvokeFunction x -> x.name();
              case SchedulerRequest.GetFunction x -> x.name();
              case SchedulerRequest.ListVersions x -> x.name();
              case RestoreFunction x -> x.name();
              default -> null;
            };
    if (fn != null && validName(fn)) {
      return serialized(functionLane(fn), () -> reloadFunction(fn));
    }
    if (r instanceof SchedulerRequest.InvokeDag x
        && code == ErrorCode.FUNC_NOT_FOUND
        && dags.contains(x.name())) {
      return ensureFunctions(dags.get(x.name()).plan().functions());
    }
    String dag =
        code != ErrorCode.DAG_NOT_FOUND
            ? null
            : switch (r) {
              case SchedulerRequest.InvokeDag x -> x.name();
              case SchedulerRequest.GetDag x -> x.name();
              default -> null;
            };
    if (dag != null && validName(dag)) {
      return serialized(DAG_LANE, () -> reloadDag(dag));
    }
    return null;
  }

  /**
   * Another scheduler's notice: reads the entry again, in its lane. False when the notice is
   * ignored (no store, this node's own, or malformed).
   */
  public boolean onRegistryChanged(NodeEvent.RegistryChanged n) {
    String node = n.nodeId();
    String name = n.name();
    if (!options.persistent()
        || node == null
        || name == null
        || n.kind() == null
        || node.equals(options.nodeId())
        || !validName(name)) {
      return false;
    }
    Future<Void> reload =
        switch (n.kind()) {
          case FUNCTION -> serialized(functionLane(name), () -> reloadFunction(name));
          case DAG -> serialized(DAG_LANE, () -> reloadDag(name));
        };
    reload.onFailure(
        t ->
            log.log(
                System.Logger.Level.WARNING,
                "could not read "
                    + n.kind()
                    + " "
                    + name
                    + ", changed by node "
                    + node
                    + ", from the store (it is read again when a lookup misses it): "
                    + t.getMessage()));
    return true;
  }

  /**
   * Reads the functions this scheduler does not know from the store, each in its lane; never fails.
   * A request naming more than {@link DagPlan#MAX_FUNCTIONS} is refused by the plan unread.
   */
  private Future<Void> ensureFunctions(Collection<String> names) {
    List<Future<Void>> reads = new ArrayList<>();
    if (names.size() > DagPlan.MAX_FUNCTIONS) {
      return Future.succeededFuture();
    }
    for (String n : new LinkedHashSet<>(names)) {
      if (n != null && !functions.contains(n) && validName(n)) {
        reads.add(serialized(functionLane(n), () -> ensureFunction(n)));
      }
    }
    return Future.join(reads).<Void>mapEmpty().otherwiseEmpty();
  }

  /**
   * Within the function's lane: reads it from the store unless it is known (or the registry is in
   * memory only).
   */
  private Future<Void> ensureFunction(String name) {
    return functions.contains(name) || !options.persistent()
        ? Future.succeededFuture()
        : reloadFunction(name);
  }

  /**
   * Within the DAG lane: reads the DAG from the store unless it is known (or the registry is in
   * memory only).
   */
  private Future<Void> ensureDag(String name) {
    return dags.contains(name) || !options.persistent()
        ? Future.succeededFuture()
        : reloadDag(name);
  }

  /**
   * Within the function's lane: makes its versions what the store holds now (another node's
   * scheduler may have added versions or deleted it).
   */
  private Future<Void> reloadFunction(String name) {
    return store
        .loadFunction(name)
        .map(
            history -> {
              boolean had = functions.contains(name);
              if (history.isEmpty()) {
                if (had) {
                  functions.replace(name, List.of());
                  List<String> users = dags.using(name);
                  log.log(
                      System.Logger.Level.INFO,
                      "function "
                          + name
                          + " was deleted on another node"
                          + (users.isEmpty() ? "" : "; DAG(s) " + users + " still name it"));
                }
                return null;
              }
              if (!had || !functions.history(name).equals(history)) {
                functions.replace(name, history);
                log.log(
                    System.Logger.Level.INFO,
                    "loaded "
                        + history.get(history.size() - 1).versionKey()
                        + " from the key-value store (changed on another node)");
              }
              return null;
            });
  }

  /** Within the DAG lane: makes the DAG what the store holds now. */
  private Future<Void> reloadDag(String name) {
    return store
        .loadDag(name)
        .map(
            info -> {
              if (info == null) {
                if (dags.contains(name)) {
                  dags.remove(name);
                  log.log(System.Logger.Level.INFO, "DAG " + name + " was deleted on another node");
                }
                return null;
              }
              if (!dags.contains(name) || !dags.get(name).info().equals(info)) {
                // The node that stored it checked its functions; one this node does not know yet is
                // read
                // when a call of the DAG misses it.
                dags.replace(
                    info,
                    DagPlan.of(info.name(), info.functions(), info.connections(), fn -> true));
                log.log(
                    System.Logger.Level.INFO,
                    "loaded DAG " + name + " from the key-value store (changed on another node)");
              }
              return null;
            });
  }

  /**
   * Tells the other schedulers that an entry changed in the store (nothing is shared without a
   * store).
   */
  private void announceChange(NodeEvent.EntryKind kind, String name) {
    if (options.persistent()) {
      notices.registryChanged(new NodeEvent.RegistryChanged(options.nodeId(), kind, name));
    }
  }

  private static boolean validName(String name) {
    try {
      Names.requireValid("name", name);
      return true;
    } catch (CloudburstException e) {
      return false;
    }
  }

  private static String functionLane(String name) {
    return "functions/" + name;
  }

  private <T> Future<T> serialized(String key, Supplier<Future<T>> work) {
    return sequencer.run(key, work);
  }
}
