package io.cloudburst.runtime.impl;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Enforces per-call time limits in both runtime modes: each running call is armed with a
 * deadline; a single thread looks at the armed calls every {@link #TICK_MS} ms and cancels an
 * overdue one by closing its context ({@code Context.close(true)} stops a runaway loop within
 * milliseconds). The context is then discarded, never pooled again. The close runs on a
 * {@link Reaper} thread, never on this one: a close waits for the guest to leave the context, and
 * one guest that does not must not disable the limits of all the others.
 *
 * <p>Arming and disarming are a set insert and remove (no timer scheduling on the call path),
 * at the price of up to one tick of lateness. The same thread enforces the {@link HeapGuard}.
 *
 * <p>The thread ticks only while calls run and for {@link #LINGER_MS} after the last one was
 * armed; then it sleeps until the next call is armed, which wakes it. An idle executor so costs
 * no wake-ups, and calls that follow each other closely never pay for waking the watchdog.
 */
public final class Watchdog implements AutoCloseable {
  static final long TICK_MS = 5;
  /** How long the thread keeps ticking after the last call was armed, before it sleeps. */
  static final long LINGER_MS = 2_000;

  private final Set<Ticket> armed = ConcurrentHashMap.newKeySet();
  private final Reaper reaper = new Reaper("cloudburst-reaper");
  private final Thread thread;
  private volatile boolean closed;
  /** True while the thread sleeps until a call is armed. */
  private volatile boolean asleep;
  private volatile long lastArmedNanos = System.nanoTime();

  public Watchdog() {
    thread = new Thread(this::loop, "cloudburst-watchdog");
    thread.setDaemon(true);
    thread.start();
  }

  /** One armed deadline. {@code done} is guarded by the context's lock. */
  static final class Ticket {
    final GuestContext context;
    final long deadlineNanos;
    final long armedNanos = System.nanoTime();
    boolean done;

    Ticket(GuestContext context, long deadlineNanos) {
      this.context = context;
      this.deadlineNanos = deadlineNanos;
    }
  }

  Ticket arm(GuestContext c, long timeoutMs) {
    c.started();
    Ticket t = new Ticket(c, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, timeoutMs)));
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

  private void loop() {
    while (!closed) {
      if (armed.isEmpty() && System.nanoTime() - lastArmedNanos > TimeUnit.MILLISECONDS.toNanos(LINGER_MS)) {
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
          t.context.cancel(t, false, reaper);
        }
      }
      if (!armed.isEmpty() && HeapGuard.INSTANCE.shouldStopOne()) {
        Ticket oldest = null;
        for (Ticket t : armed) {
          if (oldest == null || t.armedNanos - oldest.armedNanos < 0) {
            oldest = t;
          }
        }
        if (oldest != null && armed.remove(oldest)) {
          oldest.context.cancel(oldest, true, reaper); // the heap is nearly full of live data: stop the longest-running call
        }
      }
    }
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
