package io.cloudburst.bus.lattice;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.value.Bytes;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The semilattice laws for every kind, on small domains (few node ids, timestamps and values) so
 * that ties, equal clocks and concurrent versions come up often; and the binary round trip.
 */
class LatticeLawsTest {

  @Property(tries = 400)
  void mergeIsCommutative(@ForAll("sameKindTriples") List<Lattice> l) {
    assertThat(l.get(0).merge(l.get(1))).isEqualTo(l.get(1).merge(l.get(0)));
  }

  @Property(tries = 400)
  void mergeIsAssociative(@ForAll("sameKindTriples") List<Lattice> l) {
    Lattice a = l.get(0);
    Lattice b = l.get(1);
    Lattice c = l.get(2);
    assertThat(a.merge(b).merge(c)).isEqualTo(a.merge(b.merge(c)));
  }

  @Property(tries = 400)
  void mergeIsIdempotent(@ForAll("sameKindTriples") List<Lattice> l) {
    Lattice a = l.get(0);
    Lattice ab = a.merge(l.get(1));
    assertThat(a.merge(a)).isEqualTo(a);
    assertThat(ab.merge(l.get(1))).isEqualTo(ab);
    assertThat(ab.merge(a)).isEqualTo(ab);
  }

  @Property(tries = 400)
  void encodeDecodeRoundTrips(@ForAll("sameKindTriples") List<Lattice> l) {
    for (Lattice x : List.of(l.get(0), l.get(0).merge(l.get(1)))) {
      byte[] bytes = x.encode();
      Lattice back = Lattices.decode(bytes);
      assertThat(back).isEqualTo(x);
      assertThat(back.encode()).isEqualTo(bytes);
    }
  }

  @Provide
  Arbitrary<List<Lattice>> sameKindTriples() {
    return Arbitraries.oneOf(
        triple(lww()), triple(set()), triple(counter()), triple(causal()), triple(multiCausal()));
  }

  private static Arbitrary<List<Lattice>> triple(Arbitrary<? extends Lattice> a) {
    return a.map(Lattice.class::cast).list().ofSize(3);
  }

  static Arbitrary<String> nodes() {
    return Arbitraries.of("a", "b", "c");
  }

  static Arbitrary<Object> scalars() {
    return Arbitraries.oneOf(
        Arbitraries.just(null),
        Arbitraries.of(true, false),
        Arbitraries.longs().between(-2, 2).map(Object.class::cast),
        Arbitraries.of(0.0, -0.0, 1.5, Double.NaN),
        Arbitraries.strings().withChars("xyé").ofMaxLength(2).map(Object.class::cast),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(2).map(Bytes::new));
  }

  static Arbitrary<Object> values() {
    Arbitrary<Object> list =
        scalars().list().ofMaxSize(2).map(l -> (Object) Collections.unmodifiableList(l));
    Arbitrary<Object> map =
        Arbitraries.maps(Arbitraries.of("p", "q", "r"), scalars())
            .ofMaxSize(3)
            .map(m -> (Object) Collections.unmodifiableMap(new LinkedHashMap<>(m)));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, scalars()),
        net.jqwik.api.Tuple.of(1, list),
        net.jqwik.api.Tuple.of(1, map));
  }

  static Arbitrary<VectorClock> clocks() {
    return Arbitraries.maps(nodes(), Arbitraries.longs().between(0, 2))
        .ofMaxSize(3)
        .map(VectorClock::new);
  }

  static Arbitrary<LwwLattice> lww() {
    return Combinators.combine(
            Arbitraries.longs().between(0, 2), nodes(), Arbitraries.of(1L, 2L, "x", "y"))
        .as(LwwLattice::new);
  }

  static Arbitrary<SetLattice> set() {
    return Combinators.combine(values().list().ofMaxSize(4), maybeWriters()).as(SetLattice::new);
  }

  static Arbitrary<CounterLattice> counter() {
    return Combinators.combine(
            Arbitraries.maps(nodes(), Arbitraries.longs().between(0, 3)).ofMaxSize(3),
            maybeWriters())
        .as(CounterLattice::new);
  }

  /** Mostly none (what plain writes make), else recent writers of atomic calls. */
  static Arbitrary<RecentWriters> maybeWriters() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(1, Arbitraries.just(RecentWriters.none())),
        net.jqwik.api.Tuple.of(1, RecentWritersTest.writers()));
  }

  static Arbitrary<CausalLattice> causal() {
    Arbitrary<CausalLattice.Version> v =
        Combinators.combine(clocks(), Arbitraries.of(1L, 2L, "x")).as(CausalLattice.Version::new);
    return v.list().ofMaxSize(3).map(CausalLattice::new);
  }

  static Arbitrary<MultiKeyCausalLattice> multiCausal() {
    Arbitrary<Map<String, VectorClock>> deps =
        Arbitraries.maps(Arbitraries.of("k1", "k2"), clocks()).ofMaxSize(2);
    Arbitrary<MultiKeyCausalLattice.Version> v =
        Combinators.combine(clocks(), deps, Arbitraries.of(1L, "x"))
            .as(MultiKeyCausalLattice.Version::new);
    return v.list().ofMaxSize(3).map(MultiKeyCausalLattice::new);
  }
}
