package io.cloudburst.scheduler.impl;

/** One-shot timers on the scheduler's event loop. */
public interface Timers {
  /** Runs {@code task} once after {@code delayMs}; returns the timer's id. */
  long after(long delayMs, Runnable task);

  /** Cancels a timer that has not fired (an unknown id is ignored). */
  void cancel(long id);
}
