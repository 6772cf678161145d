package io.cloudburst.bus.lattice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.value.Bytes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LatticeTest {

  @Test
  void lwwNewerTimestampWinsThenGreaterNodeId() {
    LwwLattice old = LwwLattice.of("old", 1, "z");
    LwwLattice fresh = LwwLattice.of("new", 2, "a");
    assertThat(old.merge(fresh).value()).isEqualTo("new");
    assertThat(fresh.merge(old).value()).isEqualTo("new");
    LwwLattice tieA = LwwLattice.of("from-a", 5, "a");
    LwwLattice tieB = LwwLattice.of("from-b", 5, "b");
    assertThat(tieA.merge(tieB).value()).isEqualTo("from-b");
    assertThat(tieB.merge(tieA).value()).isEqualTo("from-b");
  }

  @Test
  void setIsTheUnionInCanonicalOrderWithMapsComparedByEntries() {
    Map<String, Object> ab = new LinkedHashMap<>();
    ab.put("a", 1L);
    ab.put("b", 2L);
    Map<String, Object> ba = new LinkedHashMap<>();
    ba.put("b", 2L);
    ba.put("a", 1L);
    SetLattice s1 = SetLattice.of(List.of("x", 3L, ab));
    SetLattice s2 = SetLattice.of(List.of(3L, "y", ba));
    SetLattice u = s1.merge(s2);
    assertThat(u.value()).hasSize(4).contains("x", "y", 3L);
    assertThat(u.value()).isEqualTo(s2.merge(s1).value());
    assertThat(SetLattice.ofValue("one").value()).containsExactly("one");
  }

  @Test
  void counterSumsPerNodeMaximums() {
    CounterLattice a = CounterLattice.of("a", 3).increment("a", 2);
    CounterLattice b = CounterLattice.of("b", 4);
    CounterLattice staleA = CounterLattice.of("a", 1);
    assertThat(a.merge(b).merge(staleA).value()).isEqualTo(9L);
    assertThat(a.merge(a).value()).isEqualTo(5L);
    assertThatThrownBy(() -> a.increment("a", -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void causalKeepsConcurrentWritesAndALaterWriteReplacesThem() {
    CausalLattice base = CausalLattice.of(VectorClock.of("a", 1), "v0");
    CausalLattice fromA = base.write("a", "va");
    CausalLattice fromB = base.write("b", "vb");
    CausalLattice both = fromA.merge(fromB).merge(base);
    assertThat(both.value()).isEqualTo(List.of("va", "vb"));
    assertThat(both.clock()).isEqualTo(new VectorClock(Map.of("a", 2L, "b", 1L)));
    CausalLattice resolved = both.write("c", "vc");
    assertThat(both.merge(resolved).value()).isEqualTo("vc");
  }

  @Test
  void multiKeyCausalCarriesDependencies() {
    MultiKeyCausalLattice m =
        MultiKeyCausalLattice.of(VectorClock.of("a", 1), Map.of("k", VectorClock.of("b", 2)), 1L);
    MultiKeyCausalLattice n =
        MultiKeyCausalLattice.of(VectorClock.of("b", 1), Map.of("k", VectorClock.of("c", 1)), 2L);
    MultiKeyCausalLattice j = m.merge(n);
    assertThat(j.value()).isEqualTo(List.of(1L, 2L));
    assertThat(j.dependencies().get("k")).isEqualTo(new VectorClock(Map.of("b", 2L, "c", 1L)));
    assertThat(j.write("a", Map.of(), 3L).merge(j).value()).isEqualTo(3L);
  }

  @Test
  void vectorClockOrders() {
    VectorClock a = new VectorClock(Map.of("a", 1L, "b", 0L));
    assertThat(a).isEqualTo(VectorClock.of("a", 1));
    assertThat(a.compare(a.increment("b"))).isEqualTo(VectorClock.Order.BEFORE);
    assertThat(a.increment("a").compare(a)).isEqualTo(VectorClock.Order.AFTER);
    assertThat(a.compare(VectorClock.of("b", 1))).isEqualTo(VectorClock.Order.CONCURRENT);
    assertThat(a.compare(VectorClock.of("a", 1))).isEqualTo(VectorClock.Order.EQUAL);
  }

  @Test
  void mergingAnotherKindIsAConflict() {
    assertThatThrownBy(() -> LwwLattice.of(1L, 1, "a").merge(SetLattice.ofValue(1L)))
        .isInstanceOfSatisfying(
            CloudburstException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));
    assertThatThrownBy(() -> Lattices.write(CounterLattice.of("a", 1), LatticeKind.LWW, 1L, "a", 1))
        .isInstanceOfSatisfying(
            CloudburstException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));
  }

  @Test
  void plainWritesFollowTheKeysKind() {
    Lattice counter = Lattices.write(null, LatticeKind.COUNTER, 2L, "n", 10);
    counter = counter.merge(Lattices.write(counter, null, 3L, "n", 11));
    assertThat(counter.value()).isEqualTo(5L);
    assertThatThrownBy(() -> Lattices.write(null, LatticeKind.COUNTER, -1L, "n", 1))
        .isInstanceOfSatisfying(
            CloudburstException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));

    Lattice lww = Lattices.write(null, null, "first", "n", 100);
    assertThat(lww.kind()).isEqualTo(LatticeKind.LWW);
    // A clock that went backwards still produces a write that wins over the node's last one.
    Lattice second = Lattices.write(lww, null, "second", "n", 50);
    assertThat(lww.merge(second).value()).isEqualTo("second");

    Lattice causal = Lattices.write(null, LatticeKind.CAUSAL, "c1", "n", 0);
    assertThat(causal.merge(Lattices.write(causal, null, "c2", "n", 0)).value()).isEqualTo("c2");
  }

  @Test
  void bytesAreStoredRawNotAsBase64() {
    byte[] data = new byte[3000];
    Lattice l = LwwLattice.of(new Bytes(data), 1, "n");
    assertThat(l.encode().length).isLessThan(3020);
    assertThat(((Bytes) Lattices.decode(l.encode()).value()).data()).isEqualTo(data);
  }

  @Test
  void corruptBytesAreRejected() {
    byte[] good = SetLattice.of(List.of("abc", 1L)).encode();
    assertThatThrownBy(() -> Lattices.decode(java.util.Arrays.copyOf(good, good.length - 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Lattices.decode(new byte[] {42}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Lattices.decode(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void kindsParseByWireName() {
    assertThat(LatticeKind.parse("lww")).isEqualTo(LatticeKind.LWW);
    assertThat(LatticeKind.parse("multi_causal")).isEqualTo(LatticeKind.MULTI_CAUSAL);
    assertThatThrownBy(() -> LatticeKind.parse("bogus")).isInstanceOf(CloudburstException.class);
  }
}
