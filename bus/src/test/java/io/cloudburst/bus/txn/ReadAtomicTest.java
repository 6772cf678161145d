package io.cloudburst.bus.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LwwLattice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReadAtomicTest {
  private static final LwwLattice OLD_X = LwwLattice.of("old", 1, "n1");
  private static final LwwLattice OLD_Y = LwwLattice.of("old", 1, "n1");
  private static final LwwLattice T_X = LwwLattice.of("t", 10, TxnIds.stamp("T"));
  private static final LwwLattice T_Y = LwwLattice.of("t", 10, TxnIds.stamp("T"));
  private static final Map<String, Lattice> T_WROTE = Map.of("x", T_X, "y", T_Y);

  @Test
  void aReaderThatSawATransactionNeverGetsAnOlderVersionOfItsOtherKeys() {
    ReadAtomic r = new ReadAtomic();
    List<String> asked = new ArrayList<>();
    assertThat(r.read("x", T_X, t -> record(asked, t))).isEqualTo(T_X);
    // The apply has not reached y's cache yet: the commit record answers.
    assertThat(r.read("y", OLD_Y, t -> record(asked, t))).isEqualTo(T_Y);
    assertThat(asked).containsExactly("T");
  }

  @Test
  void aNewerVersionThanTheTransactionsIsKept() {
    ReadAtomic r = new ReadAtomic();
    r.read("x", T_X, t -> T_WROTE);
    LwwLattice newer = LwwLattice.of("newer", 20, "n2");
    assertThat(r.read("y", newer, t -> T_WROTE)).isEqualTo(newer);
  }

  @Test
  void anAbsentKeyTheTransactionWroteIsServedFromTheRecord() {
    ReadAtomic r = new ReadAtomic();
    r.read("x", T_X, t -> T_WROTE);
    assertThat(r.read("y", null, t -> T_WROTE)).isEqualTo(T_Y);
  }

  @Test
  void versionsOfNoTransactionOrAGoneRecordBindNothing() {
    ReadAtomic r = new ReadAtomic();
    assertThat(r.read("x", OLD_X, t -> T_WROTE)).isEqualTo(OLD_X);
    assertThat(r.read("y", OLD_Y, t -> T_WROTE)).isEqualTo(OLD_Y);
    ReadAtomic gone = new ReadAtomic();
    gone.read("x", T_X, t -> null);
    assertThat(gone.read("y", OLD_Y, t -> null)).isEqualTo(OLD_Y);
  }

  @Test
  void boundsPassToADownstreamReader() {
    ReadAtomic up = new ReadAtomic();
    up.read("x", T_X, t -> T_WROTE);
    ReadAtomic down = new ReadAtomic(up.bounds());
    assertThat(down.read("y", OLD_Y, t -> Map.of())).isEqualTo(T_Y);
  }

  private static Map<String, Lattice> record(List<String> asked, String txn) {
    asked.add(txn);
    return T_WROTE;
  }
}
