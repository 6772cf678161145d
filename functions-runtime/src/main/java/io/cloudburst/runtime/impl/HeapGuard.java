package io.cloudburst.runtime.impl;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The JVM-wide memory guard for guest code. The Community sandbox has no per-context heap limit, so
 * a guest that hoards memory fills the node's heap, and the {@code OutOfMemoryError} can hit any
 * thread (an event loop, the watchdog) before the guest's own allocation fails. The guard watches
 * the old generation after each collection (live data, not garbage): when it holds more than {@code
 * -Dcloudburst.heapGuard} (default 0.75) of its maximum, the watchdogs stop one running call (the
 * longest-running) per collection, until the heap is below the mark again. That call fails with
 * {@code EXECUTION_ERROR} "MemoryError", as if its own allocation had failed.
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
    long count = 0;
    for (GarbageCollectorMXBean c : collectors) {
      count += Math.max(0, c.getCollectionCount());
    }
    long last = actedAt.get();
    return count != last && actedAt.compareAndSet(last, count);
  }
}
