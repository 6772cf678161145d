package io.cloudburst.kvs.impl;

import com.hazelcast.map.EntryProcessor;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.lattice.Lattice;
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
 * <p>Values are {@link Lattice#encode()} bytes. The outcome is the same as {@link
 * LatticeStore#apply} for one put: the merged state, or a refusal that stores nothing (CONFLICT
 * for another lattice kind, PAYLOAD_TOO_LARGE when the merged state outgrows the limit,
 * BAD_REQUEST for a counter overflow, INTERNAL for a corrupt stored value). A refusal is returned
 * as a {@link Result}, not thrown: Hazelcast logs a throwing operation as SEVERE, and a refused put
 * is the caller's error, not the cluster's.
 *
 * <p><b>Backups.</b> Hazelcast runs this same processor ({@link #getBackupProcessor()} is {@code
 * this}) on the key's synchronous backup, against the backup's copy of the entry. It is
 * deterministic (decode, merge, encode; no clock, no randomness, no member state), so the backup
 * reaches the same bytes; and since a lattice merge is idempotent, running it again on a state
 * that already holds the lattice changes nothing. A put that changes nothing (the key already
 * holds a state at least as large) does not write, so it neither fires a change event nor
 * rewrites the backup.
 *
 * <p>Small on the wire: the encoded lattice and the size limit.
 */
public final class MergeProcessor implements EntryProcessor<String, byte[], MergeProcessor.Result> {
  @Serial
  private static final long serialVersionUID = 1L;

  private final byte[] lattice;
  private final int maxValueBytes;

  /**
   * @param lattice the encoded lattice to merge into the key
   * @param maxValueBytes the largest encoded state the key may hold after the merge
   */
  public MergeProcessor(byte[] lattice, int maxValueBytes) {
    this.lattice = lattice;
    this.maxValueBytes = maxValueBytes;
  }

  /**
   * What a put did: {@code merged} is the key's encoded state after it, or {@code error} (with
   * {@code message}) says why nothing was stored.
   */
  public record Result(byte[] merged, ErrorCode error, String message) implements Serializable {
    static Result stored(byte[] merged) {
      return new Result(merged, null, null);
    }

    static Result refused(ErrorCode error, String message) {
      return new Result(null, error, message);
    }
  }

  @Override
  public Result process(Map.Entry<String, byte[]> entry) {
    String key = entry.getKey();
    byte[] old = entry.getValue();
    Lattice current;
    try {
      current = old == null ? null : Lattices.decode(old);
    } catch (IllegalArgumentException e) {
      return Result.refused(ErrorCode.INTERNAL, "the stored value of '" + key + "' is corrupt: " + e.getMessage());
    }
    try {
      Lattice incoming = Lattices.decode(lattice);
      Lattice merged = current == null ? incoming : current.merge(incoming);
      byte[] bytes = merged.encode();
      if (bytes.length > maxValueBytes) {
        return Result.refused(ErrorCode.PAYLOAD_TOO_LARGE,
            "the value of '" + key + "' would be " + bytes.length + " bytes, over the limit of " + maxValueBytes);
      }
      if (!Arrays.equals(bytes, old)) {
        entry.setValue(bytes);
      }
      return Result.stored(bytes);
    } catch (CloudburstException e) {
      return Result.refused(e.code(), e.getMessage());
    } catch (IllegalArgumentException e) {
      return Result.refused(ErrorCode.BAD_REQUEST, e.getMessage());
    } catch (ArithmeticException e) {
      return Result.refused(ErrorCode.BAD_REQUEST, "counter overflow in '" + key + "'");
    }
  }
}
