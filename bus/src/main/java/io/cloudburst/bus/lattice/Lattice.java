package io.cloudburst.bus.lattice;

import io.cloudburst.bus.CloudburstException;

/**
 * A value of the key-value store: a join semilattice whose {@link #merge} is commutative,
 * associative and idempotent, so replicas that have seen the same writes in any order and any
 * number of times hold the same state (the property tests check these laws for every kind).
 *
 * <p>Every lattice is an immutable record, so it can travel inside bus records unchanged on a local
 * hop; it also has a compact binary form ({@link #encode()}, {@link Lattices#decode}) used on disk.
 * Values inside lattices are user values of the model of {@link io.cloudburst.bus.value.Values}.
 */
public sealed interface Lattice
    permits LwwLattice, SetLattice, CounterLattice, CausalLattice, MultiKeyCausalLattice {

  /** Which kind of lattice this is. */
  LatticeKind kind();

  /**
   * The least upper bound of this and {@code other}.
   *
   * @throws CloudburstException CONFLICT when {@code other} is of another kind
   */
  Lattice merge(Lattice other);

  /**
   * The value users see: for last-writer-wins the value; for a set the list of members in a
   * deterministic order; for a counter its {@code Long} total; for the causal kinds the single
   * value, or the list of concurrent values when there are several.
   */
  Object value();

  /** The compact binary form; {@link Lattices#decode} reads it back. */
  default byte[] encode() {
    return LatticeCodec.encode(this);
  }
}
