package io.cloudburst.bus.lattice;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Single-key causal consistency: the versions of a key that no other version causally follows. Each
 * version carries the vector clock of its write; a merge keeps the union minus every version whose
 * clock another version's clock strictly dominates. A write that has seen every current version
 * ({@link #write}) therefore replaces them, while writes made concurrently are all kept until a
 * later write resolves them. Keeping versions rather than one clock and a value set is what makes
 * merge associative: a newer version only ever removes the versions it dominates.
 *
 * @param versions the concurrent versions (none dominated by another), in canonical order
 */
public record CausalLattice(List<Version> versions) implements Lattice {

  /**
   * One write: the clock it was made at and its value.
   *
   * @param clock the write's vector clock
   * @param value the user value
   */
  public record Version(VectorClock clock, Object value) {
    public Version {
      Objects.requireNonNull(clock, "clock");
    }
  }

  public CausalLattice {
    versions =
        Lattices.maximal(
            versions == null ? List.of() : versions,
            Version::clock,
            v -> {
              LatticeCodec.Out out = new LatticeCodec.Out();
              out.counts(v.clock().entries());
              out.value(v.value(), true);
              return out.toByteArray();
            });
  }

  /** One version: {@code value} written at {@code clock}. */
  public static CausalLattice of(VectorClock clock, Object value) {
    return new CausalLattice(List.of(new Version(clock, value)));
  }

  /** The state that a write of {@code value} at {@code nodeId}, having seen this state, makes. */
  public CausalLattice write(String nodeId, Object value) {
    return of(clock().increment(nodeId), value);
  }

  /** The join of every version's clock: everything this state has seen. */
  public VectorClock clock() {
    if (versions.size() == 1) {
      return versions.getFirst().clock(); // the common case; sessions ask on every read
    }
    VectorClock c = VectorClock.empty();
    for (Version v : versions) {
      c = c.merge(v.clock());
    }
    return c;
  }

  /** The concurrent values, in canonical order. */
  public List<Object> values() {
    List<Object> out = new ArrayList<>(versions.size());
    for (Version v : versions) {
      out.add(v.value());
    }
    return java.util.Collections.unmodifiableList(out);
  }

  @Override
  public LatticeKind kind() {
    return LatticeKind.CAUSAL;
  }

  @Override
  public CausalLattice merge(Lattice other) {
    CausalLattice o = Lattices.sameKind(this, other, CausalLattice.class);
    List<Version> all = new ArrayList<>(versions);
    all.addAll(o.versions);
    return new CausalLattice(all);
  }

  /**
   * The value when there is one version, the list of concurrent values when several, null when
   * none.
   */
  @Override
  public Object value() {
    return switch (versions.size()) {
      case 0 -> null;
      case 1 -> versions.getFirst().value();
      default -> values();
    };
  }
}
