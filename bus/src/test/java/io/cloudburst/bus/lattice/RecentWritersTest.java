package io.cloudburst.bus.lattice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The recent writers of sets and counters: a join semilattice under its bound (on a domain of more
 * transactions than the bound and few times, so trimming and ties come up often), which sets and
 * counters carry through merge and their binary form without it touching their value, and decoding
 * encodings written before it existed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RecentWritersTest {

  @Property(tries = 500)
  void joinIsCommutativeAssociativeAndIdempotent(@ForAll("triples") List<RecentWriters> w) {
    RecentWriters a = w.get(0);
    RecentWriters b = w.get(1);
    RecentWriters c = w.get(2);
    assertThat(a.join(b)).isEqualTo(b.join(a));
    assertThat(a.join(b).join(c)).isEqualTo(a.join(b.join(c)));
    assertThat(a.join(a)).isEqualTo(a);
    assertThat(a.join(b).join(b)).isEqualTo(a.join(b));
  }

  @Property(tries = 300)
  void aJoinKeepsTheNewestEntriesOfTheUnionAtMostMax(@ForAll("triples") List<RecentWriters> w) {
    RecentWriters ab = w.get(0).join(w.get(1));
    assertThat(ab.stamps()).hasSizeLessThanOrEqualTo(RecentWriters.MAX);
    Map<String, Long> union = new LinkedHashMap<>(w.get(0).stamps());
    w.get(1).stamps().forEach((t, ts) -> union.merge(t, ts, Math::max));
    assertThat(ab).isEqualTo(new RecentWriters(union));
    assertThat(ab.stamps()).hasSize(Math.min(union.size(), RecentWriters.MAX));
    ab.stamps().forEach((t, ts) -> assertThat(union).containsEntry(t, ts));
  }

  @Test
  void theOldestWritersArePushedOutAndTheRestListNewestFirst() {
    RecentWriters w = RecentWriters.none();
    for (int i = 0; i < RecentWriters.MAX + 4; i++) {
      w = w.join(RecentWriters.of("T" + (100 + i), 1_000 + i));
    }
    assertThat(w.stamps()).hasSize(RecentWriters.MAX).doesNotContainKeys("T100", "T103");
    List<String> expected = new ArrayList<>();
    for (int i = RecentWriters.MAX + 3; i >= 4; i--) {
      expected.add("T" + (100 + i));
    }
    assertThat(w.newestFirst()).isEqualTo(expected);
    // The same transaction writing again keeps one entry, at its later time.
    assertThat(RecentWriters.of("T", 5).join(RecentWriters.of("T", 9)))
        .isEqualTo(RecentWriters.of("T", 9));
  }

  @Test
  void setsAndCountersJoinTheirWritersOnMergeAndTheValueIgnoresThem() {
    SetLattice s1 = SetLattice.of(List.of("a")).withWriter("T1", 10);
    SetLattice s2 = SetLattice.of(List.of("b")).withWriter("T2", 20);
    SetLattice s = s1.merge(s2);
    assertThat(s.value()).containsExactly("a", "b");
    assertThat(s.writers().newestFirst()).containsExactly("T2", "T1");
    assertThat(s.value()).isEqualTo(SetLattice.of(List.of("a", "b")).value());

    CounterLattice c1 = CounterLattice.of("txn:T1", 2).withWriter("T1", 10);
    CounterLattice c2 = CounterLattice.of("txn:T2", 3).withWriter("T2", 20);
    CounterLattice c = c1.merge(c2).increment("n1", 1);
    assertThat(c.value()).isEqualTo(6L);
    assertThat(c.writers().newestFirst()).containsExactly("T2", "T1");
    assertThat(CounterLattice.of("n", 4).withWriter("T", 1).value()).isEqualTo(4L);
  }

  @Test
  void anUnstampedSetOrCounterEncodesAsItAlwaysDidAndOldEncodingsDecode() {
    // The layouts written before recent writers existed: tag, count, members / entries.
    byte[] oldSet = {2, 2, 3, 2, 6, 1, 'x'}; // set of 1L and "x"
    byte[] oldCounter = {3, 1, 2, 'n', '1', 5}; // counter n1 = 5
    SetLattice set = (SetLattice) Lattices.decode(oldSet);
    assertThat(set.value()).containsExactly(1L, "x");
    assertThat(set.writers().isEmpty()).isTrue();
    assertThat(set.encode()).isEqualTo(oldSet);
    CounterLattice counter = (CounterLattice) Lattices.decode(oldCounter);
    assertThat(counter.value()).isEqualTo(5L);
    assertThat(counter.writers().isEmpty()).isTrue();
    assertThat(counter.encode()).isEqualTo(oldCounter);
  }

  @Test
  void stampedSetsAndCountersRoundTripWithTheirWriters() {
    SetLattice set = SetLattice.of(List.of(1L, "x")).withWriter("T1", 7).withWriter("T2", 9);
    CounterLattice counter = CounterLattice.of("n1", 5).withWriter("T3", 11);
    for (Lattice l : List.<Lattice>of(set, counter)) {
      byte[] bytes = l.encode();
      assertThat(Lattices.decode(bytes)).isEqualTo(l);
    }
    // The stamped set is the old layout followed by the writers' section.
    byte[] old = SetLattice.of(List.of(1L, "x")).encode();
    assertThat(set.encode()).startsWith(old).hasSizeGreaterThan(old.length);
  }

  @Test
  void anUnknownTrailingSectionIsRejected() {
    assertThatThrownBy(() -> Lattices.decode(new byte[] {3, 1, 2, 'n', '1', 5, 9, 0}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Lattices.decode(new byte[] {3, 1, 2, 'n', '1', 5, 1, 1}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Provide
  Arbitrary<List<RecentWriters>> triples() {
    return writers().list().ofSize(3);
  }

  /** Up to 20 of 24 transactions (more than the bound), at one of 4 times. */
  static Arbitrary<RecentWriters> writers() {
    return Arbitraries.maps(
            Arbitraries.integers().between(0, 23).map(i -> "T" + i),
            Arbitraries.longs().between(0, 3))
        .ofMaxSize(20)
        .map(RecentWriters::new);
  }
}
