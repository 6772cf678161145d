package io.cloudburst.cache.impl;

import io.cloudburst.bus.lattice.Lattice;

/**
 * A key's state as a cache learned it from the store: a lattice, or null when the key is absent or
 * deleted, at the key's generation in the store ({@link io.cloudburst.bus.msg.KvsRequest}).
 *
 * @param lattice the state, or null for absent (a tombstone)
 * @param generation the key's generation
 */
public record Versioned(Lattice lattice, long generation) {

  public static Versioned absent(long generation) {
    return new Versioned(null, generation);
  }

  /**
   * What a cache knows after learning {@code b} when it knew {@code a} (either may be null: nothing
   * known). Every generation above 0 begins with a delete, so a state of a higher generation is
   * newer than anything of a lower one and replaces it, whatever order they arrived in; at the same
   * generation a value beats a tombstone (it was written onto it) and two values merge. Two values
   * of different kinds at one generation (only from a store without generations, where a deleted
   * key was rewritten with another kind) resolve to {@code b}, the later arrival.
   */
  public static Versioned combine(Versioned a, Versioned b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    if (a.generation != b.generation) {
      return a.generation > b.generation ? a : b;
    }
    if (a.lattice == null) {
      return b;
    }
    if (b.lattice == null) {
      return a;
    }
    return new Versioned(
        a.lattice.kind() == b.lattice.kind() ? a.lattice.merge(b.lattice) : b.lattice,
        a.generation);
  }
}
