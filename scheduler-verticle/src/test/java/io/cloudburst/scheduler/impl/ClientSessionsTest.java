package io.cloudburst.scheduler.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.lattice.VectorClock;
import io.cloudburst.bus.session.Session;
import io.cloudburst.bus.session.Version;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ClientSessionsTest {

  @Test
  void aClientsNextCallStartsFromTheDependenciesOfItsFinishedCallsButNotTheirPins() {
    ClientSessions sessions = new ClientSessions(10);
    assertThat(sessions.start("c1", "d1#0").dependencies()).isEmpty();
    Session done =
        new Session(
            "d1#0",
            true,
            Map.of("k", new Session.Read(Version.ABSENT, "n1")),
            Map.of("x", VectorClock.of("n1", 2), "y", VectorClock.of("n1", 5)));
    sessions.finished("c1", done);
    sessions.finished(
        "c1", new Session("d2#0", true, Map.of(), Map.of("x", VectorClock.of("n2", 1))));
    Session next = sessions.start("c1", "d3#0");
    assertThat(next.id()).isEqualTo("d3#0");
    assertThat(next.causal()).isTrue();
    assertThat(next.reads()).isEmpty();
    assertThat(next.dependencies())
        .isEqualTo(
            Map.of("x", new VectorClock(Map.of("n1", 2L, "n2", 1L)), "y", VectorClock.of("n1", 5)));
    assertThat(sessions.start("c2", "d4#0").dependencies())
        .as("another client's session")
        .isEmpty();
  }

  @Test
  void theLeastRecentlyUsedClientsAreForgottenBeyondTheBound() {
    ClientSessions sessions = new ClientSessions(2);
    Session s = new Session("d#0", true, Map.of(), Map.of("x", VectorClock.of("n1", 1)));
    sessions.finished("a", s);
    sessions.finished("b", s);
    sessions.start("a", "d#1");
    sessions.finished("c", s);
    assertThat(sessions.size()).isEqualTo(2);
    assertThat(sessions.start("b", "d#2").dependencies()).isEmpty();
    assertThat(sessions.start("a", "d#3").dependencies()).isNotEmpty();
  }
}
