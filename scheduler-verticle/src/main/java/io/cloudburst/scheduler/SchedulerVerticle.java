package io.cloudburst.scheduler;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.KeyedSequencer;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Consistency;
import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.Replies;
import io.cloudburst.bus.msg.NodeEvent;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.Languages;
import io.cloudburst.bus.Names;
import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.DagEvent;
import io.cloudburst.bus.msg.DagSchedule;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.msg.ExecutorStatus;
import io.cloudburst.bus.msg.SchedulerReply;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.msg.SchedulerReply.FunctionList;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.cloudburst.bus.msg.SchedulerRequest.DeleteFunction;
import io.cloudburst.bus.msg.SchedulerRequest.GetFunction;
import io.cloudburst.bus.msg.SchedulerRequest.GetResult;
import io.cloudburst.bus.msg.SchedulerRequest.InvokeFunction;
import io.cloudburst.bus.msg.SchedulerRequest.ListFunctions;
import io.cloudburst.bus.msg.SchedulerRequest.ListVersions;
import io.cloudburst.bus.msg.SchedulerRequest.RegisterFunction;
import io.cloudburst.bus.msg.SchedulerRequest.RestoreFunction;
import io.cloudburst.bus.value.Values;
import io.cloudburst.scheduler.impl.CachedKeys;
import io.cloudburst.scheduler.impl.DagCall;
import io.cloudburst.scheduler.impl.DagPlan;
import io.cloudburst.scheduler.impl.DagRegistry;
import io.cloudburst.scheduler.impl.ExecutorTable;
import io.cloudburst.scheduler.impl.FunctionRegistry;
import io.cloudburst.scheduler.impl.KvsRegistryStore;
import io.cloudburst.scheduler.impl.PlacementPolicy;
import io.cloudburst.scheduler.impl.RegistryStore;
import io.cloudburst.scheduler.impl.ResultStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The scheduler: the function registry, placement of calls on executors, and the results of
 * calls. All state is confined to this verticle's event loop; executors, caches and the key-value
 * store are reached only through messages.
 *
 * <p><b>Registry.</b> Functions (every version) and DAGs are kept in the key-value store ({@link
 * KvsRegistryStore}, unless {@link SchedulerOptions#persistent()} is off) and in memory, which
 * serves every read. {@link #start()} loads them before it takes requests, and fails when the store
 * does not answer. A change is answered, and applied in memory, only once the store has made it
 * durable; when the store refuses it, nothing changes and the caller gets the store's error.
 * Changes of one function run one after the other (its lane), and so do all changes of DAGs and
 * deletions of functions (the DAG lane), so a DAG never names a function deleted under it.
 *
 * <p><b>Placement</b> prefers an executor with a warm context for the function on a node whose
 * cache holds the keys the call's arguments reference, as the caches last reported them at {@link
 * Addresses#CACHE_REPORT}. When every executor warm for the function is at or over the utilization
 * threshold, a call goes to a cold one, which loads the function: the paper's replication of hot
 * functions, logged and counted ({@link #replications()}).
 *
 * <p><b>Cluster.</b> Every node runs its own scheduler. Its web front and executors reach it at the
 * node-local {@link Addresses#SCHEDULER}; other nodes' schedulers at {@link Addresses#scheduler}.
 * Executor statuses and cache reports are published cluster-wide, so each scheduler places calls
 * on every node's executors. The registries are shared through the cluster-wide store: after a
 * change is stored, its scheduler publishes a notice at {@link Addresses#REGISTRY_CHANGED} and the
 * others read that entry again from the store (in its lane, so it does not interleave with their
 * own changes); a lookup that misses also reads the entry from the store before answering not
 * found, and a registration reads the function's versions again just before it stores the new
 * one. What this does not cover: two nodes that register the same function name within one store
 * round trip of each other may both pick the same next version; the last write wins in the store,
 * the notices then bring every scheduler to the stored history, and the losing caller was answered
 * a version that is not stored. A notice missed while another version stays known (not a miss) is
 * seen only at the next notice of that name or a restart. A result is held by the scheduler of the
 * node that started the call; {@link GetResult} asks that node for an id it does not hold. When a
 * node leaves ({@link Addresses#NODE_LEFT}), or its executors fall silent for twice the staleness
 * bound, its executors are forgotten, the calls running there run again elsewhere (unless they
 * ask for at most once) and its cached keys stop drawing calls.
 */
public final class SchedulerVerticle extends VerticleBase {
  private static final System.Logger log = System.getLogger(SchedulerVerticle.class.getName());
  private static final Pattern ENTRYPOINT = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");
  /** Time an executor has to acknowledge a DAG schedule before the call is placed elsewhere. */
  static final long DAG_ACK_TIMEOUT_MS = 5_000;
  /** Attempts of a call whose executor goes away before it is failed. */
  static final int MAX_ATTEMPTS = 3;
  /** Longest accepted idempotency key. */
  static final int MAX_REQUEST_ID = 256;
  /** Replication log lines remembered, so each (function version, executor) is logged once. */
  private static final int MAX_REPLICATIONS_LOGGED = 10_000;

  /** The lane of every DAG change and function deletion (see the class comment). */
  private static final String DAG_LANE = "dags/";

  private SchedulerOptions options;
  private FunctionRegistry registry;
  private ResultStore results;
  private ExecutorTable executors;
  private final PlacementPolicy placement = new PlacementPolicy();
  /** Idempotency keys, as long as results are kept (the oldest go first past maxResults). */
  private Map<String, Requested> requests;
  /** Repeats of a running call that wait for its outcome, by call id. */
  private final Map<String, List<Message<SchedulerRequest>>> repeatWaiters = new HashMap<>();
  /**
   * Registry changes per lane ({@link #functionLane} or {@link #DAG_LANE}): changes of a lane run
   * one after the other, so versions are assigned in order and checks see every earlier change.
   */
  private final KeyedSequencer sequencer = new KeyedSequencer();
  private final DagRegistry dags = new DagRegistry();
  private RegistryStore store;
  private CachedKeys cachedKeys;
  /** Running DAG calls by call id. */
  private final Map<String, RunningDag> runningDags = new HashMap<>();
  /** Causal sessions of clients that pass a client id, across their calls. */
  private final io.cloudburst.scheduler.impl.ClientSessions clientSessions = new io.cloudburst.scheduler.impl.ClientSessions(10_000);
  /** Single-function calls in flight, by executor address, so they can be re-run if it leaves. */
  private final Map<String, Set<Promise<CallResult>>> inFlightByExecutor = new HashMap<>();
  private long spin;
  private long seq;
  private String idPrefix;
  /** Calls placed on a cold executor because every warm one was saturated (hot-function replication). */
  private final AtomicLong replications = new AtomicLong();
  /** The (context key, executor) pairs whose replication was logged, oldest first. */
  private final Map<String, Boolean> replicationsLogged = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > MAX_REPLICATIONS_LOGGED;
    }
  };
  /** Other nodes whose schedulers sent registry notices: places a result may be held. */
  private final Set<String> schedulerNodes = new java.util.TreeSet<>();
  /** When each node was last reported gone: older statuses of its executors (late on the way) are ignored. */
  private final Map<String, Long> leftAt = new HashMap<>();

  @Override
  public Future<?> start() {
    options = SchedulerOptions.fromJson(config());
    int maxRequests = options.maxResults();
    requests = new java.util.LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Requested> eldest) {
        return size() > maxRequests;
      }
    };
    registry = new FunctionRegistry();
    results = new ResultStore(options.maxResults(), options.resultRetentionMs());
    executors = new ExecutorTable(options.executorStaleMs());
    cachedKeys = new CachedKeys(options.cacheReportStaleMs());
    idPrefix = options.nodeId() + "-" + Long.toString(System.currentTimeMillis(), 36) + "-";
    store = options.persistent()
        ? new KvsRegistryStore(vertx.eventBus(), options.nodeId(), options.kvsTimeoutMs())
        : RegistryStore.none();
    return store.load()
        .recover(t -> Future.failedFuture(startFailure(t)))
        .compose(loaded -> {
          applyLoaded(loaded);
          // Local: each node's web front and executors talk to their own scheduler (a clustered
          // consumer would be picked round-robin across the cluster).
          MessageConsumer<SchedulerRequest> requests = vertx.eventBus().localConsumer(Addresses.SCHEDULER, this::handle);
          MessageConsumer<SchedulerRequest> direct = vertx.eventBus().consumer(Addresses.scheduler(options.nodeId()), this::handle);
          MessageConsumer<ExecutorStatus> status = vertx.eventBus().consumer(Addresses.EXECUTOR_STATUS, m -> onStatus(m.body()));
          MessageConsumer<DagEvent> dagEvents = vertx.eventBus().consumer(Addresses.dagEvents(options.nodeId()), m -> onDagEvent(m.body()));
          MessageConsumer<CacheEvent> reports = vertx.eventBus().consumer(Addresses.CACHE_REPORT, m -> onCacheEvent(m.body()));
          MessageConsumer<NodeEvent.RegistryChanged> changes =
              vertx.eventBus().consumer(Addresses.REGISTRY_CHANGED, m -> onRegistryChanged(m.body()));
          MessageConsumer<NodeEvent.NodeLeft> left =
              vertx.eventBus().localConsumer(Addresses.NODE_LEFT, m -> onNodeLeft(m.body().nodeId()));
          vertx.setPeriodic(10_000, t -> {
            long now = System.currentTimeMillis();
            results.expire(now);
            cachedKeys.expire(now);
          });
          vertx.setPeriodic(Math.max(100, Math.min(1_000, options.executorStaleMs() / 2)), t -> expireExecutors());
          return Future.all(List.of(requests.completion(), direct.completion(), status.completion(), dagEvents.completion(),
              reports.completion(), changes.completion(), left.completion()));
        });
  }

  private IllegalStateException startFailure(Throwable t) {
    CloudburstException e = CloudburstException.from(t);
    String hint = e.code() == ErrorCode.NO_RESOURCES || e.code() == ErrorCode.TIMEOUT
        ? " (deploy the key-value store verticle before the scheduler, or set the scheduler option persistent=false"
            + " to keep the registry in memory only)"
        : "";
    return new IllegalStateException("scheduler of node " + options.nodeId() + " cannot start: " + e.getMessage() + hint, t);
  }

  /** Fills the in-memory registries from what the store held. */
  private void applyLoaded(RegistryStore.Loaded loaded) {
    for (List<FunctionInfo> history : loaded.functions()) {
      history.forEach(registry::add);
    }
    for (SchedulerReply.DagInfo info : loaded.dags()) {
      try {
        dags.add(info, DagPlan.of(info.name(), info.functions(), info.connections(), registry::contains));
      } catch (CloudburstException e) {
        // Deleting a function checks that no DAG uses it, so this takes a store changed by hand.
        log.log(System.Logger.Level.WARNING, "stored DAG " + info.name() + " is not valid any more, skipped: " + e.getMessage());
      }
    }
    if (options.persistent()) {
      log.log(System.Logger.Level.INFO, "scheduler of node " + options.nodeId() + " loaded "
          + loaded.functions().size() + " function(s) and " + dags.all().size() + " DAG(s) from the key-value store");
    }
  }

  private void handle(Message<SchedulerRequest> m) {
    handle(m, false);
  }

  /**
   * Answers a request. A lookup that misses a function or DAG by name reads that entry from the
   * store and is answered again ({@code reloaded}): another node may have registered it and its
   * notice not reached this one.
   */
  private void handle(Message<SchedulerRequest> m, boolean reloaded) {
    try {
      switch (m.body()) {
        case InvokeFunction r -> invoke(m, r);
        case RegisterFunction r -> answer(m, register(r));
        case ListFunctions r -> m.reply(new FunctionList(registry.currentAll()));
        case ListVersions r -> m.reply(new FunctionList(registry.history(r.name())));
        case GetFunction r -> m.reply(registry.get(r.name(), r.version()));
        case DeleteFunction r -> answer(m, deleteFunction(r.name()));
        case SchedulerRequest.RegisterDag r -> answer(m, registerDag(r));
        case SchedulerRequest.ListDags r -> m.reply(new SchedulerReply.DagList(dags.all()));
        case SchedulerRequest.GetDag r -> m.reply(dags.get(r.name()).info());
        case SchedulerRequest.DeleteDag r -> answer(m, deleteDag(r.name()));
        case SchedulerRequest.InvokeDag r -> invokeDag(m, r);
        case RestoreFunction r -> answer(m, restore(r));
        case SchedulerRequest.GetStatus r -> m.reply(status());
        case GetResult r -> getResult(m, r.id());
        case SchedulerRequest.GetHeldResult r -> {
          CallResult res = held(r.id());
          if (res == null) {
            throw resultNotFound(r.id());
          }
          m.reply(res);
        }
      }
    } catch (CloudburstException e) {
      Future<Void> reload = reloaded ? null : reloadOnMiss(m.body(), e.code());
      if (reload == null) {
        fail(m, e);
      } else {
        reload.onComplete(ar -> {
          if (ar.failed()) {
            log.log(System.Logger.Level.WARNING, "could not read a missed registry entry from the store: " + ar.cause().getMessage());
          }
          handle(m, true);
        });
      }
    } catch (RuntimeException e) {
      log.log(System.Logger.Level.ERROR, "scheduler request " + m.body().getClass().getSimpleName() + " failed", e);
      fail(m, CloudburstException.internal(e.toString()));
    }
  }

  private static void fail(Message<?> m, CloudburstException e) {
    Replies.fail(m, e);
  }

  private static void answer(Message<?> m, Future<?> f) {
    Replies.answer(m, f);
  }

  // ---- registry ----

  /**
   * For a request that missed a function or DAG by name: reading that entry from the store (in its
   * lane), or null when the request is of another kind or the registry is kept in memory only.
   */
  private Future<Void> reloadOnMiss(SchedulerRequest r, ErrorCode code) {
    if (!options.persistent()) {
      return null;
    }
    String fn = code != ErrorCode.FUNC_NOT_FOUND ? null : switch (r) {
      case InvokeFunction x -> x.name();
      case GetFunction x -> x.name();
      case ListVersions x -> x.name();
      case RestoreFunction x -> x.name();
      default -> null;
    };
    if (fn != null && validName(fn)) {
      return serialized(functionLane(fn), () -> reloadFunction(fn));
    }
    if (r instanceof SchedulerRequest.InvokeDag x && code == ErrorCode.FUNC_NOT_FOUND && dags.contains(x.name())) {
      return ensureFunctions(dags.get(x.name()).plan().functions());
    }
    String dag = code != ErrorCode.DAG_NOT_FOUND ? null : switch (r) {
      case SchedulerRequest.InvokeDag x -> x.name();
      case SchedulerRequest.GetDag x -> x.name();
      default -> null;
    };
    if (dag != null && validName(dag)) {
      return serialized(DAG_LANE, () -> reloadDag(dag));
    }
    return null;
  }

  private static boolean validName(String name) {
    try {
      Names.requireValid("name", name);
      return true;
    } catch (CloudburstException e) {
      return false;
    }
  }

  /**
   * Reads the functions this scheduler does not know from the store, each in its lane; never fails.
   * A request naming more than {@link DagPlan#MAX_FUNCTIONS} is refused by the plan unread.
   */
  private Future<Void> ensureFunctions(java.util.Collection<String> names) {
    List<Future<Void>> reads = new ArrayList<>();
    if (names.size() > DagPlan.MAX_FUNCTIONS) {
      return Future.succeededFuture();
    }
    for (String n : new LinkedHashSet<>(names)) {
      if (n != null && !registry.contains(n) && validName(n)) {
        reads.add(serialized(functionLane(n), () -> ensureFunction(n)));
      }
    }
    return Future.join(reads).<Void>mapEmpty().otherwiseEmpty();
  }

  /** Within the function's lane: reads it from the store unless it is known (or the registry is in memory only). */
  private Future<Void> ensureFunction(String name) {
    return registry.contains(name) || !options.persistent() ? Future.succeededFuture() : reloadFunction(name);
  }

  /** Within the DAG lane: reads the DAG from the store unless it is known (or the registry is in memory only). */
  private Future<Void> ensureDag(String name) {
    return dags.contains(name) || !options.persistent() ? Future.succeededFuture() : reloadDag(name);
  }

  /**
   * Within the function's lane: makes its versions what the store holds now (another node's
   * scheduler may have added versions or deleted it).
   */
  private Future<Void> reloadFunction(String name) {
    return store.loadFunction(name).map(history -> {
      boolean had = registry.contains(name);
      if (history.isEmpty()) {
        if (had) {
          registry.replace(name, List.of());
          List<String> users = dags.using(name);
          log.log(System.Logger.Level.INFO, "function " + name + " was deleted on another node"
              + (users.isEmpty() ? "" : "; DAG(s) " + users + " still name it"));
        }
        return null;
      }
      if (!had || !registry.history(name).equals(history)) {
        registry.replace(name, history);
        log.log(System.Logger.Level.INFO, "loaded " + history.get(history.size() - 1).versionKey()
            + " from the key-value store (changed on another node)");
      }
      return null;
    });
  }

  /** Within the DAG lane: makes the DAG what the store holds now. */
  private Future<Void> reloadDag(String name) {
    return store.loadDag(name).map(info -> {
      if (info == null) {
        if (dags.contains(name)) {
          dags.remove(name);
          log.log(System.Logger.Level.INFO, "DAG " + name + " was deleted on another node");
        }
        return null;
      }
      if (!dags.contains(name) || !dags.get(name).info().equals(info)) {
        // The node that stored it checked its functions; one this node does not know yet is read
        // when a call of the DAG misses it.
        dags.replace(info, DagPlan.of(info.name(), info.functions(), info.connections(), fn -> true));
        log.log(System.Logger.Level.INFO, "loaded DAG " + name + " from the key-value store (changed on another node)");
      }
      return null;
    });
  }

  /** Tells the other schedulers that an entry changed in the store (nothing is shared without a store). */
  private void announceChange(NodeEvent.EntryKind kind, String name) {
    if (options.persistent()) {
      vertx.eventBus().publish(Addresses.REGISTRY_CHANGED, new NodeEvent.RegistryChanged(options.nodeId(), kind, name));
    }
  }

  /** Another scheduler's notice: reads the entry again, in its lane. */
  private void onRegistryChanged(NodeEvent.RegistryChanged n) {
    String node = n.nodeId();
    String name = n.name();
    if (!options.persistent() || node == null || name == null || n.kind() == null || node.equals(options.nodeId())
        || !validName(name)) {
      return;
    }
    schedulerNodes.add(node);
    Future<Void> reload = switch (n.kind()) {
      case FUNCTION -> serialized(functionLane(name), () -> reloadFunction(name));
      case DAG -> serialized(DAG_LANE, () -> reloadDag(name));
    };
    reload.onFailure(t -> log.log(System.Logger.Level.WARNING, "could not read " + n.kind() + " " + name + ", changed by node "
        + node + ", from the store (it is read again when a lookup misses it): " + t.getMessage()));
  }

  private Future<FunctionInfo> register(RegisterFunction r) {
    String name = Names.requireValid("function", r.name());
    String language = Languages.requireValid(r.language());
    if (r.source() == null || r.source().isBlank()) {
      throw CloudburstException.badRequest("source is missing");
    }
    if (r.source().getBytes(StandardCharsets.UTF_8).length > options.maxSourceBytes()) {
      throw CloudburstException.tooLarge("source is larger than " + options.maxSourceBytes() + " bytes");
    }
    String entrypoint = r.entrypoint() == null || r.entrypoint().isEmpty() ? name : r.entrypoint();
    if (!ENTRYPOINT.matcher(entrypoint).matches()) {
      throw CloudburstException.badRequest("entrypoint '" + entrypoint + "' is not an identifier");
    }
    return serialized(functionLane(name), () -> validateAndAdd(name, language, r.source(), entrypoint));
  }

  private Future<FunctionInfo> restore(RestoreFunction r) {
    FunctionInfo old = registry.get(r.name(), r.version());
    return serialized(functionLane(old.name()), () -> validateAndAdd(old.name(), old.language(), old.source(), old.entrypoint()));
  }

  private static String functionLane(String name) {
    return "functions/" + name;
  }

  /**
   * Within the function's lane: validates the source on an executor, then reads the function's
   * versions from the store again (another node may have added one meanwhile; the new version
   * follows the newest stored) and stores the history with the new version.
   */
  private Future<FunctionInfo> validateAndAdd(String name, String language, String source, String entrypoint) {
    FunctionInfo proposed = new FunctionInfo(name, language, registry.nextVersion(name), source, entrypoint, System.currentTimeMillis());
    ExecutorTable.Entry e = pick(proposed, List.of(), false);
    if (e == null) {
      return Future.failedFuture(CloudburstException.noResources("no executor is available to load the function"));
    }
    FunctionInfo[] added = new FunctionInfo[1];
    return vertx.eventBus()
        .<FunctionInfo>request(e.address(), new ExecutorRequest.Validate(proposed), new DeliveryOptions().setSendTimeout(Deadlines.VALIDATE_MS))
        .compose(reply -> options.persistent() ? reloadFunction(name) : Future.succeededFuture())
        .compose(v -> {
          int version = registry.nextVersion(name);
          FunctionInfo f = version == proposed.version() ? proposed
              : new FunctionInfo(name, language, version, source, entrypoint, proposed.createdAt());
          if (f == proposed) {
            executors.warmed(e.address(), f.contextKey());
          }
          added[0] = f;
          List<FunctionInfo> history = new ArrayList<>(registry.contains(name) ? registry.history(name) : List.of());
          history.add(f);
          return store.putFunction(name, history);
        })
        .map(stored -> {
          FunctionInfo f = added[0];
          registry.add(f);
          announceChange(NodeEvent.EntryKind.FUNCTION, name);
          log.log(System.Logger.Level.INFO, "registered " + f.versionKey() + " (" + f.language() + ")");
          return f;
        });
  }

  private Future<SchedulerReply> deleteFunction(String name) {
    return serialized(functionLane(name), () -> ensureFunction(name).compose(loaded -> serialized(DAG_LANE, () -> {
      registry.history(name); // FUNC_NOT_FOUND
      List<String> users = dags.using(name);
      if (!users.isEmpty()) {
        throw CloudburstException.of(ErrorCode.CONFLICT, "function '" + name + "' is used by DAG(s) " + users);
      }
      return store.deleteFunction(name).map(v -> {
        registry.remove(name);
        announceChange(NodeEvent.EntryKind.FUNCTION, name);
        log.log(System.Logger.Level.INFO, "deleted function " + name);
        return new SchedulerReply.Ack();
      });
    })));
  }

  private <T> Future<T> serialized(String key, java.util.function.Supplier<Future<T>> work) {
    return sequencer.run(key, work);
  }


  // ---- calls ----

  private void invoke(Message<SchedulerRequest> m, InvokeFunction r) {
    if (r.depth() > options.maxCallDepth()) {
      throw CloudburstException.badRequest("call depth limit of " + options.maxCallDepth() + " exceeded (calls nested too deeply or a call cycle)");
    }
    FunctionInfo f = registry.get(r.name(), r.version());
    if (answeredAsRepeat(m, r.requestId(), "function " + f.name(), r.awaitResult())) {
      return;
    }
    long timeout = options.deadline(r.timeoutMs());
    String id = idPrefix + (++seq);
    CallResult pending = CallResult.pending(id, f.name());
    results.put(pending, System.currentTimeMillis());
    remember(r.requestId(), "function " + f.name(), id);
    if (!r.awaitResult()) {
      m.reply(pending);
    }
    execute(id, f, r.args(), timeout, r.depth(), Math.min(r.awaitRefsMs(), timeout), r.requestId() != null, 0).onComplete(ar -> {
      CallResult res = ar.succeeded()
          ? ar.result()
          : CallResult.failed(id, f.name(), CloudburstException.from(ar.cause()), null, null, 0);
      finish(res, r.awaitResult() ? m : null);
    });
  }

  /** The result of a call this scheduler started, or null. */
  private CallResult held(String id) {
    return id == null ? null : results.get(id, System.currentTimeMillis());
  }

  private static CloudburstException resultNotFound(String id) {
    return CloudburstException.notFound(ErrorCode.RESULT_NOT_FOUND, "no call with id '" + id + "'");
  }

  /**
   * A result held here, else by the scheduler of the node that started the call: ids start with
   * that node's id and '-', and node ids may contain '-', so every other known node whose id
   * prefixes the call id is asked (for what it holds only, so the request goes no further).
   */
  private void getResult(Message<SchedulerRequest> m, String id) {
    CallResult res = held(id);
    if (res != null) {
      m.reply(res);
      return;
    }
    if (id == null) {
      throw resultNotFound(id);
    }
    Set<String> known = new java.util.TreeSet<>(executors.nodes());
    known.addAll(cachedKeys.reporting(System.currentTimeMillis()));
    known.addAll(schedulerNodes);
    List<String> origins = new ArrayList<>();
    for (String n : known) {
      if (!n.equals(options.nodeId()) && id.startsWith(n + "-")) {
        origins.add(n);
      }
    }
    if (origins.isEmpty()) {
      throw resultNotFound(id);
    }
    List<Future<CallResult>> asks = new ArrayList<>();
    for (String n : origins) {
      asks.add(vertx.eventBus().<CallResult>request(Addresses.scheduler(n), new SchedulerRequest.GetHeldResult(id),
          new DeliveryOptions().setSendTimeout(Deadlines.FORWARD_MS)).map(Message::body));
    }
    Future.any(asks).onComplete(ar -> {
      for (Future<CallResult> a : asks) {
        if (a.succeeded()) {
          m.reply(a.result());
          return;
        }
      }
      fail(m, CloudburstException.notFound(ErrorCode.RESULT_NOT_FOUND, "no call with id '" + id
          + "' (not held here, nor by the scheduler of node(s) " + origins + ")"));
    });
  }

  /**
   * Holds a finished call's result, answers the request that waits for it ({@code waiting}, or
   * null), and then announces it on {@code RESULTS} and to repeats of the request. The answer goes
   * first: the announcement's consumers (the web front's WebSocket futures, recent calls and
   * metrics) run on the same event loop, and ahead of the answer they lengthened every call. The
   * result is held before the answer leaves, so a read of it right after finds it.
   */
  private void finish(CallResult res, Message<SchedulerRequest> waiting) {
    results.put(res, System.currentTimeMillis());
    if (waiting != null) {
      waiting.reply(res);
    }
    vertx.eventBus().publish(Addresses.RESULTS, res);
    List<Message<SchedulerRequest>> repeats = repeatWaiters.remove(res.id());
    if (repeats != null) {
      repeats.forEach(w -> w.reply(res));
    }
  }

  /** What an idempotency key stands for: the call it started and what that call was of. */
  private record Requested(String callId, String target) {}

  /**
   * Answers a repeat of a call made with the same idempotency key from the first call's outcome
   * (waiting for it when the repeat waits); true when {@code m} was a repeat.
   */
  private boolean answeredAsRepeat(Message<SchedulerRequest> m, String requestId, String target, boolean awaitResult) {
    if (requestId == null) {
      return false;
    }
    if (requestId.isEmpty() || requestId.length() > MAX_REQUEST_ID) {
      throw CloudburstException.badRequest("request_id must be 1 to " + MAX_REQUEST_ID + " characters");
    }
    Requested first = requests.get(requestId);
    CallResult res = first == null ? null : results.get(first.callId(), System.currentTimeMillis());
    if (res == null) {
      requests.remove(requestId); // never seen, or its result has expired: a new call
      return false;
    }
    if (!first.target().equals(target)) {
      throw CloudburstException.of(ErrorCode.CONFLICT, "request_id '" + requestId + "' was used for a call of " + first.target());
    }
    if (res.isFinished() || !awaitResult) {
      m.reply(res);
    } else {
      repeatWaiters.computeIfAbsent(res.id(), k -> new ArrayList<>()).add(m);
    }
    return true;
  }

  private void remember(String requestId, String target, String callId) {
    if (requestId != null) {
      requests.put(requestId, new Requested(callId, target));
    }
  }

  private Future<CallResult> execute(String id, FunctionInfo f, List<Object> args, long timeout, int depth, long awaitRefsMs,
      boolean atMostOnce, int attempt) {
    List<String> refs = new ArrayList<>();
    for (Object a : args) {
      Values.collectRefs(a, refs);
    }
    ExecutorTable.Entry e = pick(f, refs, true);
    if (e == null) {
      return Future.failedFuture(CloudburstException.noResources("no executor can take the call"));
    }
    String address = e.address();
    executors.inFlight(address, +1);
    Promise<CallResult> outcome = Promise.promise();
    inFlightByExecutor.computeIfAbsent(address, k -> new LinkedHashSet<>()).add(outcome);
    vertx.eventBus()
        .<CallResult>request(address, new ExecutorRequest.Execute(id, f, args, timeout, depth, awaitRefsMs),
            new DeliveryOptions().setSendTimeout(timeout + Deadlines.EXECUTOR_MARGIN_MS))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            outcome.tryComplete(ar.result().body());
          } else {
            outcome.tryFail(ar.cause());
          }
        });
    return outcome.future()
        .andThen(ar -> {
          executors.inFlight(address, -1);
          Set<Promise<CallResult>> s = inFlightByExecutor.get(address);
          if (s != null) {
            s.remove(outcome);
          }
        })
        .map(r -> {
          executors.warmed(address, f.contextKey());
          return r;
        })
        .recover(t -> {
          boolean gone = t instanceof ExecutorGone
              || (t instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS);
          if (gone && atMostOnce) {
            executors.remove(address);
            return Future.failedFuture(CloudburstException.noResources("call " + id + " of " + f.name() + " lost its executor "
                + address + " and is not run again: its request_id asks for at most once (its effects may have happened)"));
          }
          if (gone && attempt + 1 < MAX_ATTEMPTS) {
            // The executor is gone: forget it and run the call elsewhere.
            removeExecutor(address);
            return execute(id, f, args, timeout, depth, awaitRefsMs, atMostOnce, attempt + 1);
          }
          if (t instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
            return Future.failedFuture(CloudburstException.timeout(
                "call " + id + " of " + f.name() + " did not finish within " + timeout + " ms"));
          }
          if (gone) {
            return Future.failedFuture(CloudburstException.noResources(
                "call " + id + " of " + f.name() + " lost its executor " + MAX_ATTEMPTS + " times"));
          }
          return Future.failedFuture(t);
        });
  }

  /** Marks a call whose executor left while it ran; such calls are placed again. */
  private static final class ExecutorGone extends RuntimeException {
    ExecutorGone(String address) {
      super("executor " + address + " left", null, false, false);
    }
  }

  private void onStatus(ExecutorStatus s) {
    if (s.leaving()) {
      executorsLeft(Set.of(s.address()), "executor " + s.address() + " left");
      forgetCacheIfNodeGone(s.nodeId());
      return;
    }
    Long gone = leftAt.get(s.nodeId());
    if (gone != null && s.sentAt() < gone) {
      return; // sent before its node left, and late on the way: it must not bring the executor back
    }
    executors.update(s, System.currentTimeMillis());
  }

  /**
   * Executors that are gone: forgotten first (so nothing is placed on them again), then their
   * single calls in flight fail with {@link ExecutorGone} and are run again elsewhere (see {@link
   * #execute}), and every running DAG with a function placed on one of them is run again once.
   */
  private void executorsLeft(Set<String> addresses, String why) {
    for (String address : addresses) {
      executors.remove(address);
    }
    for (String address : addresses) {
      Set<Promise<CallResult>> calls = inFlightByExecutor.remove(address);
      if (calls != null) {
        for (Promise<CallResult> p : new ArrayList<>(calls)) {
          p.tryFail(new ExecutorGone(address));
        }
      }
    }
    for (RunningDag run : new ArrayList<>(runningDags.values())) {
      if (!java.util.Collections.disjoint(run.call.schedule().placement().values(), addresses)) {
        retryDag(run, why);
      }
    }
  }

  /**
   * Another node left the cluster (the node module tells): its executors are gone, with every call
   * running there, and its cache with them.
   */
  private void onNodeLeft(String node) {
    if (node == null || node.equals(options.nodeId())) {
      return;
    }
    leftAt.put(node, System.currentTimeMillis());
    schedulerNodes.remove(node);
    Set<String> addresses = new LinkedHashSet<>();
    for (ExecutorTable.Entry e : executors.ofNode(node)) {
      addresses.add(e.address());
    }
    log.log(System.Logger.Level.INFO, "node " + node + " left the cluster: forgetting its " + addresses.size()
        + " executor(s) and its cached keys; calls running there run again elsewhere");
    executorsLeft(addresses, "node " + node + " left the cluster");
    cachedKeys.forget(node);
  }

  /**
   * The fallback when no one says a node left: executors silent for twice the staleness bound
   * (placement already skips them after one) are treated as gone.
   */
  private void expireExecutors() {
    long goneMs = 2 * options.executorStaleMs();
    List<ExecutorTable.Entry> gone = executors.expire(System.currentTimeMillis(), goneMs);
    if (gone.isEmpty()) {
      return;
    }
    Set<String> addresses = new LinkedHashSet<>();
    Set<String> nodes = new java.util.TreeSet<>();
    for (ExecutorTable.Entry e : gone) {
      addresses.add(e.address());
      nodes.add(e.nodeId());
    }
    log.log(System.Logger.Level.WARNING, "executor(s) " + addresses + " silent for more than " + goneMs
        + " ms: forgotten; calls running there run again elsewhere");
    executorsLeft(addresses, "executor(s) " + addresses + " fell silent");
    nodes.forEach(this::forgetCacheIfNodeGone);
  }

  // ---- DAGs ----

  private Future<SchedulerReply.DagInfo> registerDag(SchedulerRequest.RegisterDag r) {
    String name = Names.requireValid("DAG", r.name());
    // Functions registered on another node whose notice has not arrived are read first (outside
    // the DAG lane: a deletion holds a function's lane while it waits for the DAG lane).
    return ensureFunctions(r.functions()).compose(known -> serialized(DAG_LANE, () -> ensureDag(name).compose(loaded -> {
      if (dags.contains(name)) {
        throw CloudburstException.of(ErrorCode.DAG_ALREADY_EXISTS, "a DAG named '" + name + "' exists");
      }
      DagPlan plan = DagPlan.of(name, r.functions(), r.connections(), registry::contains);
      SchedulerReply.DagInfo info = new SchedulerReply.DagInfo(name, plan.functions(), plan.connections(), System.currentTimeMillis());
      return store.putDag(info).map(v -> {
        dags.add(info, plan);
        announceChange(NodeEvent.EntryKind.DAG, name);
        log.log(System.Logger.Level.INFO, "registered DAG " + name + " " + plan.connections());
        return info;
      });
    })));
  }

  private Future<SchedulerReply> deleteDag(String name) {
    return serialized(DAG_LANE, () -> ensureDag(name).compose(loaded -> {
      dags.get(name); // DAG_NOT_FOUND
      return store.deleteDag(name).map(v -> {
        dags.remove(name);
        announceChange(NodeEvent.EntryKind.DAG, name);
        log.log(System.Logger.Level.INFO, "deleted DAG " + name);
        return new SchedulerReply.Ack();
      });
    }));
  }

  /** One DAG call in progress. */
  private static final class RunningDag {
    final DagCall call;
    final DagPlan plan;
    final Map<String, List<Object>> args;
    final Message<SchedulerRequest> awaiting;
    final long deadline;
    final int depth;
    final Consistency consistency;
    /** Causal calls: the client whose session the call continues, else null. */
    String clientId;
    /** Started with an idempotency key: never run again. */
    boolean atMostOnce;
    long timer = -1;

    RunningDag(DagCall call, DagPlan plan, Map<String, List<Object>> args, Message<SchedulerRequest> awaiting,
        long deadline, int depth, Consistency consistency) {
      this.call = call;
      this.plan = plan;
      this.args = args;
      this.awaiting = awaiting;
      this.deadline = deadline;
      this.depth = depth;
      this.consistency = consistency;
    }
  }

  private static final java.util.regex.Pattern CLIENT_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  /** A causal session's client id names the client's session: 1 to 128 letters, digits, '.', '_', ':' or '-'. */
  static void checkClientId(Consistency consistency, String clientId) {
    if (consistency == Consistency.CAUSAL && clientId != null && !CLIENT_ID.matcher(clientId).matches()) {
      throw CloudburstException.badRequest("malformed client_id '" + clientId
          + "': use 1 to 128 letters, digits, '.', '_', ':' or '-'");
    }
  }

  private void invokeDag(Message<SchedulerRequest> m, SchedulerRequest.InvokeDag r) {
    if (r.depth() > options.maxCallDepth()) {
      throw CloudburstException.badRequest("call depth limit of " + options.maxCallDepth() + " exceeded (calls nested too deeply or a call cycle)");
    }
    DagRegistry.Entry dag = dags.get(r.name());
    for (String fn : r.args().keySet()) {
      if (!dag.plan().functions().contains(fn)) {
        throw CloudburstException.badRequest("args name function '" + fn + "', which is not in DAG '" + r.name() + "'");
      }
    }
    Consistency consistency = r.consistency();
    checkClientId(consistency, r.clientId());
    if (answeredAsRepeat(m, r.requestId(), "DAG " + r.name(), r.awaitResult())) {
      return;
    }
    long timeout = options.deadline(r.timeoutMs());
    String id = idPrefix + (++seq);
    DagCall call = new DagCall(id, r.name(), null);
    RunningDag run = new RunningDag(call, dag.plan(), r.args(), r.awaitResult() ? m : null,
        System.currentTimeMillis() + timeout, r.depth(), consistency);
    run.atMostOnce = r.requestId() != null;
    run.clientId = consistency == Consistency.CAUSAL ? r.clientId() : null;
    call.begin(schedule(run, 0));
    results.put(CallResult.pending(id, r.name()), System.currentTimeMillis());
    remember(r.requestId(), "DAG " + r.name(), id);
    runningDags.put(id, run);
    run.timer = vertx.setTimer(timeout, t -> finishDag(run, run.call.fail(CloudburstException.timeout(
        "DAG call " + id + " of " + r.name() + " did not finish within " + timeout + " ms"))));
    if (!r.awaitResult()) {
      m.reply(CallResult.pending(id, r.name()));
    }
    dispatch(run);
  }

  /** Places every function of the DAG and builds the schedule of the next attempt. */
  private DagSchedule schedule(RunningDag run, int attempt) {
    Map<String, FunctionInfo> fns = new LinkedHashMap<>();
    Map<String, String> where = new LinkedHashMap<>();
    for (String fn : run.plan.order()) {
      FunctionInfo f = registry.current(fn);
      List<String> refs = new ArrayList<>();
      for (Object a : run.args.getOrDefault(fn, List.of())) {
        Values.collectRefs(a, refs);
      }
      ExecutorTable.Entry e = pick(f, refs, true);
      if (e == null) {
        throw CloudburstException.noResources("no executor can run function '" + fn + "' of DAG '" + run.plan.name() + "'");
      }
      fns.put(fn, f);
      where.put(fn, e.address());
    }
    return new DagSchedule(run.call.id() + "#" + attempt, run.plan.name(), fns, where,
        run.plan.upstreams(), run.plan.downstreams(), run.args, run.plan.sinks(),
        Addresses.dagEvents(options.nodeId()), run.deadline, run.depth, run.consistency,
        run.clientId == null ? null : clientSessions.start(run.clientId, run.call.id() + "#" + attempt));
  }

  /** Sends the current schedule to every executor it names; an executor that does not answer causes a retry. */
  private void dispatch(RunningDag run) {
    DagSchedule s = run.call.schedule();
    for (String address : new LinkedHashSet<>(s.placement().values())) {
      vertx.eventBus()
          .request(address, new ExecutorRequest.RunDag(s), new DeliveryOptions().setSendTimeout(DAG_ACK_TIMEOUT_MS))
          .onFailure(t -> {
            if (!run.call.finished() && run.call.schedule() == s) {
              removeExecutor(address);
              retryDag(run, "executor " + address + " did not take the schedule: " + t.getMessage());
            }
          });
    }
  }

  private void retryDag(RunningDag run, String why) {
    if (run.call.finished()) {
      return;
    }
    if (run.atMostOnce) {
      finishDag(run, run.call.fail(CloudburstException.noResources("DAG call " + run.call.id() + " is not run again ("
          + why + "): its request_id asks for at most once (its effects may have happened)")));
      return;
    }
    if (run.call.attempt() + 1 >= MAX_ATTEMPTS) {
      finishDag(run, run.call.fail(CloudburstException.noResources(
          "DAG call " + run.call.id() + " failed after " + MAX_ATTEMPTS + " attempts: " + why)));
      return;
    }
    log.log(System.Logger.Level.WARNING, "re-running DAG call " + run.call.id() + ": " + why);
    DagSchedule next;
    try {
      next = schedule(run, run.call.attempt() + 1);
    } catch (CloudburstException e) {
      finishDag(run, run.call.fail(e));
      return;
    }
    run.call.retry(next);
    dispatch(run);
  }

  private void onDagEvent(DagEvent event) {
    switch (event) {
      case DagEvent.StepDone d -> {
        int hash = d.callId().lastIndexOf('#');
        RunningDag run = hash < 0 ? null : runningDags.get(d.callId().substring(0, hash));
        if (run != null) {
          if (d.session() != null && run.clientId != null && d.callId().equals(run.call.schedule().callId())) {
            clientSessions.finished(run.clientId, d.session());
          }
          finishDag(run, run.call.step(d.callId(), d.function(), d.result()));
        }
      }
    }
  }

  private void finishDag(RunningDag run, CallResult res) {
    if (res == null) {
      return;
    }
    runningDags.remove(run.call.id());
    vertx.cancelTimer(run.timer);
    finish(res, run.awaiting);
    endSession(run); // after the answer: off the caller's path
  }

  /**
   * Repeatable read and causal: tells the cache of every node that ran part of the call that its
   * session has ended, so they drop the versions it pinned (caches also expire them at the deadline).
   */
  private void endSession(RunningDag run) {
    DagSchedule s = run.call.schedule();
    if (s == null || run.consistency == Consistency.NORMAL) {
      return;
    }
    Set<String> addresses = new java.util.HashSet<>(s.placement().values());
    Set<String> nodes = new java.util.TreeSet<>();
    for (ExecutorTable.Entry e : executors.live(System.currentTimeMillis())) {
      if (addresses.contains(e.address())) {
        nodes.add(e.nodeId());
      }
    }
    for (String node : nodes) {
      if (node.equals(options.nodeId())) {
        io.cloudburst.bus.PinnedVersions.of(vertx, node).end(s.callId()); // this node's: no message needed
      } else {
        vertx.eventBus().send(Addresses.cache(node), new io.cloudburst.bus.msg.CacheRequest.EndSession(s.callId()));
      }
    }
  }

  /** Forgets an executor that stopped answering. */
  private void removeExecutor(String address) {
    ExecutorTable.Entry gone = executors.remove(address);
    if (gone != null) {
      forgetCacheIfNodeGone(gone.nodeId());
    }
  }

  /** Once every executor of a node has left, its cached keys no longer draw calls. */
  private void forgetCacheIfNodeGone(String nodeId) {
    if (!executors.hasNode(nodeId)) {
      cachedKeys.forget(nodeId);
    }
  }

  private SchedulerReply.Status status() {
    long now = System.currentTimeMillis();
    Map<String, List<SchedulerReply.ExecutorInfo>> byNode = new java.util.TreeMap<>();
    for (ExecutorTable.Entry e : executors.live(now)) {
      ExecutorStatus st = e.status();
      byNode.computeIfAbsent(e.nodeId(), k -> new ArrayList<>()).add(new SchedulerReply.ExecutorInfo(
          e.address(), st.threads(), st.busy(), st.queued(), e.inFlight(), new java.util.TreeSet<>(e.warm()).stream().toList(), e.lastSeen()));
    }
    for (String node : cachedKeys.reporting(now)) {
      byNode.computeIfAbsent(node, k -> new ArrayList<>());
    }
    List<SchedulerReply.NodeInfo> nodes = new ArrayList<>();
    byNode.forEach((node, execs) -> {
      CachedKeys.Figures f = java.util.Objects.requireNonNullElse(cachedKeys.figures(node, now), CachedKeys.Figures.NONE);
      Set<String> keys = cachedKeys.keys(node, now);
      List<String> shown = keys.stream().sorted().limit(SchedulerReply.NodeInfo.MAX_KEYS_SHOWN).toList();
      nodes.add(new SchedulerReply.NodeInfo(node, execs, keys.size(), shown, f.bytes(), f.hits(), f.misses(), f.evictions(), f.sentAt()));
    });
    return new SchedulerReply.Status(nodes, now, replications.get());
  }

  private void onCacheEvent(CacheEvent event) {
    if (event instanceof CacheEvent.Report r) {
      cachedKeys.report(r.nodeId(), r.keys(), new CachedKeys.Figures(r.bytes(), r.hits(), r.misses(), r.evictions(), r.sentAt()),
          r.sentAt(), System.currentTimeMillis());
    }
  }

  /**
   * Places a call of {@code f} (or its validation when not {@code call}); a call that replicates
   * the function onto a cold executor is counted and logged.
   */
  private ExecutorTable.Entry pick(FunctionInfo f, List<String> refKeys, boolean call) {
    long now = System.currentTimeMillis();
    List<ExecutorTable.Entry> live = executors.live(now);
    ExecutorTable.Entry e = placement.choose(live, f.contextKey(), refKeys, node -> cachedKeys.keys(node, now), spin++);
    if (call && placement.replicates(live, e, f.contextKey())) {
      replications.incrementAndGet();
      // Counted with the autoscaler's decisions at /metrics (action "replicate").
      vertx.eventBus().publish(Addresses.AUTOSCALE,
          NodeEvent.ScalingDecision.replicate(options.nodeId(), f.versionKey(), e.address(), "warm executors saturated"));
      if (replicationsLogged.put(f.contextKey() + " " + e.address(), Boolean.TRUE) == null) {
        log.log(System.Logger.Level.INFO, "replicating " + f.versionKey() + " onto executor " + e.address()
            + ": warm executors saturated");
      }
    }
    return e;
  }

  /** How many calls went to a cold executor because every warm one was saturated. */
  public long replications() {
    return replications.get();
  }
}
