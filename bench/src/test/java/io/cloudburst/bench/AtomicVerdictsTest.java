package io.cloudburst.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The checker's verdicts on hand-made spans: writer 1 ran from 10 to 20 (wall clock 100 to 200,
 * increment at 105), writer 2 from 30 to 40 (300 to 400, increment at 305), so 2 began after 1
 * finished; writer 3 failed (start 250 as its increment bound).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class AtomicVerdictsTest {
  private static final long MIN = Long.MIN_VALUE;
  private final AtomicVerdicts verdicts =
      new AtomicVerdicts(
          Map.of(
              0L, new long[] {MIN, MIN, MIN, MIN},
              1L, new long[] {10, 20, 200, 105},
              2L, new long[] {30, 40, 400, 305},
              3L, new long[] {25, 45, 450, 250}),
          0);

  @Test
  void aSetWhoseNewestMemberIsNewerThanALaterKeysWriterIsFractured() {
    AtomicVerdicts.Read torn =
        new AtomicVerdicts.Read(AtomicChecker.SET, List.of(List.of(0L, 1L, 2L), 2L, 1L, 1L, 1L));
    AtomicVerdicts.Read whole =
        new AtomicVerdicts.Read(AtomicChecker.SET, List.of(List.of(0L, 1L), 1L, 1L, 1L, 1L));
    assertThat(verdicts.fracturedByHead(torn)).isTrue();
    assertThat(verdicts.fracturedAfterHead(torn)).isTrue(); // 2 at key 0, 1 at key 1
    assertThat(verdicts.fracturedByHead(whole)).isFalse();
    assertThat(verdicts.fracturedAfterHead(whole)).isFalse();
  }

  @Test
  void aCounterWithMoreIncrementsThanCouldPrecedeALaterKeysWriterIsFractured() {
    // By 200 (1's end) stamps 0 and 1 could have incremented: a total of 3 includes 2's or 3's.
    AtomicVerdicts.Read torn =
        new AtomicVerdicts.Read(AtomicChecker.COUNTER, List.of(3L, 1L, 1L, 1L, 1L));
    AtomicVerdicts.Read whole =
        new AtomicVerdicts.Read(AtomicChecker.COUNTER, List.of(2L, 1L, 1L, 1L, 1L));
    // By 400 (2's end) all of 0..3 could have: 4 is not definite.
    AtomicVerdicts.Read late =
        new AtomicVerdicts.Read(AtomicChecker.COUNTER, List.of(4L, 2L, 2L, 2L, 2L));
    assertThat(verdicts.fracturedByHead(torn)).isTrue();
    assertThat(verdicts.fracturedByHead(whole)).isFalse();
    assertThat(verdicts.fracturedByHead(late)).isFalse();
  }

  @Test
  void aFailedWritersStampCountsAsAValueOrAMemberButACountersTotalIsNoStamp() {
    Set<Long> failing = Set.of(3L);
    assertThat(verdicts.partial(new AtomicVerdicts.Read(null, List.of(1L, 3L)), failing)).isTrue();
    assertThat(
            verdicts.partial(
                new AtomicVerdicts.Read(AtomicChecker.SET, List.of(List.of(1L, 3L), 1L)), failing))
        .isTrue();
    assertThat(
            verdicts.partial(
                new AtomicVerdicts.Read(AtomicChecker.COUNTER, List.of(3L, 1L, 2L)), failing))
        .isFalse();
  }
}
