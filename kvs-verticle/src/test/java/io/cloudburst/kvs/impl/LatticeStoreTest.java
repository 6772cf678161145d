package io.cloudburst.kvs.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.lattice.CounterLattice;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.lattice.SetLattice;
import io.cloudburst.kvs.impl.LatticeStore.Op;
import io.cloudburst.kvs.impl.LatticeStore.Outcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * The embedded store's records on a real RocksDB: generations, tombstones, the old format,
 * retention.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LatticeStoreTest {
  private static final int MAX = 4096;
  private static final long HOUR = 3_600_000;

  @TempDir Path dir;

  private static SetLattice set(Long... members) {
    return SetLattice.of(List.of(members));
  }

  @Test
  void aValueWrittenBeforeGenerationsReadsAsLiveAtGenerationZero() throws Exception {
    // The previous version stored bare Lattice.encode() bytes.
    try (Options o = new Options().setCreateIfMissing(true);
        RocksDB db = RocksDB.open(o, dir.toString())) {
      db.put("old".getBytes(StandardCharsets.UTF_8), set(1L, 2L).encode());
    }
    try (LatticeStore store = LatticeStore.open(dir, MAX)) {
      assertThat(store.get("old")).isEqualTo(StoredValue.live(set(1L, 2L), 0));
      assertThat(store.apply(List.of(new Op.Put("old", set(3L), 0))))
          .containsExactly(new Outcome.Stored(set(1L, 2L, 3L), 0));
      assertThat(store.apply(List.of(new Op.Delete("old"))))
          .containsExactly(new Outcome.Deleted(true, 1));
    }
  }

  @Test
  void aTombstoneSurvivesReopeningAndRefusesStalePuts() {
    try (LatticeStore store = LatticeStore.open(dir, MAX)) {
      store.apply(List.of(new Op.Put("k", set(1L, 2L), -1), new Op.Delete("k")));
    }
    try (LatticeStore store = LatticeStore.open(dir, MAX)) {
      StoredValue k = store.get("k");
      assertThat(k.isTombstone()).isTrue();
      assertThat(k.generation()).isEqualTo(1);
      assertThat(store.apply(List.of(new Op.Put("k", set(1L, 2L, 3L), 0))))
          .containsExactly(new Outcome.Stale(1));
      assertThat(store.get("k").isTombstone()).as("a stale put stores nothing").isTrue();
      assertThat(store.apply(List.of(new Op.Put("k", set(3L), 1))))
          .containsExactly(new Outcome.Stored(set(3L), 1));
    }
    try (LatticeStore store = LatticeStore.open(dir, MAX)) {
      assertThat(store.get("k")).isEqualTo(StoredValue.live(set(3L), 1));
    }
  }

  @Test
  void opsOfOneBatchSeeEachOthersTombstones() {
    try (LatticeStore store = LatticeStore.open(dir, MAX)) {
      List<Outcome> outcomes =
          store.apply(
              List.of(
                  new Op.Put("c", CounterLattice.of("a", 5), -1),
                  new Op.Delete("c"),
                  new Op.Put("c", CounterLattice.of("a", 7), 0),
                  new Op.Put("c", CounterLattice.of("a", 2), 1),
                  new Op.Delete("c"),
                  new Op.Delete("c")));
      assertThat(outcomes)
          .containsExactly(
              new Outcome.Stored(CounterLattice.of("a", 5), 0),
              new Outcome.Deleted(true, 1),
              new Outcome.Stale(1),
              new Outcome.Stored(CounterLattice.of("a", 2), 1),
              new Outcome.Deleted(true, 2),
              new Outcome.Deleted(false, 2));
    }
  }

  @Test
  void tombstonesPastTheRetentionArePurgedOnOpenAndTheFloorStillRefusesStalePuts() {
    AtomicLong now = new AtomicLong(1_000_000);
    try (LatticeStore store = LatticeStore.open(dir, MAX, 0, now::get)) {
      store.apply(
          List.of(
              new Op.Put("old", LwwLattice.of("v", 1, "n"), -1),
              new Op.Delete("old"),
              new Op.Put("old", LwwLattice.of("w", 2, "n"), -1),
              new Op.Delete("old")));
      now.addAndGet(2 * HOUR);
      store.apply(
          List.of(new Op.Put("young", LwwLattice.of("v", 1, "n"), -1), new Op.Delete("young")));
    }
    now.addAndGet(HOUR / 2);
    try (LatticeStore store = LatticeStore.open(dir, MAX, HOUR, now::get)) {
      assertThat(store.floor()).isEqualTo(2);
      // "old" has no record now: it reads at the floor, above any state read before its deletes.
      assertThat(store.get("old")).isEqualTo(StoredValue.tombstone(2, 0));
      assertThat(store.get("never")).isEqualTo(StoredValue.tombstone(2, 0));
      assertThat(store.get("young").generation())
          .as("younger than the retention: kept")
          .isEqualTo(1);
      assertThat(store.apply(List.of(new Op.Put("old", LwwLattice.of("v", 1, "n"), 1))))
          .containsExactly(new Outcome.Stale(2));
      assertThat(store.apply(List.of(new Op.Put("old", LwwLattice.of("x", 3, "n"), 2))))
          .containsExactly(new Outcome.Stored(LwwLattice.of("x", 3, "n"), 2));
    }
    try (LatticeStore store = LatticeStore.open(dir, MAX)) {
      assertThat(store.floor()).as("the floor is durable").isEqualTo(2);
    }
  }

  @Test
  void storedValuesRoundTripAndCorruptBytesAreInternal() {
    for (StoredValue v :
        List.of(
            StoredValue.live(set(1L), 0),
            StoredValue.live(set(1L), 7),
            StoredValue.tombstone(3, 42))) {
      assertThat(StoredValue.decode("k", v.encode())).isEqualTo(v);
    }
    assertThat(StoredValue.decode("k", null)).isNull();
    byte[] truncated = {StoredValue.MARKER, 0, 0};
    assertThatThrownBy(() -> StoredValue.decode("k", truncated))
        .isInstanceOfSatisfying(
            CloudburstException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
  }
}
