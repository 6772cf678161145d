package io.cloudburst.kvs.impl;

import com.hazelcast.map.EntryProcessor;
import io.cloudburst.bus.CloudburstException;
import java.io.Serial;
import java.util.Arrays;
import java.util.Map;

/**
 * A restore of the cluster store: joins a state of a key read from one member's disk into the
 * cluster map on the key's owner ({@link StoredValue#join}), so a key that several members stored
 * (ownership moved between them) ends up with the join of all their states, whatever the order in
 * which the members restore. Deterministic, so the backup runs it too and reaches the same bytes; a
 * join that changes nothing writes nothing.
 */
public final class RestoreProcessor implements EntryProcessor<String, byte[], String> {
  @Serial private static final long serialVersionUID = 1L;

  private final byte[] stored;

  /**
   * @param stored the key's {@link StoredValue} bytes from a member's disk
   */
  public RestoreProcessor(byte[] stored) {
    this.stored = stored;
  }

  /** Returns null, or why the stored state could not be joined (nothing was changed then). */
  @Override
  public String process(Map.Entry<String, byte[]> entry) {
    String key = entry.getKey();
    byte[] old = entry.getValue();
    try {
      StoredValue current = StoredValue.decode(key, old);
      StoredValue joined = StoredValue.join(current, StoredValue.decode(key, stored));
      if (joined != current) {
        byte[] bytes = joined.encode();
        if (!Arrays.equals(bytes, old)) {
          entry.setValue(bytes);
        }
      }
      return null;
    } catch (CloudburstException e) {
      return e.getMessage();
    } catch (IllegalArgumentException | ArithmeticException e) {
      return "cannot join the stored state of '" + key + "': " + e;
    }
  }
}
