package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.web.impl.PromText;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * GET /metrics of a running node: exact call counts per function, latencies, executors, cache and
 * Vert.x's own series.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetricsEndToEndTest {
  private static TestNode n;

  @BeforeAll
  static void node() throws Exception {
    n = TestNode.shared();
  }

  @Test
  void callsOfAFunctionAreCountedExactlyByOutcomeAndTimed() throws Exception {
    String fn = "metrics_div";
    assertThat(n.register(fn, "python", "def metrics_div(cb, x):\n    return 12 // x\n").status())
        .isEqualTo(201);
    int ok = 3;
    int failing = 2;
    for (int i = 1; i <= ok; i++) {
      TestNode.Reply r = n.invoke(fn, i);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
    }
    for (int i = 0; i < failing; i++) {
      TestNode.Reply r = n.invoke(fn, 0);
      assertThat(r.status()).as(r.body()).isEqualTo(422);
      assertThat(r.errorCode()).isEqualTo("EXECUTION_ERROR");
    }

    // Results reach the metrics over the bus, alongside the replies: poll briefly for the last one.
    String text =
        n.scrapeUntil(
            15,
            t ->
                Double.valueOf(failing)
                    .equals(
                        PromText.value(
                            t,
                            "cloudburst_invocations_total",
                            "function",
                            fn,
                            "status",
                            "failed")));
    assertThat(
            PromText.value(text, "cloudburst_invocations_total", "function", fn, "status", "done"))
        .isEqualTo(ok);
    assertThat(
            PromText.value(
                text, "cloudburst_invocations_total", "function", fn, "status", "failed"))
        .isEqualTo(failing);
    assertThat(
            PromText.value(
                text,
                "cloudburst_invocation_errors_total",
                "function",
                fn,
                "code",
                "EXECUTION_ERROR"))
        .isEqualTo(failing);
    assertThat(
            PromText.value(
                text, "cloudburst_call_duration_seconds_count", "function", fn, "status", "done"))
        .isEqualTo(ok);
    assertThat(
            PromText.value(
                text, "cloudburst_call_duration_seconds_sum", "function", fn, "status", "done"))
        .isPositive();
    assertThat(
            PromText.value(
                text,
                "cloudburst_call_duration_seconds_bucket",
                "function",
                fn,
                "status",
                "done",
                "le",
                "+Inf"))
        .isEqualTo(ok);
    // The same calls as the HTTP front timed them, end to end.
    text =
        n.scrapeUntil(
            15,
            t ->
                Double.valueOf(failing)
                    .equals(
                        PromText.value(
                            t,
                            "cloudburst_invoke_duration_seconds_count",
                            "kind",
                            "function",
                            "name",
                            fn,
                            "http_status",
                            "422")));
    assertThat(
            PromText.value(
                text,
                "cloudburst_invoke_duration_seconds_count",
                "kind",
                "function",
                "name",
                fn,
                "http_status",
                "200"))
        .isEqualTo(ok);
  }

  @Test
  void cacheExecutorAndVertxSeriesAreExposed() throws Exception {
    assertThat(
            n.send("PUT", "/v1/kvs/metrics-key", new JsonObject().put("value", "v").encode())
                .status())
        .isEqualTo(204);
    assertThat(n.get("/v1/kvs/metrics-key").status()).isEqualTo(200);

    // The cache reports a changed key set within a fraction of a second, and in full every few
    // seconds.
    String text =
        n.scrapeUntil(
            15,
            t ->
                PromText.value(t, "cloudburst_cache_keys", "node", "local") != null
                    && PromText.value(t, "cloudburst_cache_keys", "node", "local") >= 1);
    assertThat(PromText.value(text, "cloudburst_cache_bytes", "node", "local")).isPositive();
    assertThat(PromText.value(text, "cloudburst_cache_hits_total", "node", "local")).isNotNull();
    assertThat(PromText.value(text, "cloudburst_cache_misses_total", "node", "local")).isNotNull();
    assertThat(PromText.value(text, "cloudburst_cache_evictions_total", "node", "local"))
        .isNotNull();

    // Executors publish their status every second.
    text = n.scrapeUntil(15, t -> t.contains("cloudburst_executor_threads{"));
    assertThat(text)
        .contains(
            "cloudburst_executor_busy{",
            "cloudburst_executor_queued{",
            "cloudburst_executor_utilization{",
            "cloudburst_executor_warm_functions{");
    // Vert.x's and the JVM's own series share the registry.
    assertThat(text).contains("vertx_http_server_requests_total", "jvm_memory_used_bytes");
  }
}
