package io.cloudburst.kvs.impl;

import io.cloudburst.bus.txn.CommitRecord;
import io.cloudburst.bus.txn.TxnIds;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Which commit records a store's sweep acts on (a pure choice, no store, no clock of its own):
 *
 * <ul>
 *   <li><b>Roll forward</b> a record not marked applied when its commit was cut off: it is older
 *       than the longest commit on a live node ({@code settleMs}), or the node that committed it
 *       (the node part of its call id, {@code <node>-<random>}) left the cluster after the commit
 *       began. A younger record of a live node is left alone: its scheduler is still applying it
 *       (rolling it forward too would be harmless, lattice joins, but is wasted work).
 *   <li><b>Remove</b> a record marked applied once it is older than the retention ({@code
 *       retentionMs}; 0 keeps every record). From then on a repeat of its request id is not
 *       answered from the record: it runs again as a fresh call (unless the scheduler still holds
 *       the first result), and readers no longer learn the transaction's other writes from it (long
 *       since applied everywhere, so nothing to bound).
 * </ul>
 *
 * An unapplied record is never removed, however old.
 */
public final class TxnSweep {
  private TxnSweep() {}

  /**
   * What a sweep does.
   *
   * @param rollForward the records whose writes are joined again, then marked applied
   * @param remove the keys of the applied records that are removed
   */
  public record Plan(List<CommitRecord> rollForward, List<String> remove) {
    public Plan {
      rollForward = List.copyOf(rollForward);
      remove = List.copyOf(remove);
    }

    /** Whether the sweep has nothing to do. */
    public boolean isEmpty() {
      return rollForward.isEmpty() && remove.isEmpty();
    }
  }

  /**
   * The plan for {@code records} at time {@code now}.
   *
   * @param settleMs how old an unapplied record must be to be rolled forward while its node lives
   * @param retentionMs how old an applied record must be to be removed (0: never)
   * @param departed node id to the time it left the cluster (epoch millis)
   */
  public static Plan plan(
      Collection<CommitRecord> records,
      long now,
      long settleMs,
      long retentionMs,
      Map<String, Long> departed) {
    List<CommitRecord> roll = new ArrayList<>();
    List<String> remove = new ArrayList<>();
    for (CommitRecord r : records) {
      long age = now - r.timestamp();
      if (!r.applied()) {
        Long left = departed.get(committerOf(r.callId()));
        if (age >= settleMs || (left != null && r.timestamp() <= left)) {
          roll.add(r);
        }
      } else if (retentionMs > 0 && age >= retentionMs) {
        remove.add(TxnIds.recordKey(r.txn()));
      }
    }
    return new Plan(roll, remove);
  }

  /**
   * The node whose scheduler committed call {@code callId}: everything before the last '-' (call
   * ids are {@code <node id>-<32 hex digits>}), or null when the id has no node part.
   */
  public static String committerOf(String callId) {
    int dash = callId == null ? -1 : callId.lastIndexOf('-');
    return dash <= 0 ? null : callId.substring(0, dash);
  }
}
