package io.cloudburst.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.lattice.LwwLattice;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PinnedVersionsTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close();
  }

  @Test
  void aPinnedStateStaysUntilTheSessionEndsAndTheFirstPinOfAKeyWins() {
    PinnedVersions pins = PinnedVersions.of(vertx, "n1");
    pins.pin("s1", Map.of("k", LwwLattice.of("a", 1, "n")), 1_000);
    pins.pin("s1", Map.of("k", LwwLattice.of("b", 2, "n"), "j", LwwLattice.of("c", 3, "n")), 1_000);
    assertThat(pins.get("s1", "k")).isEqualTo(LwwLattice.of("a", 1, "n"));
    assertThat(pins.get("s1", "j")).isEqualTo(LwwLattice.of("c", 3, "n"));
    assertThat(pins.get("s2", "k")).isNull();
    assertThat(PinnedVersions.of(vertx, "n1").get("s1", "k")).as("one map per node").isNotNull();
    assertThat(PinnedVersions.of(vertx, "n2").get("s1", "k")).isNull();
    pins.end("s1");
    assertThat(pins.get("s1", "k")).isNull();
    assertThat(pins.size()).isZero();
  }

  @Test
  void sessionsExpireAfterTheirDeadline() {
    PinnedVersions pins = PinnedVersions.of(vertx, "n3");
    pins.pin("old", Map.of("k", LwwLattice.of("a", 1, "n")), 100);
    pins.pin("live", Map.of("k", LwwLattice.of("a", 1, "n")), 500);
    assertThat(pins.expire(200)).isEqualTo(1);
    assertThat(pins.get("old", "k")).isNull();
    assertThat(pins.get("live", "k")).isNotNull();
  }
}
