package io.cloudburst.scheduler;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.KeyedSequencer;
import io.cloudburst.bus.CloudburstException;
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
 * Addresses#CACHE_REPORT}.
 */
public final class SchedulerVerticle extends VerticleBase {
  private static final System.Logger log = System.getLogger(SchedulerVerticle.class.getName());
  private static final Pattern ENTRYPOINT = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");
  /** Extra time a bus request to an executor gets beyond the call's own deadline. */
  static final long EXECUTOR_MARGIN_MS = 1_000;
  /** Time allowed to validate (compile and load) a new function version. */
  static final long VALIDATE_TIMEOUT_MS = 60_000;
  /** Time an executor has to acknowledge a DAG schedule before the call is placed elsewhere. */
  static final long DAG_ACK_TIMEOUT_MS = 5_000;
  /** Attempts of a call whose executor goes away before it is failed. */
  static final int MAX_ATTEMPTS = 3;
  /** Longest accepted idempotency key. */
  static final int MAX_REQUEST_ID = 256;

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
          MessageConsumer<SchedulerRequest> requests = vertx.eventBus().consumer(Addresses.SCHEDULER, this::handle);
          MessageConsumer<ExecutorStatus> status = vertx.eventBus().consumer(Addresses.EXECUTOR_STATUS, m -> onStatus(m.body()));
          MessageConsumer<DagEvent> dagEvents = vertx.eventBus().consumer(Addresses.dagEvents(options.nodeId()), m -> onDagEvent(m.body()));
          MessageConsumer<CacheEvent> reports = vertx.eventBus().consumer(Addresses.CACHE_REPORT, m -> onCacheEvent(m.body()));
          vertx.setPeriodic(10_000, t -> {
            long now = System.currentTimeMillis();
            results.expire(now);
            cachedKeys.expire(now);
          });
          return Future.all(requests.completion(), status.completion(), dagEvents.completion(), reports.completion());
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
        case GetResult r -> {
          CallResult res = r.id() == null ? null : results.get(r.id(), System.currentTimeMillis());
          if (res == null) {
            throw CloudburstException.notFound(ErrorCode.RESULT_NOT_FOUND, "no call with id '" + r.id() + "'");
          }
          m.reply(res);
        }
      }
    } catch (CloudburstException e) {
      fail(m, e);
    } catch (RuntimeException e) {
      log.log(System.Logger.Level.ERROR, "scheduler request " + m.body().getClass().getSimpleName() + " failed", e);
      fail(m, CloudburstException.internal(e.toString()));
    }
  }

  private static void fail(Message<?> m, CloudburstException e) {
    m.fail(e.code().failureCode(), e.getMessage());
  }

  private static <T> void answer(Message<?> m, Future<T> f) {
    f.onComplete(ar -> {
      if (ar.succeeded()) {
        m.reply(ar.result());
      } else {
        fail(m, CloudburstException.from(ar.cause()));
      }
    });
  }

  // ---- registry ----

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

  private Future<FunctionInfo> validateAndAdd(String name, String language, String source, String entrypoint) {
    FunctionInfo f = new FunctionInfo(name, language, registry.nextVersion(name), source, entrypoint, System.currentTimeMillis());
    ExecutorTable.Entry e = pick(f.contextKey(), List.of());
    if (e == null) {
      return Future.failedFuture(CloudburstException.noResources("no executor is available to load the function"));
    }
    return vertx.eventBus()
        .<FunctionInfo>request(e.address(), new ExecutorRequest.Validate(f), new DeliveryOptions().setSendTimeout(VALIDATE_TIMEOUT_MS))
        .compose(reply -> {
          executors.warmed(e.address(), f.contextKey());
          List<FunctionInfo> history = new ArrayList<>(registry.contains(name) ? registry.history(name) : List.of());
          history.add(f);
          return store.putFunction(name, history);
        })
        .map(stored -> {
          registry.add(f);
          log.log(System.Logger.Level.INFO, "registered " + f.versionKey() + " (" + f.language() + ")");
          return f;
        });
  }

  private Future<SchedulerReply> deleteFunction(String name) {
    return serialized(functionLane(name), () -> serialized(DAG_LANE, () -> {
      registry.history(name); // FUNC_NOT_FOUND
      List<String> users = dags.using(name);
      if (!users.isEmpty()) {
        throw CloudburstException.of(ErrorCode.CONFLICT, "function '" + name + "' is used by DAG(s) " + users);
      }
      return store.deleteFunction(name).map(v -> {
        registry.remove(name);
        log.log(System.Logger.Level.INFO, "deleted function " + name);
        return new SchedulerReply.Ack();
      });
    }));
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
      finish(res);
      if (r.awaitResult()) {
        m.reply(res);
      }
    });
  }

  private void finish(CallResult res) {
    results.put(res, System.currentTimeMillis());
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
    ExecutorTable.Entry e = pick(f.contextKey(), refs);
    if (e == null) {
      return Future.failedFuture(CloudburstException.noResources("no executor can take the call"));
    }
    String address = e.address();
    executors.inFlight(address, +1);
    Promise<CallResult> outcome = Promise.promise();
    inFlightByExecutor.computeIfAbsent(address, k -> new LinkedHashSet<>()).add(outcome);
    vertx.eventBus()
        .<CallResult>request(address, new ExecutorRequest.Execute(id, f, args, timeout, depth, awaitRefsMs),
            new DeliveryOptions().setSendTimeout(timeout + EXECUTOR_MARGIN_MS))
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
    executors.update(s, System.currentTimeMillis());
    if (!s.leaving()) {
      return;
    }
    forgetCacheIfNodeGone(s.nodeId());
    Set<Promise<CallResult>> calls = inFlightByExecutor.remove(s.address());
    if (calls != null) {
      for (Promise<CallResult> p : new ArrayList<>(calls)) {
        p.tryFail(new ExecutorGone(s.address()));
      }
    }
    for (RunningDag run : new ArrayList<>(runningDags.values())) {
      if (run.call.schedule().placement().containsValue(s.address())) {
        retryDag(run, "executor " + s.address() + " left");
      }
    }
  }

  // ---- DAGs ----

  private Future<SchedulerReply.DagInfo> registerDag(SchedulerRequest.RegisterDag r) {
    String name = Names.requireValid("DAG", r.name());
    return serialized(DAG_LANE, () -> {
      if (dags.contains(name)) {
        throw CloudburstException.of(ErrorCode.DAG_ALREADY_EXISTS, "a DAG named '" + name + "' exists");
      }
      DagPlan plan = DagPlan.of(name, r.functions(), r.connections(), registry::contains);
      SchedulerReply.DagInfo info = new SchedulerReply.DagInfo(name, plan.functions(), plan.connections(), System.currentTimeMillis());
      return store.putDag(info).map(v -> {
        dags.add(info, plan);
        log.log(System.Logger.Level.INFO, "registered DAG " + name + " " + plan.connections());
        return info;
      });
    });
  }

  private Future<SchedulerReply> deleteDag(String name) {
    return serialized(DAG_LANE, () -> {
      dags.get(name); // DAG_NOT_FOUND
      return store.deleteDag(name).map(v -> {
        dags.remove(name);
        log.log(System.Logger.Level.INFO, "deleted DAG " + name);
        return new SchedulerReply.Ack();
      });
    });
  }

  /** One DAG call in progress. */
  private static final class RunningDag {
    final DagCall call;
    final DagPlan plan;
    final Map<String, List<Object>> args;
    final Message<SchedulerRequest> awaiting;
    final long deadline;
    final int depth;
    final String consistency;
    /** Causal calls: the client whose session the call continues, else null. */
    String clientId;
    /** Started with an idempotency key: never run again. */
    boolean atMostOnce;
    long timer = -1;

    RunningDag(DagCall call, DagPlan plan, Map<String, List<Object>> args, Message<SchedulerRequest> awaiting,
        long deadline, int depth, String consistency) {
      this.call = call;
      this.plan = plan;
      this.args = args;
      this.awaiting = awaiting;
      this.deadline = deadline;
      this.depth = depth;
      this.consistency = consistency;
    }
  }

  static String consistency(String requested) {
    if (requested == null || requested.isEmpty()) {
      return "normal";
    }
    return switch (requested) {
      case "normal", "repeatable_read", "causal" -> requested;
      default -> throw CloudburstException.badRequest(
          "unknown consistency '" + requested + "': use \"normal\", \"repeatable_read\" or \"causal\"");
    };
  }

  private static final java.util.regex.Pattern CLIENT_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  /** A causal session's client id names the client's session: 1 to 128 letters, digits, '.', '_', ':' or '-'. */
  static void checkClientId(String consistency, String clientId) {
    if ("causal".equals(consistency) && clientId != null && !CLIENT_ID.matcher(clientId).matches()) {
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
    String consistency = consistency(r.consistency());
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
    run.clientId = "causal".equals(consistency) ? r.clientId() : null;
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
      ExecutorTable.Entry e = pick(f.contextKey(), refs);
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
    finish(res);
    if (run.awaiting != null) {
      run.awaiting.reply(res);
    }
    endSession(run); // after the answer: off the caller's path
  }

  /**
   * Repeatable read and causal: tells the cache of every node that ran part of the call that its
   * session has ended, so they drop the versions it pinned (caches also expire them at the deadline).
   */
  private void endSession(RunningDag run) {
    DagSchedule s = run.call.schedule();
    if (s == null || "normal".equals(run.consistency)) {
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
    return new SchedulerReply.Status(nodes, now);
  }

  private void onCacheEvent(CacheEvent event) {
    if (event instanceof CacheEvent.Report r) {
      cachedKeys.report(r.nodeId(), r.keys(), new CachedKeys.Figures(r.bytes(), r.hits(), r.misses(), r.evictions(), r.sentAt()),
          r.sentAt(), System.currentTimeMillis());
    }
  }

  private ExecutorTable.Entry pick(String versionKey, List<String> refKeys) {
    long now = System.currentTimeMillis();
    return placement.choose(executors.live(now), versionKey, refKeys, node -> cachedKeys.keys(node, now), spin++);
  }
}
