package io.cloudburst.bus.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.lattice.CounterLattice;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.lattice.MultiKeyCausalLattice;
import io.cloudburst.bus.lattice.VectorClock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SessionTest {

  @Test
  void aLwwVersionIsItsWritesTimestampAndNode() {
    assertThat(Version.of(LwwLattice.of("a", 5, "n1")))
        .isEqualTo(new Version("5@n1", VectorClock.empty()));
    assertThat(Version.of(LwwLattice.of("a", 5, "n1")))
        .isNotEqualTo(Version.of(LwwLattice.of("a", 6, "n1")));
    assertThat(Version.of(null)).isEqualTo(Version.ABSENT);
  }

  @Test
  void aCausalVersionIsItsClockAndOtherKindsADigestOfTheirState() {
    VectorClock c = VectorClock.of("n1", 3);
    assertThat(Version.of(MultiKeyCausalLattice.of(c, Map.of(), "v")).clock()).isEqualTo(c);
    assertThat(Version.clockOf(MultiKeyCausalLattice.of(c, Map.of(), "v"))).isEqualTo(c);
    assertThat(Version.clockOf(LwwLattice.of("a", 5, "n1"))).isEqualTo(VectorClock.empty());
    CounterLattice one = new CounterLattice(Map.of()).increment("n1", 1);
    assertThat(Version.of(one))
        .isEqualTo(Version.of(new CounterLattice(Map.of()).increment("n1", 1)));
    assertThat(Version.of(one)).isNotEqualTo(Version.of(one.increment("n1", 1)));
  }

  @Test
  void mergingUpstreamSessionsKeepsTheFirstFixedVersionAndJoinsDependencies() {
    Version v1 = new Version("1@a", VectorClock.empty());
    Version v2 = new Version("2@a", VectorClock.empty());
    Session first =
        new Session(
            "call#0",
            true,
            Map.of("k", new Session.Read(v1, "n1")),
            Map.of("x", VectorClock.of("n1", 2)));
    Session second =
        new Session(
            "call#0",
            true,
            Map.of("k", new Session.Read(v2, "n2"), "j", new Session.Read(v2, "n2")),
            Map.of("x", new VectorClock(Map.of("n1", 1L, "n2", 4L))));
    Session merged = Session.merge("call#0", true, List.of(first, second));
    assertThat(merged.reads())
        .containsEntry("k", new Session.Read(v1, "n1"))
        .containsEntry("j", new Session.Read(v2, "n2"));
    assertThat(merged.dependencies().get("x"))
        .isEqualTo(new VectorClock(Map.of("n1", 2L, "n2", 4L)));
    assertThat(Session.merge("s", false, List.of()).reads()).isEmpty();
  }
}
