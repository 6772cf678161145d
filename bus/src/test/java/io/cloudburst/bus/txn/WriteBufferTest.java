package io.cloudburst.bus.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.lattice.CounterLattice;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.lattice.SetLattice;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WriteBufferTest {
  @Test
  void branchesJoinPerKeyWithTheLatticeMerge() {
    Map<String, Lattice> left =
        Map.of("a", LwwLattice.of("l", 5, "txn:t"), "s", SetLattice.ofValue(List.of("x")));
    Map<String, Lattice> right =
        Map.of(
            "a",
            LwwLattice.of("r", 7, "txn:t"),
            "s",
            SetLattice.ofValue(List.of("y")),
            "c",
            CounterLattice.of("txn:t", 2));
    Map<String, Lattice> joined = WriteBuffer.joinAll(left, null, right);
    assertThat(joined.get("a").value()).isEqualTo("r");
    assertThat(joined.get("s").value()).isEqualTo(List.of("x", "y"));
    assertThat(joined.get("c").value()).isEqualTo(2L);
    assertThat(WriteBuffer.joinAll(right, left)).isEqualTo(joined);
  }

  @Test
  void aBufferOverItsBoundRefusesTheWriteAndKeepsWhatItHad() {
    WriteBuffer b = new WriteBuffer(100);
    b.put("k", LwwLattice.of("small", 1, "n"));
    long before = b.bytes();
    assertThatThrownBy(() -> b.put("big", LwwLattice.of("x".repeat(200), 2, "n")))
        .isInstanceOfSatisfying(
            CloudburstException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE));
    assertThat(b.snapshot()).containsOnlyKeys("k");
    assertThat(b.bytes()).isEqualTo(before);
    // Caught or not, the overflow stays: the call must fail, never commit what fit.
    assertThat(b.overflow()).isNotNull();
    assertThatThrownBy(() -> b.put("tiny", LwwLattice.of(1L, 3, "n"))).isSameAs(b.overflow());
    assertThat(
            io.cloudburst.bus.msg.CallResult.done("c", "f", 1L, null, "x", 0).withBuffer(b).code())
        .isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
  }

  @Test
  void rewritingAKeyCountsOnlyItsLatestState() {
    WriteBuffer b = new WriteBuffer(200);
    for (int i = 0; i < 100; i++) {
      b.put("k", LwwLattice.of("v" + i, i, "n"));
    }
    assertThat(b.bytes()).isLessThan(50);
    assertThat(b.get("k").value()).isEqualTo("v99");
  }
}
