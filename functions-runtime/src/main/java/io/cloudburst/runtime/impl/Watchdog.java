package io.cloudburst.runtime.impl;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Enforces per-call time limits in both runtime modes: each running call is armed with a deadline;
 * a single thread looks at the armed calls every {@link #TICK_MS} ms and cancels an overdue one by
 * closing its context ({@code Context.close(true)} stops a runaway loop within milliseconds). The
 * context is then discarded, never pooled again. The close runs on a {@link Reaper} thread, never
 * on this one: a close waits for the guest to leave the context, and one guest that does not must
 * not disable the limits of all the others.
 *
 * <p>Arming and disarming are a set insert and remove (no timer scheduling on the call path), at
 * the price of up to one tick of lateness. The same thread enforces the {@link HeapGuard}.
 *
 * <p>Cancelling never waits for the guest: whoever waits for the call is answered from the cancel
 * itself (the ticket's {@code onCancel}), and a worker that has not come back from a cancelled call
 * within {@link #STUCK_MS} is reported to {@code onStuck} (the worker pool replaces it, so the
 * executor keeps its capacity) and counted.
 *
 * <p>The thread ticks only while calls run and for {@link #LINGER_MS} after the last one was armed;
 * then it sleeps until the next call is armed, which wakes it. An idle executor so costs no
 * wake-ups, and calls that follow each other closely never pay for waking the watchdog.
 */
public final class Watchdog implements AutoCloseable {
  static final long TICK_MS = 5;

  /** How long the thread keeps ticking after the last call was armed, before it sleeps. */
  static final long LINGER_MS = 2_000;

  /** How long a worker may take to come back from a cancelled call before it counts as stuck. */
  static final long STUCK_MS = 1_000;

  /** Frames of a stuck worker's stack that are logged. */
  private static final int STACK_LOGGED = 40;

  private static final System.Logger log = System.getLogger(Watchdog.class.getName());

  private final Set<Ticket> armed = ConcurrentHashMap.newKeySet();

  /** Cancelled calls whose worker has not come back yet (only touched by the watchdog thread). */
  private final Set<Ticket> cancelled = new java.util.HashSet<>();

  private final java.util.function.Predicate<Thread> onStuck;
  private final AtomicLong stuck = new AtomicLong();
  private final AtomicLong cancels = new AtomicLong();
  private final Reaper reaper;
  private final Thread thread;
  private volatile boolean closed;

  /** True while the thread sleeps until a call is armed. */
  private volatile boolean asleep;

  private volatile long lastArmedNanos = System.nanoTime();

  /** A watchdog that only counts stuck workers. */
  public Watchdog() {
    this(w -> false, Reaper.MAX_CLOSING);
  }

  /**
   * @param onStuck told (on the watchdog thread; must not block) of each worker stuck in a
   *     cancelled call; answers whether the worker was replaced
   * @param maxClosing how many cancelled contexts may be closing at once (a close waits for its
   *     guest to leave): at least as many calls as can be stuck at once
   */
  public Watchdog(java.util.function.Predicate<Thread> onStuck, int maxClosing) {
    this.onStuck = onStuck;
    this.reaper = new Reaper("cloudburst-reaper", maxClosing);
    thread = new Thread(this::loop, "cloudburst-watchdog");
    thread.setDaemon(true);
    thread.start();
  }

  /** What a cancel tells the caller: whether it was the heap guard's (else the deadline's). */
  interface OnCancel {
    void cancelled(boolean memory);
  }

  /**
   * One armed deadline, armed on the worker thread that runs the call. {@code done} is guarded by
   * the context's lock.
   */
  static final class Ticket {
    final GuestContext context;
    final long deadlineNanos;
    final long armedNanos = System.nanoTime();
    final Thread worker = Thread.currentThread();
    final long allocatedAtArm = HeapGuard.allocatedNow();
    final OnCancel onCancel;
    boolean done;

    /** Set by the worker when it is back from the call (after {@code done}). */
    volatile boolean returned;

    long cancelledNanos;

    Ticket(GuestContext context, long deadlineNanos, OnCancel onCancel) {
      this.context = context;
      this.deadlineNanos = deadlineNanos;
      this.onCancel = onCancel;
    }
  }

  Ticket arm(GuestContext c, long timeoutMs, OnCancel onCancel) {
    c.started();
    Ticket t =
        new Ticket(
            c, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, timeoutMs)), onCancel);
    armed.add(t);
    lastArmedNanos = t.armedNanos;
    if (asleep) {
      LockSupport.unpark(thread);
    }
    return t;
  }

  void disarm(Ticket t) {
    armed.remove(t);
  }

  private void cancel(Ticket t, boolean memory, long now) {
    if (t.context.cancel(t, memory, reaper)) {
      cancels.incrementAndGet();
      t.cancelledNanos = now;
      cancelled.add(t);
      try {
        t.onCancel.cancelled(memory);
      } catch (RuntimeException e) {
        log.log(System.Logger.Level.ERROR, "answering a cancelled call failed", e);
      }
    }
  }

  /** Reports the workers that have not come back from a cancelled call within {@link #STUCK_MS}. */
  private void lookForStuck(long now) {
    for (var it = cancelled.iterator(); it.hasNext(); ) {
      Ticket t = it.next();
      if (t.returned) {
        it.remove();
      } else if (now - t.cancelledNanos > TimeUnit.MILLISECONDS.toNanos(STUCK_MS)) {
        it.remove();
        long n = stuck.incrementAndGet();
        var f = t.context.function();
        StringBuilder where = new StringBuilder();
        StackTraceElement[] stack = t.worker.getStackTrace();
        for (int i = 0; i < Math.min(STACK_LOGGED, stack.length); i++) {
          where.append("\n\tat ").append(stack[i]);
        }
        boolean replaced = false;
        try {
          replaced = onStuck.test(t.worker);
        } catch (RuntimeException e) {
          log.log(System.Logger.Level.ERROR, "replacing a stuck worker failed", e);
        }
        log.log(
            System.Logger.Level.WARNING,
            "worker "
                + t.worker.getName()
                + " has not come back "
                + STUCK_MS
                + " ms after its call of '"
                + (f == null ? "?" : f.name())
                + "' was cancelled; "
                + (replaced
                    ? "it is replaced"
                    : "it is not replaced (too many stuck: the executor has fewer workers until they end)")
                + " ("
                + n
                + " stuck so far)"
                + where);
      }
    }
  }

  private void loop() {
    while (!closed) {
      if (armed.isEmpty()
          && cancelled.isEmpty()
          && System.nanoTime() - lastArmedNanos > TimeUnit.MILLISECONDS.toNanos(LINGER_MS)) {
        asleep = true;
        // A call armed after the look above but before asleep was set would not unpark: look again.
        if (armed.isEmpty() && !closed) {
          LockSupport.park(this);
        }
        asleep = false;
        continue;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MS));
      long now = System.nanoTime();
      for (Ticket t : armed) {
        if (now - t.deadlineNanos >= 0 && armed.remove(t)) {
          cancel(t, false, now);
        }
      }
      lookForStuck(now);
      if (!armed.isEmpty() && HeapGuard.INSTANCE.shouldStopOne()) {
        // The heap is nearly full of live data: stop the call that allocated the most (the oldest
        // of equals), if it allocated enough to be the cause.
        Ticket heaviest = null;
        long most = -1;
        for (Ticket t : armed) {
          long bytes = HeapGuard.allocatedSince(t.worker, t.allocatedAtArm);
          if (bytes > most || (bytes == most && t.armedNanos - heaviest.armedNanos < 0)) {
            heaviest = t;
            most = bytes;
          }
        }
        if (heaviest != null && most >= HeapGuard.MIN_ALLOCATED_BYTES && armed.remove(heaviest)) {
          cancel(heaviest, true, now);
        }
      }
    }
  }

  /** Calls cancelled so far (deadline or heap guard). */
  public long cancelled() {
    return cancels.get();
  }

  /** Workers that did not come back within {@link #STUCK_MS} of their call's cancel. */
  public long stuck() {
    return stuck.get();
  }

  /** Closes of cancelled contexts still running (stuck ones included). */
  public int closing() {
    return reaper.closing();
  }

  /** Cancelled contexts given up without a close (too many closes were stuck). */
  public long abandoned() {
    return reaper.abandoned();
  }

  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(thread);
  }
}
