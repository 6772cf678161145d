package io.cloudburst.runtime.impl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When the heap guard counts an old-generation pool as nearly full. */
class HeapGuardTest {
  private static final long MAX = 1_000;

  @Test
  void aLiveHoardCountsOnlyWhileTheCurrentUseIsOverTheMarkToo() {
    assertThat(HeapGuard.over(900, 950, MAX, 0.75)).isTrue();
    // A stale after-collection figure after the hoard was freed: not nearly full.
    assertThat(HeapGuard.over(900, 300, MAX, 0.75)).isFalse();
    // Garbage alone (low after the last collection) is not a hoard either.
    assertThat(HeapGuard.over(300, 900, MAX, 0.75)).isFalse();
    assertThat(HeapGuard.over(900, 950, 0, 0.75)).as("no known maximum").isFalse();
  }
}
