package io.cloudburst.kvs.impl;

import com.hazelcast.map.EntryProcessor;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.lattice.Lattices;
import java.io.Serial;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Map;

/**
 * A put of the cluster store: merges one lattice into a key of the partitioned map, on the member
 * that owns the key ({@code IMap.submitToKey}), so the read-merge-write of a key is never
 * interleaved with another (Hazelcast runs the operations of one partition one at a time).
 *
 * <p>Values are {@link StoredValue} bytes. The outcome is the same as {@link LatticeStore#apply}
 * for one put, by the same rules ({@link StoredValue#put}): the merged state and the key's
 * generation, a stale base (nothing stored), or a refusal that stores nothing (CONFLICT for another
 * lattice kind, PAYLOAD_TOO_LARGE when the merged state outgrows the limit, BAD_REQUEST for a
 * counter overflow, INTERNAL for a corrupt stored value). A refusal is returned as a {@link
 * Result}, not thrown: Hazelcast logs a throwing operation as SEVERE, and a refused put is the
 * caller's error, not the cluster's.
 *
 * <p><b>Backups.</b> Hazelcast runs this same processor ({@link #getBackupProcessor()} is {@code
 * this}) on the key's synchronous backup, against the backup's copy of the entry. It is
 * deterministic (decode, merge, encode; no clock, no randomness, no member state), so the backup
 * reaches the same bytes; and since a lattice merge is idempotent, running it again on a state that
 * already holds the lattice changes nothing. A put that changes nothing (the key already holds a
 * state at least as large) does not write, so it neither fires a change event nor rewrites the
 * backup.
 *
 * <p>Small on the wire: the encoded lattice, the size limit and the base generation.
 */
public final class MergeProcessor implements EntryProcessor<String, byte[], MergeProcessor.Result> {
  @Serial private static final long serialVersionUID = 2L;

  private final byte[] lattice;
  private final int maxValueBytes;
  private final long baseGeneration;

  /**
   * @param lattice the encoded lattice to merge into the key
   * @param maxValueBytes the largest encoded lattice the key may hold after the merge
   * @param baseGeneration as {@link io.cloudburst.bus.msg.KvsRequest.Put#baseGeneration()}
   */
  public MergeProcessor(byte[] lattice, int maxValueBytes, long baseGeneration) {
    this.lattice = lattice;
    this.maxValueBytes = maxValueBytes;
    this.baseGeneration = baseGeneration;
  }

  /**
   * What a put did: {@code merged} is the key's {@link StoredValue} bytes after it, at {@code
   * generation}; or {@code stale} (nothing stored, {@code generation} is the key's); or {@code
   * error} (with {@code message}) says why nothing was stored.
   */
  public record Result(
      byte[] merged, long generation, boolean stale, ErrorCode error, String message)
      implements Serializable {
    static Result stored(byte[] merged, long generation) {
      return new Result(merged, generation, false, null, null);
    }

    static Result staleBase(long generation) {
      return new Result(null, generation, true, null, null);
    }

    static Result refused(ErrorCode error, String message) {
      return new Result(null, 0, false, error, message);
    }
  }

  @Override
  public Result process(Map.Entry<String, byte[]> entry) {
    String key = entry.getKey();
    byte[] old = entry.getValue();
    StoredValue current;
    try {
      current = StoredValue.decode(key, old);
    } catch (CloudburstException e) {
      return Result.refused(e.code(), e.getMessage());
    }
    try {
      return switch (StoredValue.put(
          key, current, Lattices.decode(lattice), baseGeneration, maxValueBytes)) {
        case StoredValue.PutOutcome.Stale s -> Result.staleBase(s.generation());
        case StoredValue.PutOutcome.Merged m -> {
          byte[] bytes = StoredValue.encodeLive(m.value().generation(), m.latticeBytes());
          if (!Arrays.equals(bytes, old)) {
            entry.setValue(bytes);
          }
          yield Result.stored(bytes, m.value().generation());
        }
      };
    } catch (CloudburstException e) {
      return Result.refused(e.code(), e.getMessage());
    } catch (IllegalArgumentException e) {
      return Result.refused(ErrorCode.BAD_REQUEST, e.getMessage());
    } catch (ArithmeticException e) {
      return Result.refused(ErrorCode.BAD_REQUEST, "counter overflow in '" + key + "'");
    }
  }
}
