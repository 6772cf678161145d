package io.cloudburst.runtime.impl;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The JVM-wide memory guard for guest code. The Community sandbox has no per-context heap limit, so
 * a guest that hoards memory fills the node's heap, and the {@code OutOfMemoryError} can hit any
 * thread (an event loop, the watchdog) before the guest's own allocation fails. The guard watches
 * the old generation after each collection (live data, not garbage): when it holds more than {@code
 * -Dcloudburst.heapGuard} (default 0.75) of its maximum, the watchdogs stop one running call (the
 * longest-running) per collection, until the heap is below the mark again. That call fails with
 * {@code EXECUTION_ERROR} "MemoryError", as if its own allocation had failed.
 *
 * <p>Every stop is confirmed by a full collection first: G1 refreshes the old generation's
 * after-collection figure only on mixed and full collections, so a figure left high by a guest
 * stopped earlier (its data now garbage) would otherwise stop innocent calls, one per young
 * collection, for as long as no old collection comes. The confirming collection runs on a thread of
 * its own ({@code cloudburst-heap-check}), never on the watchdog.
 */
final class HeapGuard {
  static final HeapGuard INSTANCE =
      new HeapGuard(Double.parseDouble(System.getProperty("cloudburst.heapGuard", "0.75")));

  private final double limit;
  private final List<MemoryPoolMXBean> oldPools = new ArrayList<>();
  private final List<GarbageCollectorMXBean> collectors =
      ManagementFactory.getGarbageCollectorMXBeans();

  /** The collection count at which a call was last stopped: one call per collection. */
  private final AtomicLong actedAt = new AtomicLong(-1);

  /** The collection count right after the last confirming full collection. */
  private volatile long confirmedAt = -1;

  private final AtomicBoolean confirming = new AtomicBoolean();

  HeapGuard(double limit) {
    this.limit = limit;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      String n = p.getName();
      if (p.getType() == MemoryType.HEAP
          && p.isCollectionUsageThresholdSupported()
          && (n.contains("Old") || n.contains("Tenured"))) {
        oldPools.add(p);
      }
    }
  }

  /**
   * True (for one caller per collection) when the old generation held more than the limit after the
   * latest collection: that caller stops one call.
   */
  boolean shouldStopOne() {
    if (limit <= 0 || limit >= 1 || oldPools.isEmpty()) {
      return false;
    }
    boolean low = false;
    for (MemoryPoolMXBean p : oldPools) {
      MemoryUsage u = p.getCollectionUsage();
      long max = p.getUsage().getMax();
      if (u != null && max > 0 && u.getUsed() > limit * max) {
        low = true;
      }
    }
    if (!low) {
      return false;
    }
    long count = collections();
    if (count != confirmedAt) {
      confirm();
      return false;
    }
    long last = actedAt.get();
    return count != last && actedAt.compareAndSet(last, count);
  }

  private long collections() {
    long count = 0;
    for (GarbageCollectorMXBean c : collectors) {
      count += Math.max(0, c.getCollectionCount());
    }
    return count;
  }

  /** Starts one confirming full collection (at most one at a time) off the calling thread. */
  private void confirm() {
    if (!confirming.compareAndSet(false, true)) {
      return;
    }
    Thread t =
        new Thread(
            () -> {
              try {
                System.gc();
                confirmedAt = collections();
              } finally {
                confirming.set(false);
              }
            },
            "cloudburst-heap-check");
    t.setDaemon(true);
    t.start();
  }
}
