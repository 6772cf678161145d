package io.cloudburst.scheduler.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.msg.CallResult;
import org.junit.jupiter.api.Test;

class ResultStoreTest {
  @Test
  void finishedResultReplacesPendingAndExpiresAfterRetention() {
    ResultStore s = new ResultStore(10, 1_000);
    s.put(CallResult.pending("a", "f"), 0);
    assertThat(s.get("a", 0).status()).isEqualTo(CallResult.Status.PENDING);
    s.put(CallResult.done("a", "f", 4L, null, "x", 1), 100);
    assertThat(s.get("a", 1_000).result()).isEqualTo(4L);
    assertThat(s.get("a", 1_101)).isNull();
  }

  @Test
  void overflowDropsTheOldest() {
    ResultStore s = new ResultStore(2, 1_000);
    s.put(CallResult.done("a", "f", 1L, null, "x", 1), 0);
    s.put(CallResult.done("b", "f", 2L, null, "x", 1), 0);
    s.put(CallResult.done("c", "f", 3L, null, "x", 1), 0);
    assertThat(s.get("a", 0)).isNull();
    assertThat(s.get("c", 0).result()).isEqualTo(3L);
    assertThat(s.size()).isEqualTo(2);
  }

  @Test
  void expireDropsOnlyOldFinishedResults() {
    ResultStore s = new ResultStore(10, 100);
    s.put(CallResult.done("old", "f", 1L, null, "x", 1), 0);
    s.put(CallResult.done("new", "f", 2L, null, "x", 1), 150);
    assertThat(s.expire(200)).isEqualTo(1);
    assertThat(s.get("new", 200)).isNotNull();
  }
}
