package io.cloudburst.bus.lattice;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Multi-key causal consistency: like {@link CausalLattice}, and each version also records its
 * dependencies, the versions (vector clocks) of other keys that its writer had read. A cache may
 * serve a version only once it holds those dependencies at least as new; this lattice carries them,
 * the session logic that checks them lives with the caches and executors.
 *
 * @param versions the concurrent versions (none dominated by another), in canonical order
 */
public record MultiKeyCausalLattice(List<Version> versions) implements Lattice {

  /**
   * One write: its clock, its dependencies and its value.
   *
   * @param clock the write's vector clock
   * @param dependencies the clock of each other key the write depends on
   * @param value the user value
   */
  public record Version(VectorClock clock, Map<String, VectorClock> dependencies, Object value) {
    public Version {
      Objects.requireNonNull(clock, "clock");
      dependencies =
          dependencies == null
              ? Map.of()
              : Collections.unmodifiableMap(new TreeMap<>(dependencies));
    }
  }

  public MultiKeyCausalLattice {
    versions =
        Lattices.maximal(
            versions == null ? List.of() : versions,
            Version::clock,
            v -> {
              LatticeCodec.Out out = new LatticeCodec.Out();
              out.counts(v.clock().entries());
              out.unsigned(v.dependencies().size());
              v.dependencies()
                  .forEach(
                      (k, c) -> {
                        out.string(k);
                        out.counts(c.entries());
                      });
              out.value(v.value(), true);
              return out.toByteArray();
            });
  }

  /** One version: {@code value} written at {@code clock} after reading {@code dependencies}. */
  public static MultiKeyCausalLattice of(
      VectorClock clock, Map<String, VectorClock> dependencies, Object value) {
    return new MultiKeyCausalLattice(List.of(new Version(clock, dependencies, value)));
  }

  /**
   * The state that a write at {@code nodeId}, having seen this state and {@code dependencies},
   * makes.
   */
  public MultiKeyCausalLattice write(
      String nodeId, Map<String, VectorClock> dependencies, Object value) {
    return of(clock().increment(nodeId), dependencies, value);
  }

  /** The join of every version's clock. */
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

  /** The dependencies of every version, joined per key. */
  public Map<String, VectorClock> dependencies() {
    TreeMap<String, VectorClock> deps = new TreeMap<>();
    for (Version v : versions) {
      v.dependencies().forEach((k, c) -> deps.merge(k, c, VectorClock::merge));
    }
    return Collections.unmodifiableMap(deps);
  }

  /** The concurrent values, in canonical order. */
  public List<Object> values() {
    List<Object> out = new ArrayList<>(versions.size());
    for (Version v : versions) {
      out.add(v.value());
    }
    return Collections.unmodifiableList(out);
  }

  @Override
  public LatticeKind kind() {
    return LatticeKind.MULTI_CAUSAL;
  }

  @Override
  public MultiKeyCausalLattice merge(Lattice other) {
    MultiKeyCausalLattice o = Lattices.sameKind(this, other, MultiKeyCausalLattice.class);
    List<Version> all = new ArrayList<>(versions);
    all.addAll(o.versions);
    return new MultiKeyCausalLattice(all);
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
