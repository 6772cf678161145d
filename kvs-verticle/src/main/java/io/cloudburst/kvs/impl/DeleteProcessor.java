package io.cloudburst.kvs.impl;

import com.hazelcast.map.EntryProcessor;
import io.cloudburst.bus.CloudburstException;
import java.io.Serial;
import java.io.Serializable;
import java.util.Map;

/**
 * A delete of the cluster store: replaces the key's value by a tombstone one generation up ({@link
 * StoredValue#delete}), on the member that owns the key, like {@link MergeProcessor}. Deterministic
 * for the backup copy: the deletion time comes from the caller, not the member's clock; deleting an
 * absent or deleted key writes nothing.
 */
public final class DeleteProcessor
    implements EntryProcessor<String, byte[], DeleteProcessor.Result> {
  @Serial private static final long serialVersionUID = 1L;

  private final long deletedAt;

  /**
   * @param deletedAt the time recorded in the tombstone (epoch millis)
   */
  public DeleteProcessor(long deletedAt) {
    this.deletedAt = deletedAt;
  }

  /**
   * What a delete did: whether a value was there and the key's generation after it, or {@code
   * error} (a corrupt stored value, left as it is).
   */
  public record Result(boolean existed, long generation, String error) implements Serializable {}

  @Override
  public Result process(Map.Entry<String, byte[]> entry) {
    StoredValue current;
    try {
      current = StoredValue.decode(entry.getKey(), entry.getValue());
    } catch (CloudburstException e) {
      return new Result(false, 0, e.getMessage());
    }
    StoredValue after = StoredValue.delete(current, deletedAt);
    if (after != current) {
      entry.setValue(after.encode());
    }
    return new Result(after != current, StoredValue.generationOf(after), null);
  }
}
