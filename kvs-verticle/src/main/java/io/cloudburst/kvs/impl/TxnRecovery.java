package io.cloudburst.kvs.impl;

import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.txn.CommitRecord;
import io.cloudburst.bus.txn.TxnIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The embedded store's sweep of commit records, when it opens, before it takes requests ({@link
 * TxnSweep} chooses): rolls forward atomic calls that committed but whose writes may not all have
 * been applied when the node stopped (a kill -9 between the commit record and its applied mark):
 * every commit record not marked applied has its writes joined into their keys, and is marked, in
 * one synced batch per record. Joining twice is harmless (lattices), so a record whose writes were
 * in fact applied is simply applied again. Nothing is in flight at open, so every unapplied record
 * is rolled forward, however young. Applied records older than the retention are removed.
 */
public final class TxnRecovery {
  private static final System.Logger log = System.getLogger(TxnRecovery.class.getName());

  private TxnRecovery() {}

  /**
   * Rolls every unapplied record forward and removes the applied ones older than {@code
   * retentionMs} at {@code now} (0: keeps them); returns how many were rolled forward. Blocking.
   */
  public static int recover(LatticeStore store, long retentionMs, long now) {
    List<CommitRecord> records = new ArrayList<>();
    store.forEachUnder(
        TxnIds.RECORD_PREFIX,
        (key, state) -> {
          try {
            records.add(CommitRecord.fromLattice(state));
          } catch (RuntimeException e) {
            log.log(System.Logger.Level.WARNING, "not a commit record: " + key + ": " + e);
          }
        });
    TxnSweep.Plan plan = TxnSweep.plan(records, now, 0, retentionMs, Map.of());
    for (CommitRecord r : plan.rollForward()) {
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
    if (!plan.remove().isEmpty()) {
      // Removed outright, no tombstone: a record key is only ever written whole (base -1).
      store.writeRaw(Map.of(), plan.remove());
      log.log(
          System.Logger.Level.INFO,
          "removed " + plan.remove().size() + " applied commit records past their retention");
    }
    return plan.rollForward().size();
  }
}
