package io.cloudburst.runtime;

import static io.cloudburst.runtime.ExecutorHarness.fn;
import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.runtime.impl.Engines;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs in both runtime modes: the default build (interpreted, GraalVM 25.2.4) and the jit profile
 * (GraalVM 25.0.3 with the Graal compiler), which {@code ./cloudburst test} runs too.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class RuntimeModeTest {
  private static ExecutorHarness h;

  @BeforeAll
  static void deploy() throws Exception {
    h = ExecutorHarness.start(new JsonObject());
  }

  @AfterAll
  static void close() throws Exception {
    h.close();
  }

  @Test
  void theEnginesRunInTheConfiguredMode() {
    RuntimeMode mode = RuntimeMode.configured();
    assertThat(mode.wire()).isEqualTo(System.getProperty("cloudburst.runtime.mode", "interpreted"));
    try (Engines e = new Engines(mode, 60_000)) {
      assertThat(e.compiled())
          .as("compiled iff the jit mode runs with the Graal compiler")
          .isEqualTo(mode == RuntimeMode.JIT);
      assertThat(e.cpuLimited())
          .as("CPU-time backstop only in interpreted mode")
          .isEqualTo(mode == RuntimeMode.INTERPRETED);
    }
  }

  @Test
  void loopsComputeTheRightValueInBothLanguages(VertxTestContext tc) {
    FunctionInfo py =
        fn(
            "loop_py",
            "python",
            "def loop_py(cb, n):\n    s = 0\n    for i in range(n):\n        s += i\n    return s\n");
    FunctionInfo js =
        fn(
            "loop_js",
            "javascript",
            "function loop_js(cb, n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s }");
    h.execute(py, 30_000, 1_000_000L)
        .compose(
            r -> {
              tc.verify(
                  () -> assertThat(r.result()).as(String.valueOf(r)).isEqualTo(499_999_500_000L));
              return h.execute(js, 30_000, 1_000_000L);
            })
        .onSuccess(
            r ->
                tc.verify(
                    () -> {
                      assertThat(r.result()).as(String.valueOf(r)).isEqualTo(499_999_500_000L);
                      tc.completeNow();
                    }))
        .onFailure(tc::failNow);
  }

  @Test
  void theTimeLimitHoldsInThisMode(VertxTestContext tc) {
    FunctionInfo js =
        fn("spin_js", "javascript", "function spin_js(cb, f) { while (f) {} return 'ok' }");
    h.execute(js, 700, true)
        .compose(
            r -> {
              tc.verify(() -> assertThat(r.code()).isEqualTo(ErrorCode.TIMEOUT));
              return h.execute(js, 10_000, false);
            })
        .onSuccess(
            r ->
                tc.verify(
                    () -> {
                      assertThat(r.status()).isEqualTo(CallResult.Status.DONE);
                      assertThat(r.result()).isEqualTo("ok");
                      tc.completeNow();
                    }))
        .onFailure(tc::failNow);
  }
}
