package io.cloudburst.node.scaling;

import io.cloudburst.node.NodeOptions.ScalingOptions;
import java.util.ArrayDeque;
import java.util.Locale;

/**
 * The autoscaling policy of the Cloudburst paper, with no clock and no Vert.x of its own so that it
 * can be tested with an explicit clock: fed the node's utilization at intervals, it answers UP (add
 * an executor), DOWN (remove one) or HOLD, with the reason.
 *
 * <ul>
 *   <li>UP when the mean utilization over the last {@code windowMs} is at or above {@code upAt} and
 *       the node runs fewer than {@code max} executors;
 *   <li>DOWN when that mean is at or below {@code downAt} and the node runs more than {@code min};
 *   <li>nothing before a full window of samples has been seen (a single burst or a single idle
 *       moment moves nothing), and at most one change per {@code cooldownMs}.
 * </ul>
 *
 * <p>Every UP or DOWN starts the window over: samples taken with the old number of executors say
 * nothing about the new one (utilization is load divided by the pool's threads). The caller also
 * calls {@link #restart} once the change took effect, so a slow executor start does not count
 * samples from before it. Not thread-safe: one caller feeds it.
 */
public final class ScalingPolicy {
  /** What to do with the pool. */
  public enum Action {
    UP,
    DOWN,
    HOLD;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One answer of the policy.
   *
   * @param action what to do
   * @param utilization the mean utilization over the window (NaN before a full window)
   * @param reason why, in words for the log
   */
  public record Decision(Action action, double utilization, String reason) {
    public boolean changes() {
      return action != Action.HOLD;
    }
  }

  private record Sample(long atMs, double utilization) {}

  private final ScalingOptions options;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();

  /**
   * When the current window began (first sample since the last change or restart); -1: none yet.
   */
  private long windowStart = -1;

  /** When the last UP or DOWN was decided; cool-down runs from there. */
  private long lastChange = Long.MIN_VALUE;

  public ScalingPolicy(ScalingOptions options) {
    if (options.min() < 1 || options.max() < options.min()) {
      throw new IllegalArgumentException(
          "executor bounds must satisfy 1 <= min <= max, not "
              + options.min()
              + ".."
              + options.max());
    }
    if (!(options.downAt() < options.upAt())) {
      throw new IllegalArgumentException(
          "the scale-down threshold must be below the scale-up threshold");
    }
    if (options.windowMs() <= 0 || options.cooldownMs() < 0) {
      throw new IllegalArgumentException(
          "the window must be positive and the cool-down not negative");
    }
    this.options = options;
  }

  /**
   * Takes the utilization measured at {@code nowMs} ((busy + queued) / threads over the node's live
   * executors) while the node runs {@code executors} executors, and decides.
   */
  public Decision sample(long nowMs, double utilization, int executors) {
    if (Double.isNaN(utilization) || utilization < 0) {
      throw new IllegalArgumentException("utilization must be a number >= 0, not " + utilization);
    }
    samples.addLast(new Sample(nowMs, utilization));
    if (windowStart < 0) {
      windowStart = nowMs;
    }
    while (!samples.isEmpty() && samples.peekFirst().atMs() <= nowMs - options.windowMs()) {
      samples.removeFirst();
    }
    if (nowMs - windowStart < options.windowMs()) {
      return hold(Double.NaN, "collecting a full " + options.windowMs() + " ms window of samples");
    }
    double mean = 0;
    for (Sample s : samples) {
      mean += s.utilization();
    }
    mean /= samples.size();
    String measured =
        String.format(
            Locale.ROOT, "mean utilization %.0f%% over %d ms", 100 * mean, options.windowMs());
    Action wanted =
        mean >= options.upAt() ? Action.UP : mean <= options.downAt() ? Action.DOWN : Action.HOLD;
    if (wanted == Action.UP && executors >= options.max()) {
      return hold(
          mean,
          measured
              + " is at or above "
              + pct(options.upAt())
              + " but the node already runs the maximum of "
              + options.max()
              + " executors");
    }
    if (wanted == Action.DOWN && executors <= options.min()) {
      return hold(
          mean,
          measured
              + " is at or below "
              + pct(options.downAt())
              + "; the node runs the minimum of "
              + options.min());
    }
    if (wanted == Action.HOLD) {
      return hold(
          mean, measured + " is between " + pct(options.downAt()) + " and " + pct(options.upAt()));
    }
    if (lastChange != Long.MIN_VALUE && nowMs - lastChange < options.cooldownMs()) {
      return hold(
          mean,
          measured
              + " asks for "
              + wanted.wire()
              + ", but the last change was "
              + (nowMs - lastChange)
              + " ms ago (cool-down "
              + options.cooldownMs()
              + " ms)");
    }
    lastChange = nowMs;
    clearWindow();
    return new Decision(
        wanted,
        mean,
        wanted == Action.UP
            ? measured
                + " is at or above "
                + pct(options.upAt())
                + ": adding executor "
                + (executors + 1)
                + " of at most "
                + options.max()
            : measured
                + " is at or below "
                + pct(options.downAt())
                + ": removing one of "
                + executors
                + " (at least "
                + options.min()
                + ")");
  }

  /**
   * Starts the window over (the pool changed, or the caller could not act on the last decision).
   */
  public void restart() {
    clearWindow();
  }

  private void clearWindow() {
    samples.clear();
    windowStart = -1;
  }

  private static Decision hold(double mean, String reason) {
    return new Decision(Action.HOLD, mean, reason);
  }

  private static String pct(double d) {
    return String.format(Locale.ROOT, "%.0f%%", 100 * d);
  }
}
