package io.cloudburst.runtime;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Consistency;
import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.CacheView;
import io.cloudburst.bus.PinnedVersions;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.Keys;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.Lattices;
import io.cloudburst.bus.lattice.LatticeKind;
import io.cloudburst.bus.msg.CacheRequest;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.KvsRequest;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.DagEvent;
import io.cloudburst.bus.msg.DagSchedule;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.msg.ExecutorRequest.Direct;
import io.cloudburst.bus.msg.ExecutorRequest.Execute;
import io.cloudburst.bus.msg.ExecutorRequest.RunDag;
import io.cloudburst.bus.msg.ExecutorRequest.Trigger;
import io.cloudburst.bus.msg.ExecutorRequest.Validate;
import io.cloudburst.bus.msg.ExecutorStatus;
import io.cloudburst.bus.msg.SchedulerReply;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.cloudburst.bus.value.Bytes;
import io.cloudburst.bus.value.Values;
import io.cloudburst.runtime.impl.ContextPool;
import io.cloudburst.runtime.impl.DagRun;
import io.cloudburst.runtime.impl.Engines;
import io.cloudburst.runtime.impl.GuestContexts;
import io.cloudburst.runtime.impl.Invocation;
import io.cloudburst.runtime.impl.LibraryBackend;
import io.cloudburst.runtime.impl.SessionState;
import io.cloudburst.bus.session.Session;
import io.cloudburst.bus.session.Version;
import io.cloudburst.runtime.impl.Touches;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An executor: runs user functions in sandboxed GraalPy and GraalJS contexts on its own worker
 * threads (never on an event loop), answers single calls, runs its share of DAG calls (passing
 * results straight to the next executors), carries direct messages between invocations of one
 * DAG call, and reports its load and warm contexts to the scheduler.
 *
 * <p>Event-loop state (DAG runs, early triggers) is confined to this verticle's context; the
 * context pool and mailboxes are thread-safe because workers use them.
 */
public final class ExecutorVerticle extends VerticleBase implements LibraryBackend {
  private static final System.Logger log = System.getLogger(ExecutorVerticle.class.getName());
  private static final long CALL_MARGIN_MS = Deadlines.EXECUTOR_MARGIN_MS;
  /** How long triggers and messages for a DAG call this executor has not heard of are kept. */
  private static final long EARLY_KEEP_MS = 60_000;
  /** Longest wait for the node's cache on a get or put (within the call's own deadline). */
  private static final long STATE_TIMEOUT_MS = 15_000;
  /** Longest wait for the destination executor to take a direct message before the store mailbox is used. */
  private static final long DIRECT_TIMEOUT_MS = 2_000;
  /** How long recv() waits for a message when there is none. */
  private static final long RECV_WAIT_MS = 1;
  /** How often recv() looks in the store mailbox of an invocation, at most. */
  private static final long MAILBOX_POLL_MS = 50;
  /** A causal read waiting for a new enough version gives up this long before the call's deadline. */
  private static final long CAUSAL_GIVE_UP_MS = 250;
  /** How often the keys served from the cache view are reported back to the cache. */
  private static final long TOUCH_INTERVAL_MS = 100;

  private ExecutorOptions options;
  private String address;
  private GuestContexts contexts;
  private final Map<String, DagRun> runs = new HashMap<>();
  private final Map<String, List<Trigger>> early = new HashMap<>();
  private final Map<String, Long> earlySeen = new HashMap<>();
  private final Map<String, java.util.concurrent.LinkedBlockingQueue<List<Object>>> mailboxes = new ConcurrentHashMap<>();
  private final Map<String, MailboxSeen> mailboxSeen = new ConcurrentHashMap<>();
  private long statusTimer = -1;
  private String cacheAddress;
  private CacheView view;
  /** Where this node keeps the versions its sessions read (shared with the node's cache). */
  private PinnedVersions pinned;
  private final Touches touches = new Touches();
  /** Workers blocked in a nested {@code call} right now. */
  private final java.util.concurrent.atomic.AtomicInteger nestedWaits = new java.util.concurrent.atomic.AtomicInteger();

  @Override
  public Future<?> start() {
    options = ExecutorOptions.fromJson(config());
    address = Addresses.executor(options.nodeId(), options.index());
    cacheAddress = Addresses.cache(options.nodeId());
    view = CacheView.of(vertx, options.nodeId());
    pinned = PinnedVersions.of(vertx, options.nodeId());
    RuntimeMode mode = RuntimeMode.configured();
    return vertx.executeBlocking(() -> {
          // The first engines and contexts take seconds: never on the event loop. The engines are
          // shared with this node's other executors (a later executor starts in well under a second).
          GuestContexts g = new GuestContexts(Engines.shared(mode, options.cpuLimitMs()), new ContextPool<>(options.maxContexts()), options, this);
          try {
            g.prewarm();
          } catch (RuntimeException | Error e) {
            g.close(); // gives the engines' lease back
            throw e;
          }
          return g;
        }, false)
        .compose(g -> {
          contexts = g;
          MessageConsumer<ExecutorRequest> consumer = vertx.eventBus().consumer(address, this::handle);
          return consumer.completion();
        })
        .onSuccess(v -> {
          publishStatus(false);
          statusTimer = vertx.setPeriodic(options.statusIntervalMs(), t -> {
            publishStatus(false);
            expireEarly();
          });
          vertx.setPeriodic(Math.min(60_000, options.idleRetireMs()), t -> contexts.retireIdle());
          vertx.setPeriodic(TOUCH_INTERVAL_MS, t -> {
            CacheRequest.Touch touch = touches.drain();
            if (touch != null) {
              vertx.eventBus().send(cacheAddress, touch);
            }
          });
          log.log(System.Logger.Level.INFO, "executor " + address + " ready: " + options.threads() + " threads, up to "
              + options.maxContexts() + " contexts, runtime mode " + mode.wire()
              + (contexts.compiled() ? " (compiled)" : " (interpreter only)")
              + (contexts.cpuLimited() ? ", sandbox CPU-time limit on" : ", time limits by watchdog"));
        });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(statusTimer);
    publishStatus(true);
    GuestContexts g = contexts;
    return g == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      g.close();
      return null;
    }, false);
  }

  private void publishStatus(boolean leaving) {
    GuestContexts g = contexts;
    if (g == null) {
      return;
    }
    vertx.eventBus().publish(Addresses.EXECUTOR_STATUS, new ExecutorStatus(options.nodeId(), address, options.threads(),
        g.busy(), g.queued(), g.warmVersions(), System.currentTimeMillis(), leaving));
  }

  private void handle(Message<ExecutorRequest> m) {
    switch (m.body()) {
      case Execute e -> submit(m, () -> {
        CallResult r;
        try {
          r = execute(e);
        } catch (Throwable t) { // e.g. an Error out of the guest runtime: the caller still gets an answer
          r = CallResult.failed(e.callId(), e.function().name(), CloudburstException.internal(String.valueOf(t)), null, address, 0);
        }
        m.reply(r);
      });
      case Validate v -> submit(m, () -> {
        try {
          contexts.validate(v.function());
          m.reply(v.function());
        } catch (Throwable t) { // an Error too: the registration gets an answer, never a wait for its timeout
          CloudburstException ce = CloudburstException.from(t);
          m.fail(ce.code().failureCode(), ce.getMessage());
        }
      });
      case RunDag r -> {
        m.reply(new SchedulerReply.Ack());
        runDag(r.schedule());
      }
      case Trigger t -> onTrigger(t);
      case Direct d -> {
        mailboxes.computeIfAbsent(d.to(), k -> new java.util.concurrent.LinkedBlockingQueue<>()).add(List.of(d.from(), new Bytes(d.data())));
        m.reply(new SchedulerReply.Ack());
      }
    }
  }

  private void submit(Message<ExecutorRequest> m, Runnable work) {
    if (!contexts.submit(work)) {
      m.fail(ErrorCode.NO_RESOURCES.failureCode(), "executor " + address + " is overloaded (queue full)");
    }
  }

  private CallResult execute(Execute e) {
    long timeout = e.timeoutMs() > 0 ? e.timeoutMs() : options.defaultTimeoutMs();
    Invocation inv = new Invocation(e.callId(), e.function().name(), e.callId(), e.depth(),
        System.currentTimeMillis() + timeout, null);
    return run(e.callId(), e.function(), e.args(), inv, e.awaitRefsMs());
  }

  /** Runs one function on the current worker thread; failures are results. */
  private CallResult run(String resultId, FunctionInfo f, List<Object> args, Invocation inv, long awaitRefsMs) {
    long t0 = System.nanoTime();
    try {
      List<Object> resolved = resolveRefs(args, inv, awaitRefsMs);
      var out = contexts.invoke(f, resolved, inv);
      long micros = (System.nanoTime() - t0) / 1_000;
      return out.error() == null
          ? CallResult.done(resultId, f.name(), out.value(), out.logs(), address, micros)
          : CallResult.failed(resultId, f.name(), out.error(), out.logs(), address, micros);
    } catch (RuntimeException ex) {
      return CallResult.failed(resultId, f.name(), CloudburstException.from(ex), null, address, (System.nanoTime() - t0) / 1_000);
    }
  }

  /**
   * Replaces every {@code {"$ref": key}} in the arguments by the key's value, read through this
   * node's cache. A missing key resolves to null, or, with {@code awaitMs} above 0, is read again
   * (backing off from 5 to 100 ms) until it appears; still missing after {@code awaitMs}, the
   * call fails with TIMEOUT.
   */
  private List<Object> resolveRefs(List<Object> args, Invocation inv, long awaitMs) {
    List<String> refs = new ArrayList<>();
    for (Object a : args) {
      Values.collectRefs(a, refs);
    }
    if (refs.isEmpty()) {
      return args;
    }
    Map<String, Lattice> found = lookup(inv, refs);
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(awaitMs, inv.remainingMs()));
    for (long pause = 5; awaitMs > 0 && found.size() < new java.util.HashSet<>(refs).size(); pause = Math.min(100, pause * 2)) {
      List<String> absent = new ArrayList<>();
      for (String k : refs) {
        if (!found.containsKey(k) && !absent.contains(k)) {
          absent.add(k);
        }
      }
      long left = until - System.nanoTime();
      if (left <= 0) {
        throw CloudburstException.timeout("referenced key(s) " + absent + " did not appear within " + awaitMs + " ms");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(pause)));
      found.putAll(lookup(inv, absent));
    }
    Map<String, Object> values = new HashMap<>();
    found.forEach((k, l) -> values.put(k, l.value()));
    List<Object> out = new ArrayList<>(args.size());
    for (Object a : args) {
      out.add(Values.replaceRefs(a, values));
    }
    return out;
  }

  // ---- DAG calls ----

  private void runDag(DagSchedule s) {
    DagRun run = new DagRun(s, address);
    if (run.local().isEmpty() || runs.containsKey(s.callId())) {
      return;
    }
    runs.put(s.callId(), run);
    vertx.setTimer(Math.max(1, s.remainingMs(System.currentTimeMillis())) + CALL_MARGIN_MS, t -> endRun(s.callId()));
    for (String fn : run.sources()) {
      startStep(run, fn);
    }
    List<Trigger> waiting = early.remove(s.callId());
    earlySeen.remove(s.callId());
    if (waiting != null) {
      waiting.forEach(this::onTrigger);
    }
  }

  private void onTrigger(Trigger t) {
    DagRun run = runs.get(t.callId());
    if (run == null) {
      early.computeIfAbsent(t.callId(), k -> new ArrayList<>()).add(t);
      earlySeen.putIfAbsent(t.callId(), System.currentTimeMillis());
      return;
    }
    if (run.arrive(t.function(), t.from(), t.value(), t.session())) {
      startStep(run, t.function());
    }
  }

  private void startStep(DagRun run, String fn) {
    if (!run.start(fn)) {
      return;
    }
    DagSchedule s = run.schedule();
    FunctionInfo f = s.functions().get(fn);
    List<Object> args = run.argsFor(fn);
    // Repeatable read and causal: the call's session so far, from the upstream triggers; normal mode keeps none.
    SessionState session = s.consistency().tracksReads()
        ? new SessionState(run.sessionsFor(fn).isEmpty() && s.clientSession() != null ? List.of(s.clientSession()) : run.sessionsFor(fn),
            s.callId(), s.consistency() == Consistency.CAUSAL, options.nodeId())
        : null;
    Invocation inv = new Invocation(s.callId(), fn, s.invocationId(fn), s.depth(), s.deadline(), run, session);
    boolean queued = contexts.submit(() -> {
      CallResult r = inv.remainingMs() == 0
          ? CallResult.failed(s.callId(), fn, CloudburstException.timeout("DAG call deadline passed before '" + fn + "' could start"), null, address, 0)
          : run(s.callId(), f, args, inv, 0);
      route(run, fn, r, session);
    });
    if (!queued) {
      route(run, fn, CallResult.failed(s.callId(), fn, CloudburstException.noResources("executor " + address + " is overloaded"), null, address, 0), session);
    }
  }

  /**
   * Passes a step's result on: to each downstream executor, and to the scheduler for a sink or a
   * failure. Called on a worker; the messages leave from this verticle's context, because a send
   * from a thread without a Vert.x context to another node of a cluster first makes a context of its
   * own and picks the destination on it (about a millisecond a hop, measured on 2 nodes).
   */
  private void route(DagRun run, String fn, CallResult r, SessionState session) {
    context.runOnContext(v -> routeOnContext(run, fn, r, session));
  }

  private void routeOnContext(DagRun run, String fn, CallResult r, SessionState session) {
    DagSchedule s = run.schedule();
    if (r.status() == CallResult.Status.DONE) {
      Session passed = null;
      if (session != null && !run.downstreams(fn).isEmpty()) {
        // Pin before the triggers leave, so a downstream read of a fixed version finds it here.
        Map<String, Lattice> newlyFixed = session.drainPins();
        if (!newlyFixed.isEmpty()) {
          pinned.pin(session.id(), newlyFixed, s.deadline() + CALL_MARGIN_MS);
        }
        passed = session.snapshot();
      }
      for (String d : run.downstreams(fn)) {
        vertx.eventBus().send(s.placement().get(d), new Trigger(s.callId(), d, fn, r.result(), passed));
      }
    }
    if (r.status() != CallResult.Status.DONE || run.isSink(fn)) {
      // A causal client session continues in the client's next call: the sinks report what it depends on.
      Session carried = session != null && s.clientSession() != null && run.isSink(fn) ? session.snapshot() : null;
      vertx.eventBus().send(s.completionAddress(), new DagEvent.StepDone(s.callId(), fn, r, carried));
    }
    if (run.finish(fn)) {
      endRun(s.callId());
    }
  }

  private void endRun(String callId) {
    DagRun run = runs.remove(callId);
    if (run != null) {
      for (String fn : run.local()) {
        String id = run.schedule().invocationId(fn);
        mailboxes.remove(id);
        MailboxSeen seen = mailboxSeen.remove(id);
        if (seen != null && seen.foundAny()) {
          // It received letters through the store: drop its store mailbox (best effort; nothing
          // else reads it). Most invocations never get one, and are spared a synced store write.
          vertx.eventBus().request(Addresses.KVS, new KvsRequest.Delete(mailboxKey(id)), new DeliveryOptions().setSendTimeout(STATE_TIMEOUT_MS));
        }
      }
    }
  }

  private void expireEarly() {
    long now = System.currentTimeMillis();
    earlySeen.entrySet().removeIf(e -> {
      if (now - e.getValue() > EARLY_KEEP_MS) {
        early.remove(e.getKey());
        return true;
      }
      return false;
    });
  }

  // ---- the user library (called on worker threads) ----

  @Override
  public Object get(Invocation inv, String key) {
    Keys.requireUserKey(key);
    if (inv.session() != null) {
      Lattice l = sessionRead(inv, key);
      return l == null ? null : l.value();
    }
    Lattice held = view.get(key);
    if (held != null) {
      touches.hit(key);
      return held.value();
    }
    return ((KvsReply.Found) cache(new CacheRequest.Get(key), inv)).value();
  }

  @Override
  public Map<String, Object> getMany(Invocation inv, List<String> keys) {
    Map<String, Lattice> found = lookup(inv, keys);
    Map<String, Object> out = new LinkedHashMap<>();
    for (String k : keys) {
      Lattice l = found.get(k);
      out.put(k, l == null ? null : l.value());
    }
    return out;
  }

  /** The states of the keys that are present: cache-view hits first, the rest in one cache request. */
  private Map<String, Lattice> lookup(Invocation inv, List<String> keys) {
    Map<String, Lattice> out = new HashMap<>();
    if (inv.session() != null) {
      for (String k : keys) {
        Keys.requireUserKey(k);
        Lattice l = sessionRead(inv, k);
        if (l != null) {
          out.put(k, l);
        }
      }
      return out;
    }
    List<String> missing = new ArrayList<>();
    for (String k : keys) {
      Keys.requireUserKey(k);
      Lattice held = view.get(k);
      if (held != null) {
        touches.hit(k);
        out.put(k, held);
      } else if (!missing.contains(k)) {
        missing.add(k);
      }
    }
    if (!missing.isEmpty()) {
      out.putAll(((KvsReply.FoundMany) cache(new CacheRequest.GetMany(missing), inv)).lattices());
    }
    return out;
  }

  @Override
  public void put(Invocation inv, String key, Object value) {
    Keys.requireUserKey(key);
    SessionState ss = inv.session();
    if (ss != null) {
      CacheRequest req = ss.causal()
          ? new CacheRequest.PutCausal(key, value, ss.dependenciesFor(key))
          : new CacheRequest.PutValue(key, null, value);
      ss.wrote(key, ((KvsReply.Stored) cache(req, inv)).lattice());
      return;
    }
    cache(new CacheRequest.PutValue(key, null, value), inv);
  }

  /**
   * A read in a repeatable-read or causal session (see {@link SessionState}). Repeatable read: the
   * version the call fixed, from this invocation, this node's cache view, or the cache that pinned
   * it; a first read fixes what the view or the cache has. Causal: the first of those whose clock
   * dominates what the session depends on, waiting (bounded by the deadline) for the cache to
   * receive a new enough version when none does.
   */
  private Lattice sessionRead(Invocation inv, String key) {
    SessionState ss = inv.session();
    Lattice held = ss.held(key);
    if (held != null && ss.acceptable(key, held)) {
      return held;
    }
    if (!ss.causal() && ss.fixedAbsent(key)) {
      return null;
    }
    Session.Read fixed = ss.fixed(key);
    Lattice viewed = view.get(key);
    if (viewed != null && ss.isFixed(key, viewed) && ss.acceptable(key, viewed)) {
      touches.hit(key);
      ss.saw(key, viewed);
      return viewed;
    }
    if (fixed != null && !fixed.version().equals(Version.ABSENT)) {
      Lattice kept = fixed.node().equals(options.nodeId())
          ? pinned.get(ss.id(), key)
          : ((KvsReply.Found) cacheAt(fixed.node(), new CacheRequest.GetPinned(ss.id(), key), inv)).lattice();
      if (kept != null && ss.acceptable(key, kept)) {
        ss.saw(key, kept);
        return kept;
      }
      if (!ss.causal()) {
        throw CloudburstException.internal("repeatable read: the cache of node " + fixed.node()
            + " no longer holds the version of '" + key + "' this call read");
      }
    }
    if (viewed != null && ss.acceptable(key, viewed)) {
      touches.hit(key);
      ss.saw(key, viewed);
      return viewed;
    }
    Lattice got = ((KvsReply.Found) cache(new CacheRequest.Get(key), inv)).lattice();
    for (long pause = 1; !ss.acceptable(key, got); pause = Math.min(50, pause * 2)) {
      // Causal only: this cache has not received a version the session depends on yet. Give up a
      // little before the deadline so the call's failure names the key rather than the deadline.
      if (inv.remainingMs() <= pause + CAUSAL_GIVE_UP_MS) {
        throw CloudburstException.timeout("causal read of '" + key + "': no version at least as new as " + ss.required(key)
            + " arrived before the call's deadline");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pause));
      got = ((KvsReply.Found) cache(new CacheRequest.Get(key), inv)).lattice();
    }
    ss.saw(key, got);
    return got;
  }

  /** One request to {@code nodeId}'s cache (this node's or another's) from a worker thread. */
  private KvsReply cacheAt(String nodeId, CacheRequest req, Invocation inv) {
    if (nodeId.equals(options.nodeId())) {
      return cache(req, inv);
    }
    long budget = Math.min(STATE_TIMEOUT_MS, inv.remainingMs());
    if (budget <= 0) {
      throw CloudburstException.timeout("the call's deadline passed");
    }
    var f = vertx.eventBus().<KvsReply>request(Addresses.cache(nodeId), req, new DeliveryOptions().setSendTimeout(budget));
    return awaitBody(f, budget, "the cache of node " + nodeId);
  }

  /** One request to this node's cache from a worker thread, bounded by the invocation's deadline. */
  private KvsReply cache(CacheRequest req, Invocation inv) {
    long budget = Math.min(STATE_TIMEOUT_MS, inv.remainingMs());
    if (budget <= 0) {
      throw CloudburstException.timeout("the call's deadline passed");
    }
    var f = vertx.eventBus().<KvsReply>request(cacheAddress, req, new DeliveryOptions().setSendTimeout(budget));
    return awaitBody(f, budget, "the cache");
  }

  @Override
  public Object call(Invocation inv, String name, List<Object> args) {
    long remaining = inv.remainingMs();
    if (remaining <= 0) {
      throw CloudburstException.timeout("the calling function's deadline has passed");
    }
    // A worker waiting on a nested call cannot run the work it waits for. Once every worker but
    // this one waits, the nested call could only queue behind them: a call cycle (or nesting too
    // deep for this pool) that would hold the pool until the deadline. Refuse it at once instead.
    if (nestedWaits.incrementAndGet() >= options.threads()) {
      nestedWaits.decrementAndGet();
      throw CloudburstException.noResources("nested call of '" + name + "' refused: all " + options.threads()
          + " worker threads of executor " + address + " would be waiting on nested calls (a call cycle, or nesting"
          + " deeper than this executor's threads)");
    }
    CallResult r;
    try {
      r = await(SchedulerRequest.InvokeFunction.builder(name).args(args).timeoutMs(remaining)
          .caller(inv.callId(), inv.depth() + 1).build(), remaining);
    } catch (CloudburstException e) {
      if (e.code() != ErrorCode.FUNC_NOT_FOUND) {
        throw e;
      }
      r = callDag(inv, name, args, remaining);
    } finally {
      nestedWaits.decrementAndGet();
    }
    if (r.status() == CallResult.Status.FAILED) {
      throw new CloudburstException(r.code(), "call of '" + name + "' failed: " + r.errorMessage());
    }
    return r.result();
  }

  @SuppressWarnings("unchecked")
  private CallResult callDag(Invocation inv, String name, List<Object> args, long remaining) {
    Map<String, List<Object>> argMap = new HashMap<>();
    if (args.size() == 1 && args.get(0) instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getValue() instanceof List<?> l)) {
          throw CloudburstException.badRequest("to call DAG '" + name + "', pass one dict of argument lists by function name");
        }
        argMap.put(String.valueOf(e.getKey()), (List<Object>) l);
      }
    } else if (!args.isEmpty()) {
      throw CloudburstException.badRequest("to call DAG '" + name + "', pass one dict of argument lists by function name");
    }
    try {
      return await(SchedulerRequest.InvokeDag.builder(name).args(argMap).timeoutMs(remaining)
          .caller(inv.callId(), inv.depth() + 1).build(), remaining);
    } catch (CloudburstException e) {
      if (e.code() == ErrorCode.DAG_NOT_FOUND) {
        throw CloudburstException.notFound(ErrorCode.FUNC_NOT_FOUND, "no function or DAG named '" + name + "'");
      }
      throw e;
    }
  }

  private CallResult await(SchedulerRequest req, long remaining) {
    long budget = remaining + CALL_MARGIN_MS;
    var f = vertx.eventBus().<SchedulerReply>request(Addresses.SCHEDULER, req, new DeliveryOptions().setSendTimeout(budget));
    return (CallResult) awaitBody(f, budget, "the nested call");
  }

  /** Blocks a worker thread (never an event loop) for a bus reply, at most {@code budgetMs}. */
  private static <T> T awaitBody(Future<Message<T>> f, long budgetMs, String what) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(budgetMs, TimeUnit.MILLISECONDS).body();
    } catch (ExecutionException e) {
      throw CloudburstException.from(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw CloudburstException.timeout(what + " did not answer within " + budgetMs + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CloudburstException.timeout(what + " was interrupted");
    }
  }

  @Override
  public void send(Invocation inv, String dest, byte[] data) {
    DagRun run = inv.dag();
    if (run == null) {
      throw CloudburstException.badRequest("send works only between functions of the same DAG call; this is a single-function call");
    }
    DagSchedule s = run.schedule();
    String prefix = s.callId() + "/";
    String fn = dest != null && dest.startsWith(prefix) ? dest.substring(prefix.length()) : null;
    String where = fn == null ? null : s.placement().get(fn);
    if (where == null) {
      throw CloudburstException.badRequest("send: '" + dest + "' is not an invocation of this DAG call");
    }
    long budget = Math.min(DIRECT_TIMEOUT_MS, inv.remainingMs());
    if (budget <= 0) {
      throw CloudburstException.timeout("the call's deadline passed");
    }
    var delivered = vertx.eventBus().request(where, new Direct(s.callId(), dest, inv.invocationId(), data),
        new DeliveryOptions().setSendTimeout(budget));
    try {
      awaitBody(delivered, budget, "the destination's executor");
    } catch (CloudburstException unreachable) {
      // Not reachable directly (its executor is gone or does not answer): leave the message in
      // the destination's mailbox in the store, where its recv() looks too.
      Map<String, Object> letter = new LinkedHashMap<>();
      letter.put("from", inv.invocationId());
      letter.put("data", new Bytes(data));
      letter.put("nonce", java.util.UUID.randomUUID().toString());
      Lattice l = Lattices.write(null, LatticeKind.SET, java.util.Collections.unmodifiableMap(letter), options.nodeId(),
          System.currentTimeMillis());
      long left = Math.max(1, inv.remainingMs());
      awaitBody(vertx.eventBus().request(Addresses.KVS, new KvsRequest.Put(mailboxKey(dest), l, null),
          new DeliveryOptions().setSendTimeout(Math.min(STATE_TIMEOUT_MS, left))), Math.min(STATE_TIMEOUT_MS, left), "the store");
    }
  }

  /** The store key of an invocation's fallback mailbox. */
  static String mailboxKey(String invocationId) {
    return Keys.system("mailbox", invocationId);
  }

  @Override
  public List<Object> recv(Invocation inv) {
    if (inv.dag() == null) {
      throw CloudburstException.badRequest("recv works only inside a DAG call; this is a single-function call");
    }
    var q = mailboxes.computeIfAbsent(inv.invocationId(), k -> new java.util.concurrent.LinkedBlockingQueue<>());
    List<Object> out = new ArrayList<>();
    q.drainTo(out);
    out.addAll(storeMailbox(inv));
    if (out.isEmpty()) {
      // Nothing yet: wait a moment, so a guest polling recv() in a loop does not spin a core.
      try {
        List<Object> first = q.poll(RECV_WAIT_MS, TimeUnit.MILLISECONDS);
        if (first != null) {
          out.add(first);
          q.drainTo(out);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return out;
  }

  /**
   * The letters left in the invocation's mailbox in the store that it has not received yet. The
   * store is asked at most every {@link #MAILBOX_POLL_MS} per invocation (recv is often polled in
   * a loop).
   */
  private List<Object> storeMailbox(Invocation inv) {
    MailboxSeen seen = mailboxSeen.computeIfAbsent(inv.invocationId(), k -> new MailboxSeen());
    long now = System.nanoTime();
    synchronized (seen) {
      if (now - seen.lastPoll < TimeUnit.MILLISECONDS.toNanos(MAILBOX_POLL_MS)) {
        return List.of();
      }
      seen.lastPoll = now;
    }
    long budget = Math.min(STATE_TIMEOUT_MS, inv.remainingMs());
    if (budget <= 0) {
      return List.of();
    }
    KvsReply.Found found = (KvsReply.Found) awaitBody(vertx.eventBus().<KvsReply>request(Addresses.KVS,
        new KvsRequest.Get(mailboxKey(inv.invocationId()), null), new DeliveryOptions().setSendTimeout(budget)), budget, "the store");
    if (!(found.value() instanceof List<?> letters)) {
      return List.of();
    }
    List<Object> out = new ArrayList<>();
    synchronized (seen) {
      for (Object o : letters) {
        if (o instanceof Map<?, ?> letter && seen.nonces.add(String.valueOf(letter.get("nonce")))) {
          out.add(List.of(String.valueOf(letter.get("from")), letter.get("data")));
        }
      }
    }
    return out;
  }

  /** Which store letters an invocation has received, and when it last looked. */
  private static final class MailboxSeen {
    final java.util.Set<String> nonces = new java.util.HashSet<>();
    long lastPoll = Long.MIN_VALUE / 2;

    synchronized boolean foundAny() {
      return !nonces.isEmpty();
    }
  }
}
