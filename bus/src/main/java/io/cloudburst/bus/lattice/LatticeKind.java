package io.cloudburst.bus.lattice;

import io.cloudburst.bus.CloudburstException;
import java.util.Locale;

/**
 * The kinds of lattice a key can hold, with their wire names (API.md's {@code "lattice"} field).
 */
public enum LatticeKind {
  /** {@link LwwLattice}: the write with the newest timestamp wins. */
  LWW("lww", 1),
  /** {@link SetLattice}: the union of every written member. */
  SET("set", 2),
  /** {@link CounterLattice}: a grow-only counter. */
  COUNTER("counter", 3),
  /** {@link CausalLattice}: single-key causal consistency. */
  CAUSAL("causal", 4),
  /** {@link MultiKeyCausalLattice}: causal consistency across keys (with dependencies). */
  MULTI_CAUSAL("multi_causal", 5);

  private final String wireName;
  private final byte tag;

  LatticeKind(String wireName, int tag) {
    this.wireName = wireName;
    this.tag = (byte) tag;
  }

  /**
   * The name used in JSON and HTTP: {@code lww}, {@code set}, {@code counter}, {@code causal},
   * {@code multi_causal}.
   */
  public String wireName() {
    return wireName;
  }

  /** The first byte of the binary encoding. */
  byte tag() {
    return tag;
  }

  static LatticeKind ofTag(byte tag) {
    for (LatticeKind k : values()) {
      if (k.tag == tag) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown lattice tag " + tag);
  }

  /**
   * The kind named {@code name} (its wire name, case-insensitive).
   *
   * @throws CloudburstException BAD_REQUEST for an unknown name
   */
  public static LatticeKind parse(String name) {
    if (name != null) {
      String n = name.toLowerCase(Locale.ROOT);
      for (LatticeKind k : values()) {
        if (k.wireName.equals(n)) {
          return k;
        }
      }
    }
    throw CloudburstException.badRequest(
        "unknown lattice '"
            + name
            + "': use \"lww\", \"set\", \"counter\", \"causal\" or \"multi_causal\"");
  }
}
