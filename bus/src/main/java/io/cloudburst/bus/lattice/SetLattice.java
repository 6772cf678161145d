package io.cloudburst.bus.lattice;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;

/**
 * A grow-only set: merge is the union. Members are user values, kept once each (by canonical form,
 * so maps with the same entries in another order are one member) and sorted by their canonical
 * bytes, which gives {@link #value()} a deterministic order on every replica.
 *
 * @param members the members, deduplicated and in canonical order
 */
public record SetLattice(List<Object> members) implements Lattice {
  public SetLattice {
    members = canonicalize(members == null ? List.of() : members);
  }

  /** The set of {@code members}. */
  public static SetLattice of(Collection<?> members) {
    return new SetLattice(new ArrayList<>(members));
  }

  /** The set a user value writes: a list's elements, or any other value as a single member. */
  public static SetLattice ofValue(Object value) {
    return value instanceof List<?> l ? of(l) : of(Collections.singletonList(value));
  }

  @Override
  public LatticeKind kind() {
    return LatticeKind.SET;
  }

  @Override
  public SetLattice merge(Lattice other) {
    SetLattice o = Lattices.sameKind(this, other, SetLattice.class);
    List<Object> all = new ArrayList<>(members.size() + o.members.size());
    all.addAll(members);
    all.addAll(o.members);
    return new SetLattice(all);
  }

  /** The members as a list in canonical order. */
  @Override
  public List<Object> value() {
    return members;
  }

  private static List<Object> canonicalize(List<?> in) {
    TreeMap<LatticeCodec.Key, Object> byCanonical = new TreeMap<>();
    for (Object m : in) {
      byCanonical.putIfAbsent(new LatticeCodec.Key(LatticeCodec.canonical(m)), m);
    }
    // Collections.unmodifiableList keeps null members, which List.copyOf would reject.
    return Collections.unmodifiableList(new ArrayList<>(byCanonical.values()));
  }
}
