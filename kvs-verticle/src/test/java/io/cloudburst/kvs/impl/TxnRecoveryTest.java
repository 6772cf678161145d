package io.cloudburst.kvs.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.txn.CommitRecord;
import io.cloudburst.bus.txn.TxnIds;
import io.cloudburst.kvs.impl.LatticeStore.Op;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store's sweep when it opens, on a real RocksDB, with a fake clock. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TxnRecoveryTest {
  private static final long HOUR = 3_600_000;
  private static final long NOW = 1_000 * HOUR;
  private static final long RETENTION = 24 * HOUR;

  @TempDir Path dir;

  private static CommitRecord record(String txn, long ts, boolean applied, String... keys) {
    Map<String, Lattice> writes = new java.util.TreeMap<>();
    for (String k : keys) {
      writes.put(k, new LwwLattice(ts, TxnIds.stamp(txn), txn));
    }
    return new CommitRecord(txn, "a-" + "0".repeat(32), null, "f", ts, writes, txn, applied);
  }

  private static void write(LatticeStore store, CommitRecord r) {
    store.apply(List.of(new Op.Put(TxnIds.recordKey(r.txn()), r.toLattice(), -1)));
  }

  private static CommitRecord stored(LatticeStore store, String txn) {
    Lattice l = StoredValue.latticeOf(store.get(TxnIds.recordKey(txn)));
    return l == null ? null : CommitRecord.fromLattice(l);
  }

  @Test
  void everyUnappliedRecordIsRolledForwardAndMarkedHoweverYoung() {
    try (LatticeStore store = LatticeStore.open(dir, 1 << 20)) {
      write(store, record("t1", NOW, false, "x", "y"));
      write(store, record("t2", NOW - 30 * 24 * HOUR, false, "z"));

      int rolled = TxnRecovery.recover(store, RETENTION, NOW);

      assertThat(rolled).isEqualTo(2);
      assertThat(StoredValue.latticeOf(store.get("x")).value()).isEqualTo("t1");
      assertThat(StoredValue.latticeOf(store.get("y")).value()).isEqualTo("t1");
      assertThat(StoredValue.latticeOf(store.get("z")).value()).isEqualTo("t2");
      assertThat(stored(store, "t1").applied()).isTrue();
      assertThat(stored(store, "t2").applied()).isTrue();
    }
  }

  @Test
  void appliedRecordsPastTheRetentionAreRemovedAndYoungerOnesKept() {
    try (LatticeStore store = LatticeStore.open(dir, 1 << 20)) {
      write(store, record("old", NOW - RETENTION, true, "a"));
      write(store, record("recent", NOW - RETENTION + 1, true, "b"));

      int rolled = TxnRecovery.recover(store, RETENTION, NOW);

      assertThat(rolled).isZero();
      assertThat(store.get(TxnIds.recordKey("old")).isTombstone()).isTrue();
      assertThat(store.getRaw(TxnIds.recordKey("old"))).as("removed outright").isNull();
      assertThat(stored(store, "recent")).isNotNull();
    }
  }

  @Test
  void aZeroRetentionKeepsAppliedRecords() {
    try (LatticeStore store = LatticeStore.open(dir, 1 << 20)) {
      write(store, record("old", 0, true, "a"));

      TxnRecovery.recover(store, 0, NOW);

      assertThat(stored(store, "old")).isNotNull();
    }
  }
}
