package io.cloudburst.bus.lattice;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A grow-only counter (G-counter): one count per node id, merged by taking each node's maximum,
 * read as the sum. What it offers: increments from any number of nodes that are never lost or
 * double-counted, however often or in whatever order states are merged. What it does not: no
 * decrements, and each node must increment only its own entry, starting from the newest state it
 * has (two writers sharing a node id, each incrementing from a stale state, lose increments). On a
 * node, the cache is that single writer ({@link Lattices#write}). A counter that atomic calls
 * incremented (each under its own entry) also carries its most recent writers ({@link
 * RecentWriters}, joined on merge) for the read-atomic rule: an ordered, bounded list, which the
 * entries are not. They are not part of the value.
 *
 * @param counts count per node id (non-negative; zero entries dropped)
 * @param writers the most recent atomic calls that incremented it (none when no atomic call did)
 */
public record CounterLattice(Map<String, Long> counts, RecentWriters writers) implements Lattice {
  public CounterLattice {
    counts = new VectorClock(counts).entries();
    writers = writers == null ? RecentWriters.none() : writers;
  }

  /** A counter of {@code counts}, incremented by no atomic call. */
  public CounterLattice(Map<String, Long> counts) {
    this(counts, RecentWriters.none());
  }

  /** A counter whose only entry is {@code nodeId} at {@code count}. */
  public static CounterLattice of(String nodeId, long count) {
    return new CounterLattice(Map.of(nodeId, count));
  }

  /**
   * This counter with {@code nodeId}'s entry raised by {@code delta}.
   *
   * @throws IllegalArgumentException for a negative delta
   */
  public CounterLattice increment(String nodeId, long delta) {
    if (delta < 0) {
      throw new IllegalArgumentException("a counter only grows; cannot add " + delta);
    }
    TreeMap<String, Long> m = new TreeMap<>(counts);
    m.merge(nodeId, delta, Math::addExact);
    return new CounterLattice(m, writers);
  }

  /** This counter with transaction {@code txn}, writing at {@code timestamp}, among its writers. */
  public CounterLattice withWriter(String txn, long timestamp) {
    return new CounterLattice(counts, writers.join(RecentWriters.of(txn, timestamp)));
  }

  @Override
  public LatticeKind kind() {
    return LatticeKind.COUNTER;
  }

  @Override
  public CounterLattice merge(Lattice other) {
    CounterLattice o = Lattices.sameKind(this, other, CounterLattice.class);
    TreeMap<String, Long> m = new TreeMap<>(counts);
    o.counts.forEach((node, c) -> m.merge(node, c, Math::max));
    return new CounterLattice(Collections.unmodifiableMap(m), writers.join(o.writers));
  }

  /** The total over all nodes. */
  @Override
  public Long value() {
    long sum = 0;
    for (long c : counts.values()) {
      sum = Math.addExact(sum, c);
    }
    return sum;
  }
}
