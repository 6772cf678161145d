package io.cloudburst.kvs.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.txn.CommitRecord;
import io.cloudburst.bus.txn.TxnIds;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class TxnSweepTest {
  private static final long HOUR = 3_600_000;
  private static final long NOW = 1_000 * HOUR; // the fake clock
  private static final long SETTLE = 45_000;
  private static final long RETENTION = 24 * HOUR;

  private static CommitRecord record(String txn, String node, long ts, boolean applied) {
    return new CommitRecord(
        txn,
        node + "-0123456789abcdef0123456789abcdef",
        null,
        "f",
        ts,
        Map.of("k-" + txn, new LwwLattice(ts, TxnIds.stamp(txn), txn)),
        txn,
        applied);
  }

  private static List<String> txns(List<CommitRecord> rs) {
    return rs.stream().map(CommitRecord::txn).toList();
  }

  @Test
  void anUnappliedRecordOfALiveNodeIsRolledForwardOnlyOnceOlderThanTheLongestCommit() {
    List<CommitRecord> records =
        List.of(
            record("young", "a", NOW - SETTLE + 1, false),
            record("settled", "a", NOW - SETTLE, false),
            record("old", "b", NOW - 2 * HOUR, false));

    TxnSweep.Plan plan = TxnSweep.plan(records, NOW, SETTLE, RETENTION, Map.of());

    assertThat(txns(plan.rollForward())).containsExactly("settled", "old");
    assertThat(plan.remove()).isEmpty();
  }

  @Test
  void aDepartedNodesRecordsFromBeforeItLeftAreRolledForwardAtOnceButNotLaterOnes() {
    long leftAt = NOW - 1_000;
    List<CommitRecord> records =
        List.of(
            record("cut", "a", leftAt - 10, false),
            record("atTheEnd", "a", leftAt, false),
            record("afterRejoin", "a", leftAt + 500, false),
            record("otherNode", "b", leftAt - 10, false),
            record("doneAlready", "a", leftAt - 10, true));

    TxnSweep.Plan plan = TxnSweep.plan(records, NOW, SETTLE, RETENTION, Map.of("a", leftAt));

    assertThat(txns(plan.rollForward())).containsExactly("cut", "atTheEnd");
    assertThat(plan.remove()).isEmpty();
  }

  @Test
  void appliedRecordsAreRemovedOnceOlderThanTheRetentionAndUnappliedOnesNever() {
    List<CommitRecord> records =
        List.of(
            record("kept", "a", NOW - RETENTION + 1, true),
            record("expired", "a", NOW - RETENTION, true),
            record("ancient", "b", NOW - 30 * 24 * HOUR, true),
            record("ancientUnapplied", "b", NOW - 30 * 24 * HOUR, false));

    TxnSweep.Plan plan = TxnSweep.plan(records, NOW, SETTLE, RETENTION, Map.of());

    assertThat(plan.remove())
        .containsExactly(TxnIds.recordKey("expired"), TxnIds.recordKey("ancient"));
    assertThat(txns(plan.rollForward())).containsExactly("ancientUnapplied");
  }

  @Test
  void aZeroRetentionKeepsEveryAppliedRecord() {
    List<CommitRecord> records = List.of(record("ancient", "a", 0, true));

    TxnSweep.Plan plan = TxnSweep.plan(records, NOW, SETTLE, 0, Map.of());

    assertThat(plan.isEmpty()).isTrue();
  }

  @Test
  void theCommitterIsTheNodePartOfTheCallIdEvenWithDashesInTheNodeName() {
    assertThat(TxnSweep.committerOf("node-a-0123456789abcdef0123456789abcdef")).isEqualTo("node-a");
    assertThat(TxnSweep.committerOf("nodash")).isNull();
    assertThat(TxnSweep.committerOf(null)).isNull();
  }
}
