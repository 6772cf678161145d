package io.cloudburst.web.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.ExecutorStatus;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How bus messages become Prometheus series: names, labels and values. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class NodeMetricsTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final NodeMetrics metrics = NodeMetrics.in(registry);

  @AfterEach
  void close() {
    metrics.close();
    registry.close();
  }

  private static CallResult done(String fn, long micros) {
    return CallResult.done("id", fn, 1L, "", "exec", micros);
  }

  private static CallResult failed(String fn, CloudburstException e) {
    return CallResult.failed("id", fn, e, "", "exec", 2_000);
  }

  /**
   * The guest compiler's CPU time is a counter: 0 without Graal compiler threads, then what they
   * used, kept after they end.
   */
  @Test
  void guestCompilerCpuIsACounterOfTheCompilerThreads() throws Exception {
    assertThat(PromText.value(registry.scrape(), "cloudburst_guest_compiler_cpu_seconds_total"))
        .isEqualTo(0.0);
    // A thread of that name that burns CPU is counted.
    java.util.concurrent.CountDownLatch end = new java.util.concurrent.CountDownLatch(1);
    Thread t =
        new Thread(
            () -> {
              // Burns CPU time, not wall time: on a loaded machine 300 ms of wall time gave it
              // under 0.1 s.
              var threads = java.lang.management.ManagementFactory.getThreadMXBean();
              long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
              long x = 0;
              while (threads.getCurrentThreadCpuTime() < TimeUnit.MILLISECONDS.toNanos(150)
                  && System.nanoTime() < until) {
                x += System.nanoTime() % 7;
              }
              if (x == 42) {
                System.out.print("");
              }
              try {
                end.await(); // stays alive (and counted) until the test has seen its time
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "TruffleCompilerThread-test");
    t.start();
    try {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      double seen;
      while ((seen =
              PromText.value(registry.scrape(), "cloudburst_guest_compiler_cpu_seconds_total"))
          < 0.1) {
        assertThat(System.nanoTime()).as("counter still %s after 20 s", seen).isLessThan(until);
        Thread.onSpinWait();
      }
    } finally {
      end.countDown();
      t.join();
    }
    // The thread has ended; what it used stays counted (the counter never goes down).
    double before =
        PromText.value(registry.scrape(), "cloudburst_guest_compiler_cpu_seconds_total");
    assertThat(PromText.value(registry.scrape(), "cloudburst_guest_compiler_cpu_seconds_total"))
        .isGreaterThanOrEqualTo(before)
        .isGreaterThan(0.1);
  }

  @Test
  void finishedCallsCountPerFunctionStatusAndErrorCode() {
    metrics.onResult(done("sq", 500));
    metrics.onResult(done("sq", 800));
    metrics.onResult(done("sq", 3_000_000));
    metrics.onResult(failed("sq", CloudburstException.executionError("ZeroDivisionError")));
    metrics.onResult(failed("sq", CloudburstException.executionError("ZeroDivisionError")));
    metrics.onResult(failed("sq", CloudburstException.timeout("too slow")));
    metrics.onResult(done("other", 10));
    metrics.onResult(CallResult.pending("id", "sq"));

    String text = registry.scrape();
    assertThat(
            PromText.value(
                text, "cloudburst_invocations_total", "function", "sq", "status", "done"))
        .isEqualTo(3.0);
    assertThat(
            PromText.value(
                text, "cloudburst_invocations_total", "function", "sq", "status", "failed"))
        .isEqualTo(3.0);
    assertThat(
            PromText.value(
                text, "cloudburst_invocations_total", "function", "other", "status", "done"))
        .isEqualTo(1.0);
    assertThat(
            PromText.value(
                text,
                "cloudburst_invocation_errors_total",
                "function",
                "sq",
                "code",
                "EXECUTION_ERROR"))
        .isEqualTo(2.0);
    assertThat(
            PromText.value(
                text, "cloudburst_invocation_errors_total", "function", "sq", "code", "TIMEOUT"))
        .isEqualTo(1.0);
    assertThat(
            PromText.value(
                text, "cloudburst_invocation_errors_total", "function", "other", "code", "TIMEOUT"))
        .isNull();
  }

  @Test
  void callDurationsFillAHistogramInSeconds() {
    metrics.onResult(done("sq", 500));
    metrics.onResult(done("sq", 800));
    metrics.onResult(done("sq", 3_000_000));

    String text = registry.scrape();
    String h = "cloudburst_call_duration_seconds";
    assertThat(PromText.value(text, h + "_count", "function", "sq", "status", "done"))
        .isEqualTo(3.0);
    assertThat(PromText.value(text, h + "_sum", "function", "sq", "status", "done"))
        .isCloseTo(3.0013, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(
            PromText.value(text, h + "_bucket", "function", "sq", "status", "done", "le", "5.0E-4"))
        .isEqualTo(1.0);
    assertThat(
            PromText.value(text, h + "_bucket", "function", "sq", "status", "done", "le", "0.001"))
        .isEqualTo(2.0);
    assertThat(PromText.value(text, h + "_bucket", "function", "sq", "status", "done", "le", "2.5"))
        .isEqualTo(2.0);
    assertThat(PromText.value(text, h + "_bucket", "function", "sq", "status", "done", "le", "5.0"))
        .isEqualTo(3.0);
    assertThat(
            PromText.value(text, h + "_bucket", "function", "sq", "status", "done", "le", "+Inf"))
        .isEqualTo(3.0);
  }

  @Test
  void invokeRequestsAreTimedByKindNameAndHttpStatus() {
    metrics.onInvokeAnswered("function", "sq", 200, 2_000_000);
    metrics.onInvokeAnswered("dag", "pipeline", 422, 5_000_000);

    String text = registry.scrape();
    assertThat(
            PromText.value(
                text,
                "cloudburst_invoke_duration_seconds_count",
                "kind",
                "function",
                "name",
                "sq",
                "http_status",
                "200"))
        .isEqualTo(1.0);
    assertThat(
            PromText.value(
                text,
                "cloudburst_invoke_duration_seconds_sum",
                "kind",
                "dag",
                "name",
                "pipeline",
                "http_status",
                "422"))
        .isEqualTo(0.005);
  }

  @Test
  void executorGaugesFollowTheLatestStatusAndVanishWhenItLeaves() {
    metrics.onExecutorStatus(
        new ExecutorStatus("n1", "exec.n1.0", 4, 1, 0, List.of("sq@1"), 1, false));
    metrics.onExecutorStatus(
        new ExecutorStatus("n1", "exec.n1.0", 4, 3, 3, List.of("sq@1", "cube@2"), 2, false));
    String[] l = {"node", "n1", "executor", "exec.n1.0"};

    String text = registry.scrape();
    assertThat(PromText.value(text, "cloudburst_executor_threads", l)).isEqualTo(4.0);
    assertThat(PromText.value(text, "cloudburst_executor_busy", l)).isEqualTo(3.0);
    assertThat(PromText.value(text, "cloudburst_executor_queued", l)).isEqualTo(3.0);
    assertThat(PromText.value(text, "cloudburst_executor_utilization", l)).isEqualTo(1.5);
    assertThat(PromText.value(text, "cloudburst_executor_warm_functions", l)).isEqualTo(2.0);

    metrics.onExecutorStatus(new ExecutorStatus("n1", "exec.n1.0", 4, 0, 0, List.of(), 3, true));
    assertThat(PromText.value(registry.scrape(), "cloudburst_executor_busy", l)).isNull();
  }

  @Test
  void executorsAreCountedPerNodeFromTheirStatuses() {
    metrics.onExecutorStatus(new ExecutorStatus("n1", "exec.n1.0", 1, 0, 0, List.of(), 1, false));
    metrics.onExecutorStatus(new ExecutorStatus("n1", "exec.n1.1", 1, 1, 0, List.of(), 1, false));
    metrics.onExecutorStatus(new ExecutorStatus("n1", "exec.n1.1", 1, 0, 0, List.of(), 2, false));
    metrics.onExecutorStatus(new ExecutorStatus("n2", "exec.n2.0", 1, 0, 0, List.of(), 1, false));
    String text = registry.scrape();
    assertThat(PromText.value(text, "cloudburst_executors", "node", "n1")).isEqualTo(2.0);
    assertThat(PromText.value(text, "cloudburst_executors", "node", "n2")).isEqualTo(1.0);

    metrics.onExecutorStatus(new ExecutorStatus("n1", "exec.n1.1", 1, 0, 0, List.of(), 3, true));
    metrics.onExecutorStatus(new ExecutorStatus("n2", "exec.n2.0", 1, 0, 0, List.of(), 3, true));
    text = registry.scrape();
    assertThat(PromText.value(text, "cloudburst_executors", "node", "n1")).isEqualTo(1.0);
    assertThat(PromText.value(text, "cloudburst_executors", "node", "n2"))
        .as("a node seen once stays, at 0")
        .isEqualTo(0.0);
  }

  @Test
  void autoscalingDecisionsCountByActionFromZero() {
    String text = registry.scrape();
    assertThat(PromText.value(text, "cloudburst_autoscaling_decisions_total", "action", "up"))
        .isEqualTo(0.0);
    assertThat(PromText.value(text, "cloudburst_autoscaling_decisions_total", "action", "down"))
        .isEqualTo(0.0);

    metrics.onAutoscaleDecision("up");
    metrics.onAutoscaleDecision("up");
    metrics.onAutoscaleDecision("down");
    metrics.onAutoscaleDecision("sideways");
    metrics.onAutoscaleDecision(null);
    text = registry.scrape();
    assertThat(PromText.value(text, "cloudburst_autoscaling_decisions_total", "action", "up"))
        .isEqualTo(2.0);
    assertThat(PromText.value(text, "cloudburst_autoscaling_decisions_total", "action", "down"))
        .isEqualTo(1.0);
    assertThat(PromText.value(text, "cloudburst_autoscaling_decisions_total", "action", "sideways"))
        .isNull();
  }

  @Test
  void cacheReportsBecomeGaugesAndCountersPerNode() {
    metrics.onCacheReport(new CacheEvent.Report("n1", List.of("a", "b"), 100, 7, 3, 0, 1));
    metrics.onCacheReport(new CacheEvent.Report("n1", List.of("a", "b", "c"), 160, 9, 4, 1, 2));
    metrics.onCacheReport(new CacheEvent.Report("n2", List.of(), 0, 0, 1, 0, 2));

    String text = registry.scrape();
    assertThat(PromText.value(text, "cloudburst_cache_keys", "node", "n1")).isEqualTo(3.0);
    assertThat(PromText.value(text, "cloudburst_cache_bytes", "node", "n1")).isEqualTo(160.0);
    assertThat(PromText.value(text, "cloudburst_cache_hits_total", "node", "n1")).isEqualTo(9.0);
    assertThat(PromText.value(text, "cloudburst_cache_misses_total", "node", "n1")).isEqualTo(4.0);
    assertThat(PromText.value(text, "cloudburst_cache_evictions_total", "node", "n1"))
        .isEqualTo(1.0);
    assertThat(PromText.value(text, "cloudburst_cache_misses_total", "node", "n2")).isEqualTo(1.0);
  }

  @Test
  void functionsBeyondTheBoundCountUnderOther() {
    for (int i = 0; i < NodeMetrics.MAX_FUNCTIONS + 5; i++) {
      metrics.onResult(done("f" + i, 10));
    }
    metrics.onResult(done("f0", 10));

    String text = registry.scrape();
    assertThat(
            PromText.value(
                text,
                "cloudburst_invocations_total",
                "function",
                NodeMetrics.OTHER,
                "status",
                "done"))
        .isEqualTo(5.0);
    assertThat(
            PromText.value(
                text, "cloudburst_invocations_total", "function", "f0", "status", "done"))
        .isEqualTo(2.0);
    assertThat(
            PromText.value(
                text,
                "cloudburst_invocations_total",
                "function",
                "f" + (NodeMetrics.MAX_FUNCTIONS + 1),
                "status",
                "done"))
        .isNull();
  }

  @Test
  void closeRemovesOnlyItsOwnMetersFromASharedRegistry() {
    io.micrometer.core.instrument.Counter foreign = registry.counter("vertx.something");
    metrics.onResult(done("sq", 10));
    metrics.onExecutorStatus(new ExecutorStatus("n1", "e", 2, 0, 0, List.of(), 1, false));
    metrics.onCacheReport(new CacheEvent.Report("n1", List.of(), 0, 0, 0, 0, 1));
    assertThat(registry.getMeters()).hasSizeGreaterThan(10);

    metrics.close();

    assertThat(registry.getMeters()).containsExactly(foreign);
    assertThat(registry.isClosed()).isFalse();
  }
}
