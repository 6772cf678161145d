package io.cloudburst.bus.lattice;

import java.util.Arrays;
import java.util.Objects;

/**
 * Last writer wins: the write with the greater timestamp, then the greater node id, survives. Two
 * writes with the same timestamp and node id (which a correct writer never makes) are ordered by
 * the canonical bytes of their values, so merge stays commutative even then.
 *
 * @param timestamp the write's time (epoch millis by convention; only the order matters)
 * @param nodeId the writer's node id, the tie-break
 * @param value the user value
 */
public record LwwLattice(long timestamp, String nodeId, Object value) implements Lattice {
  public LwwLattice {
    Objects.requireNonNull(nodeId, "nodeId");
  }

  /** A write of {@code value} by {@code nodeId} at {@code timestamp}. */
  public static LwwLattice of(Object value, long timestamp, String nodeId) {
    return new LwwLattice(timestamp, nodeId, value);
  }

  @Override
  public LatticeKind kind() {
    return LatticeKind.LWW;
  }

  @Override
  public LwwLattice merge(Lattice other) {
    LwwLattice o = Lattices.sameKind(this, other, LwwLattice.class);
    return newerThan(o) ? this : o;
  }

  private boolean newerThan(LwwLattice o) {
    if (timestamp != o.timestamp) {
      return timestamp > o.timestamp;
    }
    int byNode = nodeId.compareTo(o.nodeId);
    if (byNode != 0) {
      return byNode > 0;
    }
    return Arrays.compareUnsigned(LatticeCodec.canonical(value), LatticeCodec.canonical(o.value))
        >= 0;
  }
}
