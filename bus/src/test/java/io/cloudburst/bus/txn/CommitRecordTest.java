package io.cloudburst.bus.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.lattice.CounterLattice;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.Lattices;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.lattice.SetLattice;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CommitRecordTest {
  private static final CommitRecord RECORD =
      new CommitRecord(
          "req-ab",
          "n1-c0ffee",
          "transfer-1",
          "transfer",
          1_000,
          Map.of(
              "alice",
              LwwLattice.of(90L, 999, TxnIds.stamp("req-ab")),
              "log",
              SetLattice.ofValue(List.of("t1")).withWriter("req-ab", 999),
              "n",
              CounterLattice.of(TxnIds.stamp("req-ab"), 3).withWriter("req-ab", 999)),
          Map.of("ok", true),
          false);

  @Test
  void aRecordSurvivesTheStoresBinaryForm() {
    Lattice stored = Lattices.decode(RECORD.toLattice().encode());
    assertThat(CommitRecord.fromLattice(stored)).isEqualTo(RECORD);
    assertThat(TxnIds.writersOf(CommitRecord.fromLattice(stored).writes().get("log")))
        .containsExactly("req-ab");
  }

  @Test
  void theAppliedMarkWinsOverTheFirstWrite() {
    Lattice merged = RECORD.toLattice().merge(RECORD.markApplied().toLattice());
    assertThat(CommitRecord.fromLattice(merged).applied()).isTrue();
    assertThat(CommitRecord.fromLattice(RECORD.markApplied().toLattice().merge(RECORD.toLattice())))
        .isEqualTo(RECORD.markApplied());
  }

  @Test
  void aRequestIdNamesTheSameTransactionEveryTime() {
    assertThat(TxnIds.of("call-1", "r1")).isEqualTo(TxnIds.of("call-2", "r1"));
    assertThat(TxnIds.of("call-1", "r1")).isNotEqualTo(TxnIds.of("call-1", "r2"));
    assertThat(TxnIds.of("call-1", null)).isEqualTo("call-1");
    assertThat(TxnIds.writerOf(LwwLattice.of(1L, 1, TxnIds.stamp("T")))).isEqualTo("T");
    assertThat(TxnIds.writerOf(LwwLattice.of(1L, 1, "node1"))).isNull();
  }
}
