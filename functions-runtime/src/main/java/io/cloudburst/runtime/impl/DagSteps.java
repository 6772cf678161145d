package io.cloudburst.runtime.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Consistency;
import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.DagEvent;
import io.cloudburst.bus.msg.DagSchedule;
import io.cloudburst.bus.msg.ExecutorRequest.Trigger;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.session.Session;
import io.cloudburst.bus.txn.ReadAtomic;
import io.cloudburst.bus.txn.WriteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The executor's share of DAG calls: starts the steps placed here once their upstream results have
 * arrived, runs them on workers, and passes each result on (triggers to downstream executors; the
 * sinks' results and any failure to the call's completion address). Keeps the triggers that arrive
 * before their schedule for {@link #EARLY_KEEP_MS}.
 *
 * <p>Confined to the executor's event loop: every method is called there, and workers hand their
 * results back through {@link Port#onContext}.
 */
public final class DagSteps {
  /** How long triggers for a DAG call this executor has not heard of are kept. */
  static final long EARLY_KEEP_MS = 60_000;

  /** What the steps need of the executor around them. */
  public interface Port {
    /** Queues work for a worker thread; false when the executor is overloaded. */
    boolean submit(Runnable work);

    /** Runs {@code task} on the executor's event loop (from a worker). */
    void onContext(Runnable task);

    /**
     * Runs {@code task} on the executor's event loop after {@code delayMs}; returns the timer's id.
     */
    long timer(long delayMs, Runnable task);

    /** Cancels a timer of {@link #timer} that has not fired. */
    void cancelTimer(long id);

    /** Sends a message (a trigger or a step's completion) without waiting for an answer. */
    void send(String address, Object message);

    /**
     * Runs one function on the current worker thread; failures are results. A call cancelled for
     * its time is also given to {@code cancelled} at once (from another thread; must not block).
     */
    CallResult run(
        String resultId,
        FunctionInfo f,
        List<Object> args,
        Invocation inv,
        Consumer<CallResult> cancelled);

    /** Keeps the versions a session read on this node until {@code expiresAt}. */
    void pin(String session, Map<String, Lattice> versions, long expiresAt);

    /** An invocation's run ended here (its mailbox can go). */
    void ended(String invocationId);
  }

  private final String address;
  private final String nodeId;
  private final Port port;
  private final Map<String, DagRun> runs = new HashMap<>();

  /**
   * The deadline timer of each run here, cancelled when the run ends before it (no timer outlives
   * its call).
   */
  private final Map<String, Long> deadlineTimers = new HashMap<>();

  private final Map<String, List<Trigger>> early = new HashMap<>();
  private final Map<String, Long> earlySeen = new HashMap<>();

  /**
   * @param address this executor's address (its share of a schedule is what is placed there)
   * @param nodeId this executor's node (where its sessions' reads are pinned)
   */
  public DagSteps(String address, String nodeId, Port port) {
    this.address = address;
    this.nodeId = nodeId;
    this.port = port;
  }

  /** DAG calls with steps running or waiting here. */
  public int running() {
    return runs.size();
  }

  /**
   * Starts this executor's share of a schedule (nothing when none is placed here, or it already
   * runs).
   */
  public void run(DagSchedule s) {
    DagRun run = new DagRun(s, address);
    if (run.local().isEmpty() || runs.containsKey(s.callId())) {
      return;
    }
    runs.put(s.callId(), run);
    long timer =
        port.timer(
            Math.max(1, s.remainingMs(System.currentTimeMillis())) + Deadlines.EXECUTOR_MARGIN_MS,
            () -> {
              deadlineTimers.remove(s.callId());
              end(s.callId());
            });
    deadlineTimers.put(s.callId(), timer);
    for (String fn : run.sources()) {
      startStep(run, fn);
    }
    List<Trigger> waiting = early.remove(s.callId());
    earlySeen.remove(s.callId());
    if (waiting != null) {
      waiting.forEach(this::trigger);
    }
  }

  /**
   * An upstream result for one of the steps here; kept for later when its schedule has not arrived
   * yet.
   */
  public void trigger(Trigger t) {
    DagRun run = runs.get(t.callId());
    if (run == null) {
      early.computeIfAbsent(t.callId(), k -> new ArrayList<>()).add(t);
      earlySeen.putIfAbsent(t.callId(), System.currentTimeMillis());
      return;
    }
    if (run.local().contains(t.function())) {
      run.carried(t.function(), t.writes(), t.readBounds());
    }
    if (run.arrive(t.function(), t.from(), t.value(), t.session())) {
      startStep(run, t.function());
    }
  }

  /**
   * Drops early triggers kept longer than {@link #EARLY_KEEP_MS} before {@code now} (epoch millis).
   */
  public void expireEarly(long now) {
    earlySeen
        .entrySet()
        .removeIf(
            e -> {
              if (now - e.getValue() > EARLY_KEEP_MS) {
                early.remove(e.getKey());
                return true;
              }
              return false;
            });
  }

  private void startStep(DagRun run, String fn) {
    if (!run.start(fn)) {
      return;
    }
    DagSchedule s = run.schedule();
    // Repeatable read and causal: the call's session so far, from the upstream triggers; normal
    // mode keeps none.
    SessionState session =
        s.consistency().tracksReads()
            ? new SessionState(
                run.sessionsFor(fn).isEmpty() && s.clientSession() != null
                    ? List.of(s.clientSession())
                    : run.sessionsFor(fn),
                s.callId(),
                s.consistency() == Consistency.CAUSAL,
                nodeId)
            : null;
    Invocation inv;
    try {
      inv = invocation(run, fn, session, run.writesFor(fn), run.boundsFor(fn));
    } catch (CloudburstException e) {
      route(run, fn, CallResult.failed(s.callId(), fn, e, null, address, 0), session, null, null);
      return;
    }
    String next = session == null ? run.chainable(fn) : null;
    // A cancelled step is routed from the cancel, at its deadline; the worker's late result is
    // dropped.
    AtomicBoolean routed = new AtomicBoolean();
    Consumer<CallResult> done =
        r -> {
          if (routed.compareAndSet(false, true)) {
            // The messages leave from the executor's context: a send from a thread without a Vert.x
            // context to another node first makes a context of its own (about a millisecond a hop).
            port.onContext(() -> route(run, fn, r, session, inv, null));
          }
        };
    boolean queued =
        port.submit(
            () -> {
              CallResult r = runOnWorker(s, fn, inv, run.argsFor(fn), done);
              if (next != null
                  && r.status() == CallResult.Status.DONE
                  && routed.compareAndSet(false, true)) {
                chain(run, fn, r, inv, next);
              } else {
                done.accept(r);
              }
            });
    if (!queued) {
      route(
          run,
          fn,
          CallResult.failed(
              s.callId(),
              fn,
              CloudburstException.noResources("executor " + address + " is overloaded"),
              null,
              address,
              0),
          session,
          inv,
          null);
    }
  }

  /**
   * What a step runs with: its invocation, with the write buffer and read bounds its upstreams
   * passed on.
   *
   * @throws CloudburstException when the joined buffers are over their size limit
   */
  private Invocation invocation(
      DagRun run,
      String fn,
      SessionState session,
      List<Map<String, Lattice>> writes,
      List<Map<String, Lattice>> bounds) {
    DagSchedule s = run.schedule();
    ReadAtomic reads = new ReadAtomic();
    bounds.forEach(reads::join);
    WriteBuffer buffer = s.txn() == null ? null : new WriteBuffer();
    if (buffer != null) {
      writes.forEach(buffer::join);
    }
    return new Invocation(
        s.callId(),
        fn,
        s.invocationId(fn),
        s.depth(),
        s.deadline(),
        run,
        session,
        s.txn(),
        buffer,
        reads);
  }

  /**
   * Runs one step on the current worker (a failure, also a deadline already passed, is a result).
   */
  private CallResult runOnWorker(
      DagSchedule s, String fn, Invocation inv, List<Object> args, Consumer<CallResult> done) {
    if (inv.remainingMs() == 0) {
      return CallResult.failed(
          s.callId(),
          fn,
          CloudburstException.timeout("DAG call deadline passed before '" + fn + "' could start"),
          null,
          address,
          0);
    }
    return port.run(s.callId(), s.functions().get(fn), args, inv, done);
  }

  /**
   * Runs {@code next}, the one downstream of {@code fn} and placed here with {@code fn} as its only
   * upstream, on the worker that just ran {@code fn}, then hands both results to the event loop at
   * once: a local chain costs no trigger on the bus and no hand-off from the worker to the loop and
   * back (two thread wake-ups, each tens of microseconds on a virtual machine). Only for calls
   * without a session (normal consistency): a session's read versions must be pinned on the loop
   * before a downstream reads. Runs on the worker: touches no loop state, only the immutable
   * schedule and this step's own invocation.
   */
  private void chain(DagRun run, String fn, CallResult r, Invocation inv, String next) {
    DagSchedule s = run.schedule();
    CallResult passed = r.withBuffer(inv.buffer());
    Map<String, Lattice> bounds = inv.reads().bounds();
    if (passed.status() != CallResult.Status.DONE) {
      // The buffer overflowed: fn fails, and next never starts.
      port.onContext(() -> route(run, fn, r, null, inv, null));
      return;
    }
    Invocation nextInv;
    try {
      nextInv =
          invocation(
              run,
              next,
              null,
              passed.writes() == null ? List.of() : List.of(passed.writes()),
              bounds == null ? List.of() : List.of(bounds));
    } catch (CloudburstException e) {
      CallResult failed = CallResult.failed(s.callId(), next, e, null, address, 0);
      port.onContext(() -> routeChain(run, fn, r, inv, next, failed, null));
      return;
    }
    AtomicBoolean routed = new AtomicBoolean();
    Consumer<CallResult> done =
        rn -> {
          if (routed.compareAndSet(false, true)) {
            port.onContext(() -> routeChain(run, fn, r, inv, next, rn, nextInv));
          }
        };
    List<Object> args = new ArrayList<>(s.args().getOrDefault(next, List.of()));
    args.add(r.result());
    done.accept(runOnWorker(s, next, nextInv, args, done));
  }

  /**
   * On the loop: the results of a chained pair, as if {@code fn}'s trigger had reached {@code next}
   * through the bus.
   */
  private void routeChain(
      DagRun run,
      String fn,
      CallResult r,
      Invocation inv,
      String next,
      CallResult rn,
      Invocation nextInv) {
    route(run, fn, r, null, inv, next);
    run.arrive(next, fn, r.result(), null);
    if (run.start(next)) {
      route(run, next, rn, null, nextInv, null);
    }
  }

  /**
   * Passes a step's result on: to each downstream executor (but {@code chained}, which ran on the
   * same worker), and to the completion address for a sink or a failure.
   */
  private void route(
      DagRun run, String fn, CallResult r, SessionState session, Invocation inv, String chained) {
    DagSchedule s = run.schedule();
    // An atomic call's buffer goes downstream with the triggers and, from a sink, to the scheduler;
    // a failure carries none (the call aborts).
    if (inv != null) {
      r = r.withBuffer(inv.buffer());
    }
    Map<String, Lattice> buffered = r.writes();
    Map<String, Lattice> bounds = inv == null ? null : inv.reads().bounds();
    if (r.status() == CallResult.Status.DONE) {
      Session passed = null;
      if (session != null && !run.downstreams(fn).isEmpty()) {
        // Pin before the triggers leave, so a downstream read of a fixed version finds it here.
        Map<String, Lattice> newlyFixed = session.drainPins();
        if (!newlyFixed.isEmpty()) {
          port.pin(session.id(), newlyFixed, s.deadline() + Deadlines.EXECUTOR_MARGIN_MS);
        }
        passed = session.snapshot();
      }
      for (String d : run.downstreams(fn)) {
        if (d.equals(chained)) {
          continue; // ran on fn's worker (chain)
        }
        port.send(
            s.placement().get(d),
            new Trigger(s.callId(), d, fn, r.result(), passed, buffered, bounds));
      }
    }
    if (r.status() != CallResult.Status.DONE || run.isSink(fn)) {
      // A causal client session continues in the client's next call: the sinks report what it
      // depends on.
      Session carried =
          session != null && s.clientSession() != null && run.isSink(fn)
              ? session.snapshot()
              : null;
      port.send(s.completionAddress(), new DagEvent.StepDone(s.callId(), fn, r, carried));
    }
    if (run.finish(fn)) {
      end(s.callId());
    }
  }

  private void end(String callId) {
    Long timer = deadlineTimers.remove(callId);
    if (timer != null) {
      port.cancelTimer(timer);
    }
    DagRun run = runs.remove(callId);
    if (run != null) {
      for (String fn : run.local()) {
        port.ended(run.schedule().invocationId(fn));
      }
    }
  }
}
