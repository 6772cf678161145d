package io.cloudburst.node.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudburst.node.NodeOptions.ScalingOptions;
import io.cloudburst.node.scaling.ScalingPolicy.Action;
import io.cloudburst.node.scaling.ScalingPolicy.Decision;
import org.junit.jupiter.api.Test;

/** The scaling policy on an explicit clock: thresholds, bounds, the full window, the cool-down. */
class ScalingPolicyTest {
  /**
   * 1..3 executors, up at 70 %, down at 10 %, a 1 s window, a 2 s cool-down; samples every 250 ms.
   */
  private static final ScalingOptions OPTS = new ScalingOptions(1, 3, 0.7, 0.1, 1_000, 2_000);

  private static final long STEP = 250;

  private final ScalingPolicy policy = new ScalingPolicy(OPTS);
  private long now = 10_000;

  /**
   * Feeds {@code u} every 250 ms for {@code ms} (samples at now + 250, ..., now + ms) and returns
   * the first change, or the last HOLD. A 1 s window is full on the fifth sample of a run.
   */
  private Decision feed(double u, long ms, int executors) {
    Decision last = null;
    for (long end = now + ms; now < end; ) {
      now += STEP;
      last = policy.sample(now, u, executors);
      if (last.changes()) {
        return last;
      }
    }
    return last;
  }

  @Test
  void nothingHappensBeforeAFullWindow() {
    assertThat(policy.sample(now, 5.0, 1).action()).isEqualTo(Action.HOLD);
    for (int i = 1; i < 4; i++) {
      Decision d = policy.sample(now + i * STEP, 5.0, 1);
      assertThat(d.action()).as("at %d ms", i * STEP).isEqualTo(Action.HOLD);
      assertThat(d.reason()).contains("window");
      assertThat(d.utilization()).isNaN();
    }
    Decision d = policy.sample(now + 4 * STEP, 5.0, 1);
    assertThat(d.action()).as("a full second of saturation").isEqualTo(Action.UP);
    assertThat(d.utilization()).isEqualTo(5.0);
  }

  @Test
  void theMeanOverTheWindowDecidesNotOneSample() {
    // A full idle window at the minimum (so nothing to shed), then one saturated sample among the
    // idle ones: mean (0+0+0+2.0)/4 = 0.5, between the thresholds.
    assertThat(feed(0.0, 1_250, 1).reason()).contains("minimum");
    Decision d = policy.sample(now += STEP, 2.0, 1);
    assertThat(d.action()).isEqualTo(Action.HOLD);
    assertThat(d.utilization()).isEqualTo(0.5);
    assertThat(d.reason()).contains("between");
    // The burst stays in the window for 1 s, then drops out.
    assertThat(feed(0.0, 3 * STEP, 1).utilization()).isEqualTo(0.5);
    assertThat(policy.sample(now += STEP, 0.0, 1).utilization()).isEqualTo(0.0);
  }

  @Test
  void thresholdsAreInclusive() {
    // Thresholds that are exact binary fractions, so the mean lands on them exactly.
    ScalingOptions exact = new ScalingOptions(1, 3, 0.75, 0.25, 1_000, 0);
    ScalingPolicy up = new ScalingPolicy(exact);
    ScalingPolicy down = new ScalingPolicy(exact);
    Decision u = null;
    Decision d = null;
    for (long t = 0; t <= 1_000; t += STEP) {
      u = up.sample(t, 0.75, 1);
      d = down.sample(t, 0.25, 2);
    }
    assertThat(u.action()).isEqualTo(Action.UP);
    assertThat(u.reason()).contains("adding");
    assertThat(d.action()).isEqualTo(Action.DOWN);
    assertThat(d.reason()).contains("removing");
  }

  @Test
  void neverAboveMaxNorBelowMin() {
    Decision atMax = feed(9.0, 5_000, 3);
    assertThat(atMax.action()).isEqualTo(Action.HOLD);
    assertThat(atMax.reason()).contains("maximum of 3");
    ScalingPolicy idle = new ScalingPolicy(OPTS);
    Decision atMin = null;
    for (long t = 0; t <= 5_000; t += STEP) {
      atMin = idle.sample(t, 0.0, 1);
      assertThat(atMin.action()).isEqualTo(Action.HOLD);
    }
    assertThat(atMin.reason()).contains("minimum of 1");
  }

  @Test
  void atMostOneChangePerCoolDown() {
    Decision first = feed(3.0, 1_250, 1);
    assertThat(first.action()).isEqualTo(Action.UP);
    long firstAt = now;
    // Still saturated with 2: a new window is full 1.25 s after, but the cool-down holds until 2 s.
    Decision held = feed(3.0, 1_250, 2);
    assertThat(held.action()).isEqualTo(Action.HOLD);
    assertThat(held.reason()).contains("cool-down");
    Decision second = feed(3.0, 5_000, 2);
    assertThat(second.action()).isEqualTo(Action.UP);
    assertThat(now - firstAt).isEqualTo(OPTS.cooldownMs());
  }

  @Test
  void aChangeStartsTheWindowOver() {
    ScalingPolicy p = new ScalingPolicy(new ScalingOptions(1, 3, 0.7, 0.1, 1_000, 0));
    long t = 0;
    Decision d;
    do {
      d = p.sample(t += STEP, 3.0, 1);
    } while (!d.changes());
    assertThat(d.action()).isEqualTo(Action.UP);
    long upAt = t;
    // No cool-down here: the next change still waits for a full window measured with 2 executors.
    do {
      d = p.sample(t += STEP, 3.0, 2);
    } while (!d.changes());
    assertThat(t - upAt).isEqualTo(1_000 + STEP);
    // restart() (the pool changed later than decided) throws away what was gathered so far.
    for (int i = 0; i < 3; i++) {
      p.sample(t += STEP, 0.0, 3);
    }
    p.restart();
    assertThat(p.sample(t += STEP, 0.0, 3).reason()).contains("window");
  }

  @Test
  void loadThenQuietGoesUpToMaxAndBackDownToMin() {
    int executors = 1;
    for (int i = 0; i < 40; i++) {
      Decision d = policy.sample(now += STEP, 4.0, executors);
      if (d.action() == Action.UP) {
        executors++;
        policy.restart();
      }
    }
    assertThat(executors).isEqualTo(3);
    for (int i = 0; i < 40; i++) {
      Decision d = policy.sample(now += STEP, 0.0, executors);
      if (d.action() == Action.DOWN) {
        executors--;
        policy.restart();
      }
    }
    assertThat(executors).isEqualTo(1);
  }

  @Test
  void badOptionsAndSamplesAreRefused() {
    assertThatThrownBy(() -> new ScalingPolicy(new ScalingOptions(0, 2, 0.7, 0.1, 1_000, 0)))
        .hasMessageContaining("1 <= min <= max");
    assertThatThrownBy(() -> new ScalingPolicy(new ScalingOptions(3, 2, 0.7, 0.1, 1_000, 0)))
        .hasMessageContaining("1 <= min <= max");
    assertThatThrownBy(() -> new ScalingPolicy(new ScalingOptions(1, 2, 0.5, 0.5, 1_000, 0)))
        .hasMessageContaining("below");
    assertThatThrownBy(() -> new ScalingPolicy(new ScalingOptions(1, 2, 0.7, 0.1, 0, 0)))
        .hasMessageContaining("window");
    assertThatThrownBy(() -> policy.sample(now, Double.NaN, 1)).hasMessageContaining("utilization");
    assertThatThrownBy(() -> policy.sample(now, -1, 1)).hasMessageContaining("utilization");
  }
}
