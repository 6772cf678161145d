package io.cloudburst.kvs.impl;

import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.txn.CommitRecord;
import io.cloudburst.bus.txn.TxnIds;
import java.util.ArrayList;
import java.util.List;

/**
 * Rolls forward atomic calls that committed but whose writes may not all have been applied when the
 * node stopped (a kill -9 between the commit record and its applied mark): on start, before the
 * store takes requests, every commit record not marked applied has its writes joined into their
 * keys, and is marked, in one synced batch per record. Joining twice is harmless (lattices), so a
 * record whose writes were in fact applied is simply applied again.
 */
public final class TxnRecovery {
  private static final System.Logger log = System.getLogger(TxnRecovery.class.getName());

  private TxnRecovery() {}

  /** Rolls every unapplied record forward; returns how many there were. Blocking. */
  public static int recover(LatticeStore store) {
    List<CommitRecord> pending = new ArrayList<>();
    store.forEachUnder(
        TxnIds.RECORD_PREFIX,
        (key, state) -> {
          try {
            CommitRecord r = CommitRecord.fromLattice(state);
            if (!r.applied()) {
              pending.add(r);
            }
          } catch (RuntimeException e) {
            log.log(System.Logger.Level.WARNING, "not a commit record: " + key + ": " + e);
          }
        });
    for (CommitRecord r : pending) {
      List<LatticeStore.Op> ops = new ArrayList<>();
      r.writes().forEach((k, l) -> ops.add(new LatticeStore.Op.Put(k, l, -1)));
      Lattice marked = r.markApplied().toLattice();
      ops.add(new LatticeStore.Op.Put(TxnIds.recordKey(r.txn()), marked, -1));
      List<LatticeStore.Outcome> out = store.apply(ops);
      for (int i = 0; i < out.size(); i++) {
        if (out.get(i) instanceof LatticeStore.Outcome.Failed f) {
          log.log(
              System.Logger.Level.ERROR,
              "rolling forward transaction " + r.txn() + ": " + ops.get(i).key() + ": " + f);
        }
      }
      log.log(
          System.Logger.Level.INFO,
          "rolled forward committed transaction "
              + r.txn()
              + " ("
              + r.writes().size()
              + " writes)");
    }
    return pending.size();
  }
}
