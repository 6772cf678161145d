package io.cloudburst.web.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.msg.CallResult;
import org.junit.jupiter.api.Test;

class RecentCallsTest {
  @Test
  void keepsTheNewestCallsPerFunctionNewestFirstAndIgnoresPendingOnes() {
    RecentCalls recent = new RecentCalls(2);
    recent.add(CallResult.done("1", "f", 1L, "one", null, 1));
    recent.add(CallResult.pending("2", "f"));
    recent.add(CallResult.done("3", "f", 3L, "three", null, 1));
    recent.add(CallResult.done("4", "f", 4L, "four", null, 1));
    recent.add(CallResult.done("5", "g", 5L, null, null, 1));
    assertThat(recent.of("f")).extracting(CallResult::id).containsExactly("4", "3");
    assertThat(recent.of("g")).extracting(CallResult::id).containsExactly("5");
    assertThat(recent.of("h")).isEmpty();
    assertThat(recent.finishedAt(recent.of("f").get(0))).isPositive();
  }
}
