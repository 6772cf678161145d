package io.cloudburst.kvs.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.lattice.CounterLattice;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.lattice.SetLattice;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The join of two stores' states of one key, as a cluster restore makes it. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class StoredValueJoinTest {
  private static StoredValue set(long generation, Long... members) {
    return StoredValue.live(SetLattice.of(List.of(members)), generation);
  }

  @Test
  void theHigherGenerationWinsSoAnOlderValueDoesNotUndoADelete() {
    StoredValue before = set(0, 1L, 2L);
    StoredValue deleted = StoredValue.tombstone(1, 1_000);
    assertThat(StoredValue.join(before, deleted)).isEqualTo(deleted);
    assertThat(StoredValue.join(deleted, before)).isEqualTo(deleted);
  }

  @Test
  void aValueAtATombstonesGenerationWasWrittenAfterItAndWins() {
    StoredValue deleted = StoredValue.tombstone(3, 1_000);
    StoredValue rewritten = StoredValue.live(LwwLattice.of("new", 5, "n"), 3);
    assertThat(StoredValue.join(deleted, rewritten)).isEqualTo(rewritten);
    assertThat(StoredValue.join(rewritten, deleted)).isEqualTo(rewritten);
  }

  @Test
  void liveValuesAtOneGenerationMergeTheirLatticesInEitherOrder() {
    StoredValue a = set(2, 1L, 2L);
    StoredValue b = set(2, 2L, 3L);
    StoredValue joined = StoredValue.join(a, b);
    assertThat(joined.generation()).isEqualTo(2);
    assertThat(((SetLattice) joined.lattice()).members()).containsExactlyInAnyOrder(1L, 2L, 3L);
    assertThat(StoredValue.join(b, a)).isEqualTo(joined);
    assertThat(StoredValue.join(joined, a)).as("idempotent").isEqualTo(joined);
  }

  @Test
  void aMissingStateJoinsAsNothingAndTwoTombstonesKeepTheLaterDeletion() {
    StoredValue v = StoredValue.live(CounterLattice.of("n", 4), 0);
    assertThat(StoredValue.join(null, v)).isEqualTo(v);
    assertThat(StoredValue.join(v, null)).isEqualTo(v);
    assertThat(StoredValue.join(null, null)).isNull();
    StoredValue t1 = StoredValue.tombstone(1, 10);
    StoredValue t2 = StoredValue.tombstone(1, 20);
    assertThat(StoredValue.join(t1, t2)).isEqualTo(t2);
    assertThat(StoredValue.join(t2, t1)).isEqualTo(t2);
  }

  @Test
  void twoLatticeKindsAtOneGenerationAreAConflict() {
    assertThatThrownBy(
            () -> StoredValue.join(set(0, 1L), StoredValue.live(LwwLattice.of("x", 1, "n"), 0)))
        .isInstanceOfSatisfying(
            CloudburstException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));
  }
}
