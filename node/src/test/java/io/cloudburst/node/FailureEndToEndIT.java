package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SCENARIOS.md 19 on a node of its own with three executors: a DAG that stalls fails with TIMEOUT
 * within its deadline, and a call whose executor dies mid-call is run again on another executor and
 * completes.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FailureEndToEndIT {
  private static TestNode n;

  private static final String SLOW =
      """
      import time
      def %s(cb, x, secs):
          t0 = time.monotonic()
          while time.monotonic() - t0 < secs:
              pass
          return x
      """;

  @BeforeAll
  static void node() throws Exception {
    n = TestNode.startOwn(3);
  }

  @AfterAll
  static void close() throws Exception {
    n.close();
  }

  @Test
  void aStalledDagFailsWithTimeoutWithinItsDeadline() throws Exception {
    assertThat(n.register("fl_first", "python", "def fl_first(cb): return 1").status())
        .isEqualTo(201);
    assertThat(
            n.register("fl_stall", "javascript", "function fl_stall(cb, x) { while (true) {} }")
                .status())
        .isEqualTo(201);
    assertThat(
            n.post(
                    "/v1/dags",
                    new JsonObject()
                        .put("name", "fl_stalling")
                        .put("functions", new JsonArray().add("fl_first").add("fl_stall"))
                        .put(
                            "connections",
                            new JsonArray().add(new JsonArray().add("fl_first").add("fl_stall"))))
                .status())
        .isEqualTo(201);
    long t0 = System.nanoTime();
    TestNode.Reply r =
        n.post(
            "/v1/dags/fl_stalling/invoke",
            new JsonObject().put("args", new JsonObject()).put("timeout_ms", 1_500));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.status()).as(r.body()).isEqualTo(504);
    assertThat(r.errorCode()).isEqualTo("TIMEOUT");
    assertThat(ms).isBetween(1_400L, 8_000L);
    assertThat(n.invoke("fl_first").json().getLong("result"))
        .as("the node still serves")
        .isEqualTo(1L);
  }

  /** Waits (bounded) until some executor runs a call, stops it, and returns its index. */
  private static int stopTheBusyExecutor() throws Exception {
    for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); System.nanoTime() < end; ) {
      JsonObject st = n.get("/v1/status").json();
      for (Object e : st.getJsonArray("nodes").getJsonObject(0).getJsonArray("executors")) {
        JsonObject ex = (JsonObject) e;
        if (ex.getInteger("busy") > 0) {
          String address = ex.getString("address");
          int index = Integer.parseInt(address.substring(address.lastIndexOf('.') + 1));
          n.node.stopExecutor(index).await(30, TimeUnit.SECONDS);
          return index;
        }
      }
    }
    throw new AssertionError("no executor ever reported a busy worker");
  }

  @Test
  void callsWhoseExecutorDiesMidCallAreRunAgainElsewhere() throws Exception {
    assertThat(n.register("fl_slow", "python", SLOW.formatted("fl_slow")).status()).isEqualTo(201);
    String id =
        n.post(
                "/v1/functions/fl_slow/invoke",
                new JsonObject()
                    .put("args", new JsonArray().add(7).add(2.0))
                    .put("wait", false)
                    .put("timeout_ms", 60_000))
            .json()
            .getString("id");
    int stopped = stopTheBusyExecutor();
    JsonObject r = n.awaitResult(id, 60);
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("done");
    assertThat(r.getLong("result")).isEqualTo(7L);

    assertThat(n.register("fl_slow2", "python", SLOW.formatted("fl_slow2")).status())
        .isEqualTo(201);
    assertThat(
            n.register("fl_after", "javascript", "function fl_after(cb, x) { return x * 10 }")
                .status())
        .isEqualTo(201);
    assertThat(
            n.post(
                    "/v1/dags",
                    new JsonObject()
                        .put("name", "fl_dag")
                        .put("functions", new JsonArray().add("fl_slow2").add("fl_after"))
                        .put(
                            "connections",
                            new JsonArray().add(new JsonArray().add("fl_slow2").add("fl_after"))))
                .status())
        .isEqualTo(201);
    String dagId =
        n.post(
                "/v1/dags/fl_dag/invoke",
                new JsonObject()
                    .put("args", new JsonObject().put("fl_slow2", new JsonArray().add(4).add(2.0)))
                    .put("wait", false)
                    .put("timeout_ms", 60_000))
            .json()
            .getString("id");
    int stoppedToo = stopTheBusyExecutor();
    assertThat(stoppedToo).isNotEqualTo(stopped);
    JsonObject d = n.awaitResult(dagId, 60);
    assertThat(d.getString("status")).as(d.encode()).isEqualTo("done");
    assertThat(d.getLong("result")).isEqualTo(40L);
  }
}
