package io.cloudburst.runtime.impl;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closes cancelled contexts off the thread that cancelled them. {@code Context.close(true)} waits
 * for every thread in the context to leave it, and a guest can keep a thread from leaving; the
 * watchdog (which also runs the heap guard) must never wait for that. Each close runs on its own
 * daemon thread, at most {@code maxClosing} at once; a context that cannot get a closing thread is
 * abandoned (never pooled again, counted) instead of queueing behind a close that may never end.
 */
final class Reaper {
  private static final System.Logger log = System.getLogger(Reaper.class.getName());

  /** The least number of closes that may run at once (each may be stuck for good). */
  static final int MAX_CLOSING = 4;

  private final String name;
  private final AtomicInteger closing = new AtomicInteger();
  private final AtomicLong abandoned = new AtomicLong();

  private final int maxClosing;

  Reaper(String name) {
    this(name, MAX_CLOSING);
  }

  /**
   * @param maxClosing closes that may run at once: an abandoned context is never cancelled, so this
   *     should cover every call that can be stuck at once (each holds a worker thread)
   */
  Reaper(String name, int maxClosing) {
    this.name = name;
    this.maxClosing = Math.max(MAX_CLOSING, maxClosing);
  }

  /**
   * Starts {@code close} on a closing thread and returns at once; false when the context was
   * abandoned instead.
   */
  boolean close(Runnable close) {
    if (closing.incrementAndGet() > maxClosing) {
      closing.decrementAndGet();
      long n = abandoned.incrementAndGet();
      log.log(
          System.Logger.Level.WARNING,
          name
              + ": "
              + maxClosing
              + " context closes are still running; a cancelled context"
              + " is abandoned unclosed ("
              + n
              + " so far)");
      return false;
    }
    Thread t =
        new Thread(
            () -> {
              try {
                close.run();
              } catch (RuntimeException e) {
                // already closed, or the close failed: the context is dead either way
              } finally {
                closing.decrementAndGet();
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return true;
  }

  /** Closes still running (stuck ones included). */
  int closing() {
    return closing.get();
  }

  /** Contexts given up without a close. */
  long abandoned() {
    return abandoned.get();
  }

  /**
   * Runs every close on its own daemon thread and waits for them at most {@code waitMs} in all;
   * false when some did not finish (they go on in the background). For shutdown, which must end.
   */
  static boolean closeAll(String name, List<Runnable> closes, long waitMs) {
    CountDownLatch done = new CountDownLatch(closes.size());
    for (Runnable c : closes) {
      Thread t =
          new Thread(
              () -> {
                try {
                  c.run();
                } catch (RuntimeException e) {
                  // already closed
                } finally {
                  done.countDown();
                }
              },
              name);
      t.setDaemon(true);
      t.start();
    }
    try {
      return done.await(waitMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
