package io.cloudburst.kvs.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.Lattices;
import java.nio.ByteBuffer;

/**
 * What both stores keep per key: a live lattice or a tombstone, at the key's generation (see {@link
 * io.cloudburst.bus.msg.KvsRequest}), and the rules of a put and a delete on it. Plain code, no
 * Vert.x, no Hazelcast.
 *
 * <p><b>Format.</b> {@code MARKER, flags, generation (8 bytes, big-endian)}, then the {@link
 * Lattice#encode()} bytes of a live value, or the tombstone's deletion time (epoch millis, 8
 * bytes). Values written before generations existed are bare {@link Lattice#encode()} bytes, whose
 * first byte is a lattice kind tag (1 to 5), never {@link #MARKER}: they read as live at generation
 * 0.
 *
 * @param lattice the value, or null for a tombstone
 * @param generation the key's generation
 * @param deletedAt when a tombstone was written (epoch millis); 0 for a live value
 */
public record StoredValue(Lattice lattice, long generation, long deletedAt) {
  /** The first byte of the format with a generation (no lattice kind has this tag). */
  static final byte MARKER = (byte) 0xC6;

  private static final byte TOMBSTONE = 1;
  private static final int HEADER = 1 + 1 + Long.BYTES;

  public StoredValue {
    if (generation < 0) {
      throw new IllegalArgumentException("negative generation");
    }
  }

  public static StoredValue live(Lattice lattice, long generation) {
    return new StoredValue(lattice, generation, 0);
  }

  public static StoredValue tombstone(long generation, long deletedAt) {
    return new StoredValue(null, generation, deletedAt);
  }

  public boolean isTombstone() {
    return lattice == null;
  }

  /** The generation of a key that holds {@code v} (0 for a key with no record). */
  public static long generationOf(StoredValue v) {
    return v == null ? 0 : v.generation();
  }

  /** The value of a key that holds {@code v}: null when absent or deleted. */
  public static Lattice latticeOf(StoredValue v) {
    return v == null ? null : v.lattice();
  }

  // ---- the rules ----

  /**
   * What a put does to a key: store {@code value}, or refuse the put as computed before a delete.
   */
  public sealed interface PutOutcome {
    /** The key now holds {@code value}; {@code latticeBytes} is its encoded lattice. */
    record Merged(StoredValue value, byte[] latticeBytes) implements PutOutcome {}

    /** The put's base is older than the key's {@code generation}: nothing is stored. */
    record Stale(long generation) implements PutOutcome {}
  }

  /**
   * A put of {@code incoming} onto {@code current} (null: no record). A base generation below the
   * key's generation means the write was computed from state read before a delete: refused, else
   * the delete would be undone. Otherwise the lattice merges into the live value, or replaces a
   * tombstone at the tombstone's generation (merging into a tombstone as into an absent key).
   *
   * @throws CloudburstException CONFLICT for another lattice kind, PAYLOAD_TOO_LARGE when the
   *     merged lattice encodes to more than {@code maxValueBytes}
   * @throws IllegalArgumentException, ArithmeticException as {@link Lattice#merge} does
   */
  public static PutOutcome put(
      String key, StoredValue current, Lattice incoming, long baseGeneration, int maxValueBytes) {
    long generation = generationOf(current);
    if (baseGeneration >= 0 && baseGeneration < generation) {
      return new PutOutcome.Stale(generation);
    }
    Lattice base = latticeOf(current);
    Lattice merged = base == null ? incoming : base.merge(incoming);
    byte[] bytes = merged.encode();
    if (bytes.length > maxValueBytes) {
      throw CloudburstException.tooLarge(
          "the value of '"
              + key
              + "' would be "
              + bytes.length
              + " bytes, over the limit of "
              + maxValueBytes);
    }
    return new PutOutcome.Merged(live(merged, generation), bytes);
  }

  /**
   * The state after a delete of {@code current} at {@code now}: a tombstone one generation up when
   * a value was there, else {@code current} itself (null or the same tombstone): deleting nothing
   * needs no tombstone, since no state to resurrect was ever read from it.
   */
  public static StoredValue delete(StoredValue current, long now) {
    if (current == null || current.isTombstone()) {
      return current;
    }
    return tombstone(current.generation() + 1, now);
  }

  /**
   * The join of two states of one key, as kept by different stores (e.g. two cluster members that
   * owned the key at different times): the higher generation wins, since a delete raises it and
   * everything at a lower generation was deleted; at the same generation a live value wins over a
   * tombstone (a value at a tombstone's generation was written after it) and two live values merge
   * their lattices. Commutative, associative and idempotent, so stores can be joined in any order,
   * any number of times. No size limit: both states were accepted once.
   *
   * @throws CloudburstException CONFLICT for live values of different lattice kinds at one
   *     generation (which puts never make: a put of another kind is refused)
   */
  public static StoredValue join(StoredValue a, StoredValue b) {
    if (a == null || b == null) {
      return a == null ? b : a;
    }
    if (a.generation() != b.generation()) {
      return a.generation() > b.generation() ? a : b;
    }
    if (a.isTombstone() || b.isTombstone()) {
      if (a.isTombstone() && b.isTombstone()) {
        return a.deletedAt() >= b.deletedAt() ? a : b;
      }
      return a.isTombstone() ? b : a;
    }
    return live(a.lattice().merge(b.lattice()), a.generation());
  }

  // ---- encoding ----

  /** The stored bytes of a live value whose lattice encodes to {@code latticeBytes}. */
  public static byte[] encodeLive(long generation, byte[] latticeBytes) {
    return ByteBuffer.allocate(HEADER + latticeBytes.length)
        .put(MARKER)
        .put((byte) 0)
        .putLong(generation)
        .put(latticeBytes)
        .array();
  }

  public byte[] encode() {
    if (lattice != null) {
      return encodeLive(generation, lattice.encode());
    }
    return ByteBuffer.allocate(HEADER + Long.BYTES)
        .put(MARKER)
        .put(TOMBSTONE)
        .putLong(generation)
        .putLong(deletedAt)
        .array();
  }

  /**
   * Reads stored bytes (null for none), of this format or of the format before generations.
   *
   * @throws CloudburstException INTERNAL for bytes that do not decode
   */
  public static StoredValue decode(String key, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      if (bytes.length == 0 || bytes[0] != MARKER) {
        return live(Lattices.decode(bytes), 0);
      }
      ByteBuffer in = ByteBuffer.wrap(bytes);
      in.get();
      byte flags = in.get();
      long generation = in.getLong();
      if (flags == TOMBSTONE) {
        return tombstone(generation, in.getLong());
      }
      if (flags != 0) {
        throw new IllegalArgumentException("unknown flags " + flags);
      }
      byte[] lattice = new byte[in.remaining()];
      in.get(lattice);
      return live(Lattices.decode(lattice), generation);
    } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
      throw CloudburstException.internal("the stored value of '" + key + "' is corrupt: " + e);
    }
  }
}
