package io.cloudburst.bus.lattice;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Factories and helpers for {@link Lattice}s: decoding, and the lattice a plain put of a user value
 * makes.
 */
public final class Lattices {
  private Lattices() {}

  /**
   * Reads the binary form written by {@link Lattice#encode()}.
   *
   * @throws IllegalArgumentException for bytes that are not a lattice
   */
  public static Lattice decode(byte[] bytes) {
    return LatticeCodec.decode(bytes);
  }

  /**
   * The lattice to merge into a key for a put of the plain user value {@code value} by {@code
   * nodeId} at time {@code now}, given {@code current}, the newest state the writer has of the key
   * (null when absent). {@code kind} null means the key's own kind, or last-writer-wins for a new
   * key (API.md's user-library {@code put}).
   *
   * <ul>
   *   <li>lww: the value at {@code now}, or just after the current write when the clocks are
   *       skewed, so a node always reads its own write back;
   *   <li>set: adds the value (or each element of a list value);
   *   <li>counter: adds the value, a non-negative integer, to this node's entry;
   *   <li>causal, multi_causal: a new version that follows every current version (no dependencies
   *       for multi_causal).
   * </ul>
   *
   * @throws CloudburstException CONFLICT when {@code kind} differs from the current kind,
   *     BAD_REQUEST for a counter increment that is not a non-negative integer
   */
  public static Lattice write(
      Lattice current, LatticeKind kind, Object value, String nodeId, long now) {
    LatticeKind k = kind != null ? kind : current != null ? current.kind() : LatticeKind.LWW;
    if (current != null && current.kind() != k) {
      throw conflict(current.kind(), k);
    }
    return switch (k) {
      case LWW -> {
        long ts = current instanceof LwwLattice l && l.timestamp() >= now ? l.timestamp() + 1 : now;
        yield new LwwLattice(ts, nodeId, value);
      }
      case SET -> SetLattice.ofValue(value);
      case COUNTER -> {
        CounterLattice base =
            current == null ? new CounterLattice(Map.of()) : (CounterLattice) current;
        yield base.increment(nodeId, increment(value));
      }
      case CAUSAL ->
          (current == null ? new CausalLattice(List.of()) : (CausalLattice) current)
              .write(nodeId, value);
      case MULTI_CAUSAL ->
          (current == null ? new MultiKeyCausalLattice(List.of()) : (MultiKeyCausalLattice) current)
              .write(nodeId, Map.of(), value);
    };
  }

  private static long increment(Object value) {
    if (value instanceof Long l && l >= 0) {
      return l;
    }
    if (value instanceof Double d && d >= 0 && d == Math.rint(d) && d < 0x1p63) {
      return d.longValue();
    }
    throw CloudburstException.badRequest("a counter put adds a non-negative integer, not " + value);
  }

  /** The CONFLICT of merging or writing one kind onto another. */
  public static CloudburstException conflict(LatticeKind stored, LatticeKind written) {
    return CloudburstException.of(
        ErrorCode.CONFLICT,
        "the key holds a "
            + stored.wireName()
            + " lattice; cannot merge a "
            + written.wireName()
            + " lattice into it");
  }

  static <T extends Lattice> T sameKind(Lattice self, Lattice other, Class<T> type) {
    if (!type.isInstance(other)) {
      throw conflict(self.kind(), other.kind());
    }
    return type.cast(other);
  }

  /**
   * The versions no other version strictly dominates, deduplicated and sorted by canonical bytes.
   * Removing only strictly dominated versions keeps the result the same whatever order sets are
   * merged in (dominance is a strict partial order, so a removed version stays dominated).
   */
  static <V> List<V> maximal(
      List<V> in, Function<V, VectorClock> clock, Function<V, byte[]> canonical) {
    TreeMap<LatticeCodec.Key, V> unique = new TreeMap<>();
    for (V v : in) {
      unique.putIfAbsent(new LatticeCodec.Key(canonical.apply(v)), v);
    }
    List<V> all = new ArrayList<>(unique.values());
    List<V> out = new ArrayList<>(all.size());
    for (V v : all) {
      boolean dominated = false;
      for (V w : all) {
        if (clock.apply(w).compare(clock.apply(v)) == VectorClock.Order.AFTER) {
          dominated = true;
          break;
        }
      }
      if (!dominated) {
        out.add(v);
      }
    }
    return Collections.unmodifiableList(out);
  }
}
