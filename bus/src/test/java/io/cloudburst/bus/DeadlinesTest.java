package io.cloudburst.bus;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeadlinesTest {

  @Test
  void aCallWithoutATimeoutGetsTheDefaultAndALongOneIsCapped() {
    assertThat(Deadlines.callTimeout(0, 30_000, 300_000)).isEqualTo(30_000);
    assertThat(Deadlines.callTimeout(-5, 30_000, 300_000)).isEqualTo(30_000);
    assertThat(Deadlines.callTimeout(1_234, 30_000, 300_000)).isEqualTo(1_234);
    assertThat(Deadlines.callTimeout(900_000, 30_000, 300_000)).isEqualTo(300_000);
  }

  @Test
  void aFrontDoorWaitsLongerThanTheCallAndTheLayersBelowIt() {
    assertThat(Deadlines.frontWait(2_000, true)).isEqualTo(2_000 + Deadlines.FRONT_MARGIN_MS);
    assertThat(Deadlines.frontWait(0, true))
        .isEqualTo(Deadlines.CALL_MAX_MS + Deadlines.FRONT_MARGIN_MS);
    assertThat(Deadlines.frontWait(2_000, false)).isEqualTo(Deadlines.REQUEST_MS);
    assertThat(Deadlines.FRONT_MARGIN_MS).isGreaterThan(Deadlines.CLIENT_MARGIN_MS);
    assertThat(Deadlines.CLIENT_MARGIN_MS).isGreaterThan(Deadlines.EXECUTOR_MARGIN_MS);
    assertThat(Deadlines.REQUEST_MS).isGreaterThan(Deadlines.VALIDATE_MS);
  }

  @Test
  void aCommitOutlastsItsThreeStoreRequests() {
    assertThat(Deadlines.COMMIT_MS).isEqualTo(3 * Deadlines.STATE_MS).isEqualTo(45_000);
  }
}
