package io.cloudburst.runtime.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.msg.DagSchedule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DagRunTest {
  /** a -> c, b -> c with c's own argument first; a and c here, b elsewhere. */
  private static DagSchedule fanIn() {
    return new DagSchedule(
        "call#0",
        "d",
        Map.of(),
        Map.of("a", "here", "b", "there", "c", "here"),
        Map.of("c", List.of("a", "b")),
        Map.of("a", List.of("c"), "b", List.of("c")),
        Map.of("a", List.of(1L), "c", List.of("own")),
        List.of("c"),
        "done",
        Long.MAX_VALUE,
        0,
        io.cloudburst.bus.Consistency.NORMAL,
        null,
        null);
  }

  @Test
  void onlyLocalFunctionsWithoutUpstreamsAreSources() {
    DagRun run = new DagRun(fanIn(), "here");
    assertThat(run.local()).containsExactlyInAnyOrder("a", "c");
    assertThat(run.sources()).containsExactly("a");
  }

  @Test
  void aFanInStartsOnceEveryUpstreamArrivedAndGetsThemInConnectionOrder() {
    DagRun run = new DagRun(fanIn(), "here");
    assertThat(run.arrive("c", "b", 20L)).isFalse();
    assertThat(run.arrive("c", "a", 10L)).isTrue();
    assertThat(run.start("c")).isTrue();
    assertThat(run.argsFor("c")).containsExactly("own", 10L, 20L);
    assertThat(run.start("c")).as("a step starts once").isFalse();
  }

  @Test
  void triggersFromStrangersOrForRemoteFunctionsAreIgnored() {
    DagRun run = new DagRun(fanIn(), "here");
    assertThat(run.arrive("c", "zzz", 1L)).isFalse();
    assertThat(run.arrive("b", "a", 1L)).isFalse();
    run.arrive("c", "a", 1L);
    assertThat(run.arrive("c", "zzz", 2L)).isFalse();
  }

  @Test
  void theRunEndsWhenEveryLocalFunctionFinished() {
    DagRun run = new DagRun(fanIn(), "here");
    assertThat(run.finish("a")).isFalse();
    assertThat(run.finish("c")).isTrue();
    assertThat(run.isSink("c")).isTrue();
    assertThat(run.downstreams("a")).containsExactly("c");
  }
}
