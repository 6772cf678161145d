package io.cloudburst.cache.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.lattice.SetLattice;
import java.util.List;
import org.junit.jupiter.api.Test;

class VersionedTest {
  private static final Versioned OLD = new Versioned(SetLattice.of(List.of(1L, 2L)), 0);
  private static final Versioned DELETED = Versioned.absent(1);
  private static final Versioned REWRITTEN = new Versioned(SetLattice.of(List.of(3L)), 1);

  @Test
  void aHigherGenerationWinsInEitherOrder() {
    assertThat(Versioned.combine(OLD, DELETED)).isEqualTo(DELETED);
    assertThat(Versioned.combine(DELETED, OLD)).isEqualTo(DELETED);
    assertThat(Versioned.combine(OLD, REWRITTEN)).isEqualTo(REWRITTEN);
    assertThat(Versioned.combine(REWRITTEN, OLD)).isEqualTo(REWRITTEN);
  }

  @Test
  void atOneGenerationAValueBeatsTheTombstoneItWasWrittenOntoAndValuesMerge() {
    assertThat(Versioned.combine(REWRITTEN, DELETED)).isEqualTo(REWRITTEN);
    assertThat(Versioned.combine(DELETED, REWRITTEN)).isEqualTo(REWRITTEN);
    assertThat(Versioned.combine(REWRITTEN, new Versioned(SetLattice.of(List.of(4L)), 1)))
        .isEqualTo(new Versioned(SetLattice.of(List.of(3L, 4L)), 1));
    assertThat(Versioned.combine(null, OLD)).isEqualTo(OLD);
    assertThat(Versioned.combine(OLD, null)).isEqualTo(OLD);
  }

  @Test
  void valuesOfDifferentKindsAtOneGenerationResolveToTheLaterArrival() {
    Versioned lww = new Versioned(LwwLattice.of("v", 1, "n"), 0);
    assertThat(Versioned.combine(OLD, lww)).isEqualTo(lww);
  }
}
