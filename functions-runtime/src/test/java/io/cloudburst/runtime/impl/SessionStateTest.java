package io.cloudburst.runtime.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.lattice.MultiKeyCausalLattice;
import io.cloudburst.bus.lattice.VectorClock;
import io.cloudburst.bus.session.Session;
import io.cloudburst.bus.session.Version;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SessionStateTest {
  private static final Lattice K1 = LwwLattice.of("one", 10, "n1");
  private static final Lattice K2 = LwwLattice.of("two", 20, "n1");

  @Test
  void theFirstReadFixesTheVersionAndLaterReadsAcceptOnlyIt() {
    SessionState s = new SessionState(List.of(), "c#0", false, "n1");
    assertThat(s.acceptable("k", K2)).isTrue();
    s.saw("k", K1);
    assertThat(s.held("k")).isEqualTo(K1);
    assertThat(s.acceptable("k", K1)).isTrue();
    assertThat(s.acceptable("k", K2)).isFalse();
    assertThat(s.fixed("k")).isEqualTo(new Session.Read(Version.of(K1), "n1"));
  }

  @Test
  void aDownstreamInvocationSeesTheUpstreamsFixedVersionAndWhereItIsPinned() {
    SessionState up = new SessionState(List.of(), "c#0", false, "n1");
    up.saw("k", K1);
    assertThat(up.drainPins()).isEqualTo(Map.of("k", K1));
    assertThat(up.drainPins()).isEmpty();
    SessionState down = new SessionState(List.of(up.snapshot()), "c#0", false, "n2");
    assertThat(down.held("k")).isNull();
    assertThat(down.isFixed("k", K1)).isTrue();
    assertThat(down.acceptable("k", K2)).isFalse();
    assertThat(down.fixed("k").node()).isEqualTo("n1");
    down.saw("k", K1);
    assertThat(down.drainPins()).as("already pinned upstream").isEmpty();
    assertThat(down.fixed("k").node()).isEqualTo("n1");
  }

  @Test
  void aCallsOwnWriteReplacesTheVersionItFixed() {
    SessionState s = new SessionState(List.of(), "c#0", false, "n1");
    s.saw("k", K1);
    s.wrote("k", K2);
    assertThat(s.held("k")).isEqualTo(K2);
    assertThat(s.acceptable("k", K1)).isFalse();
    assertThat(s.snapshot().reads().get("k").version()).isEqualTo(Version.of(K2));
  }

  @Test
  void anAbsentKeyStaysAbsentForTheCall() {
    SessionState s = new SessionState(List.of(), "c#0", false, "n1");
    s.saw("k", null);
    assertThat(s.fixedAbsent("k")).isTrue();
    assertThat(s.acceptable("k", K1)).isFalse();
    assertThat(s.drainPins()).isEmpty();
  }

  @Test
  void causalReadsMustDominateTheDependenciesOfWhatWasReadBefore() {
    SessionState s = new SessionState(List.of(), "c#0", true, "n1");
    VectorClock x2 = VectorClock.of("n1", 2);
    Lattice y = MultiKeyCausalLattice.of(VectorClock.of("n1", 7), Map.of("x", x2), "y");
    s.saw("y", y);
    assertThat(s.required("x")).isEqualTo(x2);
    assertThat(
            s.acceptable("x", MultiKeyCausalLattice.of(VectorClock.of("n1", 1), Map.of(), "old")))
        .isFalse();
    assertThat(
            s.acceptable("x", MultiKeyCausalLattice.of(VectorClock.of("n1", 2), Map.of(), "new")))
        .isTrue();
    assertThat(
            s.acceptable(
                "x",
                MultiKeyCausalLattice.of(
                    new VectorClock(Map.of("n1", 2L, "n2", 1L)), Map.of(), "newer")))
        .isTrue();
    assertThat(s.dependenciesFor("z"))
        .containsEntry("x", x2)
        .containsEntry("y", VectorClock.of("n1", 7));
    assertThat(s.dependenciesFor("y")).doesNotContainKey("y");
  }

  @Test
  void causalDependenciesTravelDownstream() {
    SessionState up = new SessionState(List.of(), "c#0", true, "n1");
    up.saw(
        "y",
        MultiKeyCausalLattice.of(
            VectorClock.of("n1", 7), Map.of("x", VectorClock.of("n1", 2)), "y"));
    SessionState down = new SessionState(List.of(up.snapshot()), "c#0", true, "n2");
    assertThat(down.required("x")).isEqualTo(VectorClock.of("n1", 2));
    assertThat(
            down.acceptable(
                "y", MultiKeyCausalLattice.of(VectorClock.of("n1", 6), Map.of(), "older")))
        .isFalse();
  }
}
