package io.cloudburst.bus.msg;

import io.cloudburst.bus.lattice.Lattice;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Replies of the key-value store and of the caches (same shapes, so callers need not care which). A
 * {@code generation} is the key's generation in the store (see {@link KvsRequest}): 0 until its
 * first delete, one more after each delete of a present value.
 */
public sealed interface KvsReply extends BusMessage {

  /** One key's state; {@code lattice} is null when the key is absent (or deleted). */
  record Found(String key, Lattice lattice, long generation) implements KvsReply {
    /** A state at generation 0. */
    public Found(String key, Lattice lattice) {
      this(key, lattice, 0);
    }

    /** The user value ({@link Lattice#value()}), or null when absent. */
    public Object value() {
      return lattice == null ? null : lattice.value();
    }
  }

  /**
   * The state of each requested key that is present, and the generation of each requested key
   * (present or not) whose generation is not 0.
   */
  record FoundMany(Map<String, Lattice> lattices, Map<String, Long> generations)
      implements KvsReply {
    public FoundMany {
      lattices = Collections.unmodifiableMap(new LinkedHashMap<>(lattices));
      generations =
          generations == null
              ? Map.of()
              : Collections.unmodifiableMap(new LinkedHashMap<>(generations));
    }

    /** States whose keys are all at generation 0. */
    public FoundMany(Map<String, Lattice> lattices) {
      this(lattices, Map.of());
    }

    /** The generation of a requested key. */
    public long generation(String key) {
      return generations.getOrDefault(key, 0L);
    }
  }

  /**
   * A put is durable; {@code lattice} is the key's merged state after it, at {@code generation}.
   */
  record Stored(String key, Lattice lattice, long generation) implements KvsReply {
    /** A state at generation 0. */
    public Stored(String key, Lattice lattice) {
      this(key, lattice, 0);
    }
  }

  /**
   * A put with a {@link KvsRequest.Put#baseGeneration()} below the key's {@code generation} (the
   * key was deleted after the put's base state was read): nothing was stored.
   */
  record Stale(String key, long generation) implements KvsReply {}

  /**
   * A delete is durable; {@code existed} tells whether the key held a value (false for an absent or
   * already deleted key); {@code generation} is the key's generation after it.
   */
  record Deleted(String key, boolean existed, long generation) implements KvsReply {
    /** A delete whose generation is not told. */
    public Deleted(String key, boolean existed) {
      this(key, existed, 0);
    }
  }

  /** A plain acknowledgement. */
  record Ack() implements KvsReply {}
}
