package io.cloudburst.web.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.lattice.LatticeKind;
import io.cloudburst.bus.lattice.Lattices;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.SchedulerReply;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.value.Bytes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiJsonTest {
  private static final FunctionInfo SQ =
      new FunctionInfo("sq", "python", 2, "def sq(c, x): return x * x", "sq", 1234L);

  @Test
  void functionsHaveTheirListDetailRegistrationAndRestoreShapes() {
    assertThat(ApiJson.functions(List.of(SQ)))
        .isEqualTo(
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("name", "sq")
                        .put("language", "python")
                        .put("version", 2)));
    assertThat(ApiJson.functionDetail(SQ))
        .isEqualTo(
            new JsonObject()
                .put("name", "sq")
                .put("language", "python")
                .put("version", 2)
                .put("source", SQ.source())
                .put("entrypoint", "sq")
                .put("created_at", 1234L));
    assertThat(ApiJson.registered(SQ))
        .isEqualTo(
            new JsonObject()
                .put("name", "sq")
                .put("version", 2)
                .put("language", "python")
                .put("entrypoint", "sq"));
    assertThat(ApiJson.versions(List.of(SQ)))
        .isEqualTo(
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("name", "sq")
                        .put("language", "python")
                        .put("version", 2)
                        .put("created_at", 1234L)));
    assertThat(ApiJson.restored(SQ, 1))
        .isEqualTo(new JsonObject().put("name", "sq").put("version", 2).put("restored_from", 1L));
  }

  @Test
  void aDagListsItsFunctionsAndConnectionPairs() {
    var d = new SchedulerReply.DagInfo("p", List.of("a", "b"), List.of(List.of("a", "b")), 5L);
    JsonObject expected =
        new JsonObject()
            .put("name", "p")
            .put("functions", new JsonArray().add("a").add("b"))
            .put("connections", new JsonArray().add(new JsonArray().add("a").add("b")));
    assertThat(ApiJson.dag(d)).isEqualTo(expected);
    assertThat(ApiJson.dags(List.of(d))).isEqualTo(new JsonArray().add(expected));
  }

  @Test
  void anInvokeAnswersPending202Done200AndAFailureWithItsCodesStatus() {
    assertThat(ApiJson.callStatus(CallResult.pending("1", "f"))).isEqualTo(202);
    assertThat(ApiJson.callStatus(CallResult.done("1", "f", 1L, null, "e", 5))).isEqualTo(200);
    assertThat(
            ApiJson.callStatus(
                CallResult.failed("1", "f", CloudburstException.timeout("late"), null, "e", 5)))
        .isEqualTo(ErrorCode.TIMEOUT.httpStatus());
    assertThat(
            ApiJson.callStatus(
                CallResult.failed("1", "f", CloudburstException.executionError("x"), null, "e", 5)))
        .isEqualTo(422);
  }

  @Test
  void aKeyShowsItsLatticeAndValueOrNullsWhenAbsent() {
    var l = Lattices.write(null, LatticeKind.LWW, new Bytes(new byte[] {1}), "n", 1L);
    assertThat(ApiJson.key("k", l))
        .isEqualTo(
            new JsonObject()
                .put("key", "k")
                .put("lattice", "lww")
                .put("value", new JsonObject().put("$bytes", "AQ==")));
    assertThat(ApiJson.key("k", null))
        .isEqualTo(new JsonObject().put("key", "k").put("lattice", null).put("value", null));
  }

  @Test
  void aStatusShowsEachNodesExecutorsAndCacheWithItsHitRate() {
    var exec = new SchedulerReply.ExecutorInfo("ex-1", 4, 1, 2, 3, List.of("sq@2"), 99L);
    var node =
        new SchedulerReply.NodeInfo("n1", List.of(exec), 10, List.of("a"), 100L, 3, 1, 0, 77L);
    JsonObject s = ApiJson.status(new SchedulerReply.Status(List.of(node), 123L, 4), "n1", "jit");
    assertThat(s.getString("node")).isEqualTo("n1");
    assertThat(s.getString("runtime_mode")).isEqualTo("jit");
    assertThat(s.getLong("at")).isEqualTo(123L);
    assertThat(s.getLong("replications")).isEqualTo(4L);
    JsonObject n = s.getJsonArray("nodes").getJsonObject(0);
    assertThat(n.getJsonArray("executors").getJsonObject(0))
        .isEqualTo(
            new JsonObject()
                .put("address", "ex-1")
                .put("threads", 4)
                .put("busy", 1)
                .put("queued", 2)
                .put("in_flight", 3)
                .put("warm", new JsonArray().add("sq@2"))
                .put("last_seen", 99L));
    JsonObject cache = n.getJsonObject("cache");
    assertThat(cache.getDouble("hit_rate")).isEqualTo(0.75);
    assertThat(cache.getInteger("keys")).isEqualTo(10);
    assertThat(cache.getJsonArray("keys_shown")).isEqualTo(new JsonArray().add("a"));
  }

  @Test
  void aCallSummaryNamesItsOutcomeAndBoundsItsTexts() {
    JsonObject done = ApiJson.callSummary(CallResult.done("1", "f", 1L, "hi\n", "ex", 7), 55L);
    assertThat(done)
        .isEqualTo(
            new JsonObject()
                .put("id", "1")
                .put("function", "f")
                .put("status", "done")
                .put("duration_us", 7L)
                .put("executor", "ex")
                .put("at", 55L)
                .put("logs", "hi\n"));
    String longLogs = "x".repeat(ApiJson.MAX_SUMMARY_TEXT * 2);
    JsonObject failed =
        ApiJson.callSummary(
            CallResult.failed(
                "2", "f", CloudburstException.executionError("boom"), longLogs, "ex", 7),
            55L);
    assertThat(failed.getJsonObject("error"))
        .isEqualTo(new JsonObject().put("code", "EXECUTION_ERROR").put("message", "boom"));
    assertThat(failed.getString("logs")).hasSize(ApiJson.MAX_SUMMARY_TEXT + 1).endsWith("…");
  }

  @Test
  void aLongTracebackKeepsItsStartAndItsExceptionLineWithinTheBound() {
    String traceback =
        "Traceback (most recent call last):\n"
            + "  File \"f.py\", line 3, in f\n    g()\n".repeat(200)
            + "ZeroDivisionError: division by zero\n";
    String message =
        ApiJson.callSummary(
                CallResult.failed(
                    "3", "f", CloudburstException.executionError(traceback), null, "ex", 7),
                1L)
            .getJsonObject("error")
            .getString("message");
    assertThat(message)
        .hasSize(ApiJson.MAX_SUMMARY_TEXT)
        .startsWith("Traceback (most recent call last):\n")
        .endsWith("\n…\nZeroDivisionError: division by zero");
    // A short one is whole, and so is the start of one whose last line alone is too long to keep.
    assertThat(ApiJson.truncateKeepingLastLine("Traceback\nValueError: x"))
        .isEqualTo("Traceback\nValueError: x");
    String hugeLine = "E: " + "y".repeat(ApiJson.MAX_SUMMARY_TEXT * 2);
    assertThat(ApiJson.truncateKeepingLastLine(hugeLine))
        .hasSize(ApiJson.MAX_SUMMARY_TEXT + 1)
        .startsWith("E: yyy");
  }
}
