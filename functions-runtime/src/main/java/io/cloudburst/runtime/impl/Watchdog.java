package io.cloudburst.runtime.impl;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Enforces per-call time limits in both runtime modes: each running call is armed with a timer
 * that, on expiry, cancels it by closing its context ({@code Context.close(true)} stops a
 * runaway loop within milliseconds). The context is then discarded, never pooled again.
 */
public final class Watchdog implements AutoCloseable {
  private final ScheduledThreadPoolExecutor timer;

  public Watchdog() {
    timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "cloudburst-watchdog");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
  }

  /** One armed deadline. {@code done} is guarded by the context's lock. */
  static final class Ticket {
    boolean done;
    private volatile ScheduledFuture<?> future;

    void disarm() {
      ScheduledFuture<?> f = future;
      if (f != null) {
        f.cancel(false);
      }
    }
  }

  Ticket arm(GuestContext c, long timeoutMs) {
    c.started();
    Ticket t = new Ticket();
    t.future = timer.schedule(() -> c.cancel(t), Math.max(1, timeoutMs), TimeUnit.MILLISECONDS);
    return t;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
