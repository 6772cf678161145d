package io.cloudburst.bus.lattice;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;

/**
 * A grow-only set: merge is the union. Members are user values, kept once each (by canonical form,
 * so maps with the same entries in another order are one member) and sorted by their canonical
 * bytes, which gives {@link #value()} a deterministic order on every replica. A set that atomic
 * calls wrote also carries its most recent writers ({@link RecentWriters}, joined on merge), which
 * only the read-atomic rule looks at: they are not part of the value.
 *
 * @param members the members, deduplicated and in canonical order
 * @param writers the most recent atomic calls that wrote the set (none when no atomic call did)
 */
public record SetLattice(List<Object> members, RecentWriters writers) implements Lattice {
  public SetLattice {
    members = canonicalize(members == null ? List.of() : members);
    writers = writers == null ? RecentWriters.none() : writers;
  }

  /** The set of {@code members}, written by no atomic call. */
  public SetLattice(List<Object> members) {
    this(members, RecentWriters.none());
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
    return new SetLattice(all, writers.join(o.writers));
  }

  /** This set with transaction {@code txn}, writing at {@code timestamp}, among its writers. */
  public SetLattice withWriter(String txn, long timestamp) {
    return new SetLattice(members, writers.join(RecentWriters.of(txn, timestamp)));
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
