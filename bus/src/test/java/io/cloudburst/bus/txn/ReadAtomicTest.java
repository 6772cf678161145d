package io.cloudburst.bus.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.lattice.CounterLattice;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.lattice.RecentWriters;
import io.cloudburst.bus.lattice.SetLattice;
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

  @Test
  void aSetReadFirstBindsTheOtherKeysOfTheTransactionsThatWroteIt() {
    SetLattice plain = SetLattice.of(List.of("a", "t"));
    SetLattice stamped = plain.withWriter("T", 10);
    Map<String, Lattice> wrote = Map.of("s", stamped, "y", T_Y);
    // Without its writers the set names no transaction: y is read older than T's (fractured).
    assertThat(new ReadAtomic().read("s", plain, t -> wrote)).isEqualTo(plain);
    ReadAtomic blind = new ReadAtomic();
    blind.read("s", plain, t -> wrote);
    assertThat(blind.read("y", OLD_Y, t -> wrote)).isEqualTo(OLD_Y);
    // With them, the reader finds T's record and gets T's y.
    ReadAtomic r = new ReadAtomic();
    List<String> asked = new ArrayList<>();
    assertThat(r.read("s", stamped, t -> record(asked, t, wrote))).isEqualTo(stamped);
    assertThat(r.read("y", OLD_Y, t -> record(asked, t, wrote))).isEqualTo(T_Y);
    assertThat(asked).containsExactly("T");
  }

  @Test
  void aCounterReadFirstBindsTheOtherKeysOfTheTransactionsThatIncrementedIt() {
    CounterLattice plain = CounterLattice.of("n1", 4).increment(TxnIds.stamp("T"), 1);
    CounterLattice stamped = plain.withWriter("T", 10);
    Map<String, Lattice> wrote = Map.of("c", stamped, "y", T_Y);
    ReadAtomic blind = new ReadAtomic();
    blind.read("c", plain, t -> wrote);
    assertThat(blind.read("y", OLD_Y, t -> wrote)).isEqualTo(OLD_Y);
    ReadAtomic r = new ReadAtomic();
    assertThat(r.read("c", stamped, t -> wrote).value()).isEqualTo(5L);
    assertThat(r.read("y", OLD_Y, t -> wrote)).isEqualTo(T_Y);
  }

  @Test
  void aSetReadLooksUpAtMostTheBoundOfWritersOnceEachAndNotThosePushedOut() {
    SetLattice s = SetLattice.of(List.of("t")).withWriter("T", 1);
    for (int i = 0; i < RecentWriters.MAX; i++) {
      s = s.withWriter("U" + i, 2 + i);
    }
    Map<String, Lattice> tWrote = Map.of("y", T_Y);
    List<String> asked = new ArrayList<>();
    ReadAtomic r = new ReadAtomic();
    r.read("s", s, t -> record(asked, t, t.equals("T") ? tWrote : Map.of()));
    r.read("s", s, t -> record(asked, t, Map.of()));
    assertThat(asked).hasSize(RecentWriters.MAX).doesNotContain("T").doesNotHaveDuplicates();
    assertThat(asked.getFirst()).isEqualTo("U" + (RecentWriters.MAX - 1));
    // T was pushed out by MAX newer writers: its other keys are not bound by this read.
    assertThat(r.read("y", OLD_Y, t -> Map.of())).isEqualTo(OLD_Y);
  }

  @Test
  void writersOfEachKind() {
    assertThat(TxnIds.writersOf(T_X)).containsExactly("T");
    assertThat(TxnIds.writersOf(OLD_X)).isEmpty();
    assertThat(TxnIds.writersOf(null)).isEmpty();
    assertThat(TxnIds.writersOf(SetLattice.of(List.of(1L)))).isEmpty();
    assertThat(TxnIds.writersOf(TxnIds.marked(SetLattice.of(List.of(1L)), "A", 3)))
        .containsExactly("A");
    assertThat(TxnIds.writersOf(TxnIds.marked(CounterLattice.of("n", 1), "B", 3)))
        .containsExactly("B");
    assertThat(TxnIds.marked(T_X, "T", 3)).isEqualTo(T_X);
  }

  private static Map<String, Lattice> record(
      List<String> asked, String txn, Map<String, Lattice> wrote) {
    asked.add(txn);
    return wrote;
  }

  private static Map<String, Lattice> record(List<String> asked, String txn) {
    asked.add(txn);
    return T_WROTE;
  }
}
