package io.cloudburst.bus.txn;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.lattice.Lattice;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The private working space of one atomic call: per key, the full state the call's writes made (the
 * state read, joined with every write of the call), never seen by anyone but the call until it
 * commits. Buffers of functions running in parallel join per key (lattice merge) where their
 * branches meet. The encoded size is bounded by {@link #MAX_BYTES}; a write or a join over it fails
 * with PAYLOAD_TOO_LARGE, which aborts the call. Not thread-safe: one buffer per running function.
 */
public final class WriteBuffer {
  /** Largest buffer, summed over keys and encoded lattices: 8 MiB. */
  public static final long MAX_BYTES = 8L << 20;

  private final long maxBytes;
  private final Map<String, Lattice> writes = new LinkedHashMap<>();
  private final Map<String, Integer> sizes = new HashMap<>();
  private long bytes;
  private CloudburstException overflow;

  /** An empty buffer bounded by {@link #MAX_BYTES}. */
  public WriteBuffer() {
    this(MAX_BYTES);
  }

  /** An empty buffer bounded by {@code maxBytes}. */
  public WriteBuffer(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** The state the call wrote for {@code key}, or null when it has not written it. */
  public Lattice get(String key) {
    return writes.get(key);
  }

  /**
   * Records the call's new state of {@code key} (already built on what it read or wrote before).
   *
   * @throws CloudburstException PAYLOAD_TOO_LARGE when the buffer would outgrow its bound
   */
  public void put(String key, Lattice state) {
    int size = key.getBytes(StandardCharsets.UTF_8).length + state.encode().length;
    long next = bytes - sizes.getOrDefault(key, 0) + size;
    if (overflow != null) {
      throw overflow;
    }
    if (next > maxBytes) {
      throw overflow =
          CloudburstException.tooLarge(
              "the atomic call's writes exceed "
                  + maxBytes
                  + " bytes (write of '"
                  + key
                  + "'); nothing is written");
    }
    writes.put(key, state);
    sizes.put(key, size);
    bytes = next;
  }

  /** Joins another buffer's writes into this one, key by key (null: nothing). */
  public void join(Map<String, Lattice> other) {
    if (other == null) {
      return;
    }
    other.forEach(
        (k, l) -> {
          Lattice mine = writes.get(k);
          put(k, mine == null ? l : mine.merge(l));
        });
  }

  /**
   * The failure of the write that overflowed the buffer, or null: once set, the call fails with it
   * whatever its code did with the exception (a caught overflow must not commit part of the
   * writes).
   */
  public CloudburstException overflow() {
    return overflow;
  }

  /** Encoded size in bytes. */
  public long bytes() {
    return bytes;
  }

  public boolean isEmpty() {
    return writes.isEmpty();
  }

  /** An immutable copy of the writes. */
  public Map<String, Lattice> snapshot() {
    return Map.copyOf(writes);
  }

  /**
   * The join of several buffers ({@code null} ones skipped), checked against {@link #MAX_BYTES}.
   *
   * @throws CloudburstException PAYLOAD_TOO_LARGE over the bound
   */
  @SafeVarargs
  public static Map<String, Lattice> joinAll(Map<String, Lattice>... buffers) {
    WriteBuffer b = new WriteBuffer();
    for (Map<String, Lattice> m : buffers) {
      b.join(m);
    }
    return b.snapshot();
  }
}
