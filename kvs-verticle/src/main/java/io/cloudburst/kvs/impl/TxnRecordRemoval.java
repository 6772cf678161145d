package io.cloudburst.kvs.impl;

import com.hazelcast.map.EntryProcessor;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.txn.CommitRecord;
import java.io.Serial;
import java.util.Map;

/**
 * Removes a commit record from the cluster map, on the key's owner, only if it still is an applied
 * record committed before {@code before}: a record rolled back to unapplied by a concurrent rewrite
 * (a repeat of its request id after the sweep read it) stays. Removed outright, no tombstone (a
 * record key is only ever written whole); the owner's write-through disk drops it too.
 * Deterministic for the backup copy: the cut-off comes from the caller.
 */
public final class TxnRecordRemoval implements EntryProcessor<String, byte[], Boolean> {
  @Serial private static final long serialVersionUID = 1L;

  private final long before;

  /**
   * @param before the commit time (epoch millis) a removed record must be older than
   */
  public TxnRecordRemoval(long before) {
    this.before = before;
  }

  @Override
  public Boolean process(Map.Entry<String, byte[]> entry) {
    try {
      Lattice state = StoredValue.latticeOf(StoredValue.decode(entry.getKey(), entry.getValue()));
      if (state == null) {
        return false;
      }
      CommitRecord r = CommitRecord.fromLattice(state);
      if (!r.applied() || r.timestamp() >= before) {
        return false;
      }
    } catch (RuntimeException notARecord) {
      return false;
    }
    entry.setValue(null);
    return true;
  }
}
