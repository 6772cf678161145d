package io.cloudburst.kvs.impl;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.spi.merge.MergingValue;
import io.cloudburst.bus.lattice.CounterLattice;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.lattice.SetLattice;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The split-brain merge of the cluster map, with the values Hazelcast would hand it, no cluster.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LatticeMergePolicyTest {
  private final LatticeMergePolicy policy = new LatticeMergePolicy();

  /** A merging value as Hazelcast passes it: the map's stored bytes. */
  private record Value(Object bytes) implements MergingValue<Object> {
    @Override
    public Object getValue() {
      return bytes;
    }

    @Override
    public Object getRawValue() {
      return bytes;
    }
  }

  private static Value of(StoredValue v) {
    return new Value(v.encode());
  }

  private StoredValue merged(StoredValue merging, StoredValue existing) {
    Object out =
        policy.merge(merging == null ? null : of(merging), existing == null ? null : of(existing));
    return StoredValue.decode("k", (byte[]) out);
  }

  @Test
  void twoSidesSetsMergeToTheirUnionWhicheverSideMerges() {
    StoredValue small = StoredValue.live(SetLattice.of(List.of("c1", "both")), 0);
    StoredValue large = StoredValue.live(SetLattice.of(List.of("a1", "b1", "both")), 0);
    for (StoredValue joined : List.of(merged(small, large), merged(large, small))) {
      assertThat(((SetLattice) joined.lattice()).members())
          .containsExactlyInAnyOrder("a1", "b1", "c1", "both");
    }
  }

  @Test
  void anLwwKeyKeepsTheLaterWriteEvenWhenItIsOnTheSmallerSide() {
    StoredValue older = StoredValue.live(LwwLattice.of("from a", 1_000, "a"), 0);
    StoredValue newer = StoredValue.live(LwwLattice.of("from c", 2_000, "c"), 0);
    assertThat(((LwwLattice) merged(newer, older).lattice()).value()).isEqualTo("from c");
    assertThat(((LwwLattice) merged(older, newer).lattice()).value()).isEqualTo("from c");
  }

  @Test
  void countersKeepEveryNodesIncrementsFromBothSides() {
    StoredValue c = StoredValue.live(new CounterLattice(Map.of("a", 5L, "c", 3L)), 0);
    StoredValue ab = StoredValue.live(new CounterLattice(Map.of("a", 7L, "b", 2L)), 0);
    assertThat(((CounterLattice) merged(c, ab).lattice()).counts())
        .isEqualTo(Map.of("a", 7L, "b", 2L, "c", 3L));
  }

  @Test
  void aDeleteOnEitherSideStaysDeletedAndAKeyOnOneSideOnlyIsKept() {
    StoredValue live = StoredValue.live(SetLattice.of(List.of(1L)), 0);
    StoredValue deleted = StoredValue.tombstone(1, 500);
    assertThat(merged(live, deleted)).isEqualTo(deleted);
    assertThat(merged(deleted, live)).isEqualTo(deleted);
    assertThat(merged(live, null)).isEqualTo(live);
    assertThat(merged(null, live)).isEqualTo(live);
  }

  @Test
  void anUnchangedStateComesBackAsTheExistingBytesSoHazelcastSeesNoChange() {
    StoredValue big = StoredValue.live(SetLattice.of(List.of(1L, 2L)), 0);
    Value existing = of(big);
    Object out = policy.merge(of(StoredValue.live(SetLattice.of(List.of(2L)), 0)), existing);
    assertThat(out).isSameAs(existing.bytes());
  }

  @Test
  void statesThatCannotJoinKeepTheExistingOneRatherThanFailTheMerge() {
    Value set = of(StoredValue.live(SetLattice.of(List.of(1L)), 0));
    Value lww = of(StoredValue.live(LwwLattice.of("x", 1, "n"), 0));
    assertThat(policy.merge(lww, set)).isSameAs(set.bytes());
    Value corrupt = new Value(new byte[] {(byte) 0xC6, 9, 0});
    assertThat(policy.merge(corrupt, set)).isSameAs(set.bytes());
    assertThat(policy.merge(new Value("not bytes"), set)).isSameAs(set.bytes());
  }
}
