package io.cloudburst.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class SchedulerOptionsTest {
  @Test
  void theRegistryIsPersistentUnlessTurnedOff() {
    SchedulerOptions defaults = SchedulerOptions.fromJson(new JsonObject());
    assertThat(defaults.persistent()).isTrue();
    assertThat(defaults.kvsTimeoutMs()).isEqualTo(SchedulerOptions.DEFAULT_KVS_TIMEOUT_MS);
    assertThat(defaults.cacheReportStaleMs())
        .isEqualTo(SchedulerOptions.DEFAULT_CACHE_REPORT_STALE_MS);
    assertThat(SchedulerOptions.fromJson(new JsonObject().put("persistent", false)).persistent())
        .isFalse();
  }

  @Test
  void aNonPositiveStoreTimeoutOrStalenessBoundNamesItsField() {
    assertThatThrownBy(() -> SchedulerOptions.fromJson(new JsonObject().put("kvsTimeoutMs", 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kvsTimeoutMs");
    assertThatThrownBy(
            () -> SchedulerOptions.fromJson(new JsonObject().put("cacheReportStaleMs", -1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cacheReportStaleMs");
  }
}
