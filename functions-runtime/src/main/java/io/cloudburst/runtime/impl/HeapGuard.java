package io.cloudburst.runtime.impl;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM-wide memory guard for guest code. The Community sandbox has no per-context heap limit, so
 * a guest that hoards memory fills the node's heap, and the {@code OutOfMemoryError} can hit any
 * thread (an event loop, the watchdog) before the guest's own allocation fails. The guard watches
 * the old generation after each collection (live data, not garbage): when it holds more than {@code
 * -Dcloudburst.heapGuard} (default 0.75) of its maximum, the watchdogs stop one running call per
 * collection, until the heap is below the mark again: the call whose thread allocated the most
 * since it started, and only if that is at least {@link #MIN_ALLOCATED_BYTES}. That call fails with
 * {@code EXECUTION_ERROR} "MemoryError", as if its own allocation had failed.
 *
 * <p>Why the allocation test: G1 refreshes the old generation's after-collection figure only on
 * mixed and full collections (and a mixed one still counts the garbage of old regions it did not
 * collect), so after a hoarding guest is stopped the figure can stay high for a while. Stopping
 * "the longest-running call" on it stopped innocent calls (a sleeping function, a runaway loop) one
 * per young collection; a call that allocated little cannot be what fills the heap. After a stop
 * the guard also waits {@link #GRACE_NANOS} for the stopped guest's context to be closed. For the
 * same reason the pool's current use must be over the mark too: once a hoarder's memory is freed
 * (its humongous arrays go at the next young collection) the stale figure alone no longer counts.
 */
final class HeapGuard {
  /** After a stop, how long the guard waits before it looks again (500 ms). */
  private static final long GRACE_NANOS = 500_000_000L;

  /** The least a call must have allocated since it started to be stopped by the guard (64 MiB). */
  static final long MIN_ALLOCATED_BYTES = 64L << 20;

  private static final com.sun.management.ThreadMXBean THREADS = threads();

  static final HeapGuard INSTANCE =
      new HeapGuard(Double.parseDouble(System.getProperty("cloudburst.heapGuard", "0.75")));

  private final double limit;
  private final List<MemoryPoolMXBean> oldPools = new ArrayList<>();
  private final List<GarbageCollectorMXBean> collectors =
      ManagementFactory.getGarbageCollectorMXBeans();

  /** Guarded by this: the collection count and time of the last stop. */
  private long stoppedCount = -1;

  private long stoppedAt = System.nanoTime() - GRACE_NANOS;

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
   * True (for one caller per collection) when the old generation held more than the limit after its
   * latest collection: that caller stops one call, chosen with {@link #allocatedSince}.
   */
  boolean shouldStopOne() {
    if (limit <= 0 || limit >= 1 || oldPools.isEmpty()) {
      return false;
    }
    boolean high = false;
    for (MemoryPoolMXBean p : oldPools) {
      MemoryUsage u = p.getCollectionUsage();
      MemoryUsage current = p.getUsage();
      if (u != null && over(u.getUsed(), current.getUsed(), current.getMax(), limit)) {
        high = true;
      }
    }
    if (!high) {
      return false;
    }
    long count = collections();
    synchronized (this) {
      long now = System.nanoTime();
      if (count == stoppedCount || now - stoppedAt < GRACE_NANOS) {
        return false;
      }
      stoppedCount = count;
      stoppedAt = now;
      return true;
    }
  }

  /**
   * Whether an old-generation pool counts as nearly full: both its after-collection use and its
   * current use over {@code limit} of {@code max}. The first alone can stay stale long after a
   * hoarder was stopped and its memory freed, and a call that then imports a large module must not
   * be taken for the hoarder; current use counts live data and garbage, so it is never below a live
   * hoard.
   */
  static boolean over(long afterCollection, long current, long max, double limit) {
    return max > 0 && afterCollection > limit * max && current > limit * max;
  }

  private long collections() {
    long count = 0;
    for (GarbageCollectorMXBean c : collectors) {
      count += Math.max(0, c.getCollectionCount());
    }
    return count;
  }

  private static com.sun.management.ThreadMXBean threads() {
    try {
      if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean b
          && b.isThreadAllocatedMemorySupported()) {
        b.setThreadAllocatedMemoryEnabled(true);
        return b;
      }
    } catch (RuntimeException e) {
      // not measurable here: every call counts as a heavy allocator
    }
    return null;
  }

  /** Bytes the current thread allocated so far (-1 when not measurable). */
  static long allocatedNow() {
    return THREADS == null ? -1 : THREADS.getCurrentThreadAllocatedBytes();
  }

  /**
   * Bytes {@code worker} allocated since it read {@code start} with {@link #allocatedNow} (its
   * call's start); {@link Long#MAX_VALUE} when not measurable, so the choice falls back to age.
   */
  static long allocatedSince(Thread worker, long start) {
    if (THREADS == null || start < 0) {
      return Long.MAX_VALUE;
    }
    long now = THREADS.getThreadAllocatedBytes(worker.threadId());
    return now < 0 ? Long.MAX_VALUE : now - start;
  }
}
