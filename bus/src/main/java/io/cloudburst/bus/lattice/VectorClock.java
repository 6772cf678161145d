package io.cloudburst.bus.lattice;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A vector clock: a count of events per node id. Immutable; entries are kept sorted by node id and
 * zero entries are dropped, so equal clocks are equal records. Clocks are partially ordered: one
 * {@link #dominates} another when it is at least as large at every node.
 *
 * @param entries count per node id (non-negative)
 */
public record VectorClock(Map<String, Long> entries) {
  private static final VectorClock EMPTY = new VectorClock(Map.of());

  /** How two clocks relate. */
  public enum Order {
    /** Same counts everywhere. */
    EQUAL,
    /** This clock happened before the other (the other dominates it strictly). */
    BEFORE,
    /** This clock happened after the other (it dominates the other strictly). */
    AFTER,
    /** Neither dominates: the events are concurrent. */
    CONCURRENT
  }

  public VectorClock {
    TreeMap<String, Long> sorted = new TreeMap<>();
    if (entries != null) {
      entries.forEach(
          (node, count) -> {
            if (node == null || count == null || count < 0) {
              throw new IllegalArgumentException(
                  "vector clock entries need a node id and a count >= 0: " + node + "=" + count);
            }
            if (count > 0) {
              sorted.put(node, count);
            }
          });
    }
    entries = Collections.unmodifiableMap(sorted);
  }

  /** The clock with no events. */
  public static VectorClock empty() {
    return EMPTY;
  }

  /** A clock with one node's count. */
  public static VectorClock of(String nodeId, long count) {
    return new VectorClock(Map.of(nodeId, count));
  }

  /** The count of {@code nodeId} (0 when absent). */
  public long get(String nodeId) {
    return entries.getOrDefault(nodeId, 0L);
  }

  /** This clock with {@code nodeId}'s count one higher: the clock of a new event at that node. */
  public VectorClock increment(String nodeId) {
    TreeMap<String, Long> m = new TreeMap<>(entries);
    m.merge(nodeId, 1L, Long::sum);
    return new VectorClock(m);
  }

  /** The pointwise maximum of both clocks. */
  public VectorClock merge(VectorClock other) {
    TreeMap<String, Long> m = new TreeMap<>(entries);
    other.entries.forEach((node, count) -> m.merge(node, count, Math::max));
    return new VectorClock(m);
  }

  /** True when this clock is at least as large as {@code other} at every node. */
  public boolean dominates(VectorClock other) {
    for (Map.Entry<String, Long> e : other.entries.entrySet()) {
      if (get(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** How this clock relates to {@code other}. */
  public Order compare(VectorClock other) {
    boolean ge = dominates(other);
    boolean le = other.dominates(this);
    if (ge && le) {
      return Order.EQUAL;
    }
    if (ge) {
      return Order.AFTER;
    }
    return le ? Order.BEFORE : Order.CONCURRENT;
  }
}
