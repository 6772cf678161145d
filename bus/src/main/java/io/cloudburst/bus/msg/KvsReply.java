package io.cloudburst.bus.msg;

import io.cloudburst.bus.lattice.Lattice;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Replies of the key-value store and of the caches (same shapes, so callers need not care which). */
public sealed interface KvsReply extends BusMessage {

  /** One key's state; {@code lattice} is null when the key is absent. */
  record Found(String key, Lattice lattice) implements KvsReply {
    /** The user value ({@link Lattice#value()}), or null when absent. */
    public Object value() {
      return lattice == null ? null : lattice.value();
    }
  }

  /** The state of each requested key that is present. */
  record FoundMany(Map<String, Lattice> lattices) implements KvsReply {
    public FoundMany {
      lattices = Collections.unmodifiableMap(new LinkedHashMap<>(lattices));
    }
  }

  /** A put is durable; {@code lattice} is the key's merged state after it. */
  record Stored(String key, Lattice lattice) implements KvsReply {}

  /** A delete is durable; {@code existed} tells whether the key was present. */
  record Deleted(String key, boolean existed) implements KvsReply {}

  /** A plain acknowledgement. */
  record Ack() implements KvsReply {}
}
