package io.cloudburst.runtime.impl;

import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LatticeKind;
import io.cloudburst.bus.lattice.Lattices;
import io.cloudburst.bus.lattice.MultiKeyCausalLattice;
import io.cloudburst.bus.msg.CacheRequest;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.txn.CommitRecord;
import io.cloudburst.bus.txn.TxnIds;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The transactional side of {@link UserState}: an atomic call's puts into its write buffer, and the
 * read-atomic rule on every read ({@link io.cloudburst.bus.txn.ReadAtomic}), which looks up the
 * commit records of the transactions it meets. A record's writes never change once written, so they
 * are kept here (a bounded map shared by the executor's workers) after the first lookup.
 */
final class AtomicState {
  /** Commit records' writes kept per executor. */
  static final int RECORDS_KEPT = 4_096;

  private final CacheAccess cache;
  private final Map<String, Map<String, Lattice>> records =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Map<String, Lattice>> e) {
          return size() > RECORDS_KEPT;
        }
      };

  AtomicState(CacheAccess cache) {
    this.cache = cache;
  }

  /** What a read of {@code key} that got {@code got} returns under the read-atomic rule. */
  Lattice readAtomic(Invocation inv, String key, Lattice got) {
    return inv.reads().read(key, got, txn -> cowrites(inv, txn));
  }

  /**
   * An atomic call's put: the new state, built on {@code current} (what the call reads for the key)
   * as the cache would build it, but written with the transaction's stamp (and, for a set or
   * counter, the transaction among its recent writers) and kept in the buffer. In a causal call the
   * version records the session's dependencies, as a causal put does.
   */
  void buffer(Invocation inv, String key, Object value, Lattice current) {
    String stamp = TxnIds.stamp(inv.txn());
    SessionState ss = inv.session();
    Lattice written;
    if (ss != null
        && ss.causal()
        && (current == null || current.kind() == LatticeKind.MULTI_CAUSAL)) {
      MultiKeyCausalLattice base =
          current == null
              ? new MultiKeyCausalLattice(java.util.List.of())
              : (MultiKeyCausalLattice) current;
      written = base.write(stamp, ss.dependenciesFor(key), value);
    } else {
      long now = System.currentTimeMillis();
      // A set or counter names the call among its recent writers: its members and entries do not.
      written = TxnIds.marked(Lattices.write(current, null, value, stamp, now), inv.txn(), now);
    }
    inv.buffer().put(key, current == null ? written : current.merge(written));
  }

  private Map<String, Lattice> cowrites(Invocation inv, String txn) {
    synchronized (records) {
      Map<String, Lattice> kept = records.get(txn);
      if (kept != null) {
        return kept;
      }
    }
    String key = TxnIds.recordKey(txn);
    Lattice stored = cache.viewed(key);
    if (stored == null) {
      stored =
          ((KvsReply.Found) cache.request(cache.nodeId(), new CacheRequest.Get(key), inv))
              .lattice();
    }
    if (stored == null) {
      return null; // applied and dropped long ago: it bounds nothing
    }
    Map<String, Lattice> writes = CommitRecord.fromLattice(stored).writes();
    synchronized (records) {
      records.put(txn, writes);
    }
    return writes;
  }
}
