package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.txn.TxnIds;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15 in a cluster: the entry node of an atomic DAG call is halted (as by kill -9) during the
 * commit, and the surviving nodes show all of the call's writes within a bounded poll, without any
 * restart: the member that owns the commit record (or took it over from the dead one's backup)
 * rolls it forward when the node leaves. Three node processes; the crash hook ({@code
 * cloudburst.test.crashAt}) is set on the entry node's JVM only: {@code after-record} on node a,
 * then {@code mid-apply:2} on node d, started in a's place.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AtomicClusterCrashIT {
  private static final int KEYS = 5;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String clusterName = "cloudburst-atomic-" + Long.toString(System.nanoTime(), 36);
  private final List<NodeProcess> started = new ArrayList<>();
  private Path dir;
  private NodeProcess b;
  private NodeProcess c;
  private int bMemberPort;

  @BeforeAll
  void startSurvivors() throws Exception {
    dir = Files.createTempDirectory("cloudburst-atomic-cluster");
    bMemberPort = NodeProcess.freePort();
    b = node("b", bMemberPort, false, null);
    b.awaitLog(log("b"), "node b joined cluster");
    c = node("c", NodeProcess.freePort(), true, null);
    c.awaitUp(log("c"));
    b.awaitUp(log("b"));
    String[] fns = {
      "def acc_w1(cb, p):\n    for i in range(3):\n        cb.put(p + str(i), p)\n    return p\n",
      "def acc_w2(cb, p):\n    for i in range(3, "
          + KEYS
          + "):\n        cb.put(p + str(i), p)\n    return p\n"
    };
    for (int i = 0; i < fns.length; i++) {
      String body =
          new JsonObject()
              .put("name", "acc_w" + (i + 1))
              .put("language", "python")
              .put("source", fns[i])
              .encode();
      HttpResponse<String> r = send(b, "POST", "/v1/functions", body);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }
    HttpResponse<String> dag =
        send(
            c,
            "POST",
            "/v1/dags",
            "{\"name\": \"acc_dag\", \"functions\": [\"acc_w1\", \"acc_w2\"],"
                + " \"connections\": [[\"acc_w1\", \"acc_w2\"]]}");
    assertThat(dag.statusCode()).as(dag.body()).isEqualTo(201);
  }

  @AfterAll
  void stopAll() throws Exception {
    for (NodeProcess n : started) {
      n.close();
    }
  }

  @Test
  @Order(1)
  void anEntryNodeHaltedRightAfterTheCommitRecordLeavesAllItsWritesVisibleOnTheSurvivors()
      throws Exception {
    haltedCommitIsRolledForwardBySurvivors("a", "after-record");
  }

  @Test
  @Order(2)
  void anEntryNodeHaltedAfterTwoOfFiveWritesLeavesAllItsWritesVisibleOnTheSurvivors()
      throws Exception {
    haltedCommitIsRolledForwardBySurvivors("d", "mid-apply:2");
  }

  private void haltedCommitIsRolledForwardBySurvivors(String name, String point) throws Exception {
    NodeProcess entry = node(name, NodeProcess.freePort(), true, point);
    entry.awaitUp(log(name));
    String prefix = "acc_" + name + "_";
    String requestId = "acc-" + name + "-" + clusterName;

    try {
      HttpResponse<String> r =
          send(
              entry,
              "POST",
              "/v1/dags/acc_dag/invoke",
              new JsonObject()
                  .put("args", new JsonObject().put("acc_w1", List.of(prefix)))
                  .put("atomic", true)
                  .put("request_id", requestId)
                  .put("timeout_ms", 60_000)
                  .encode());
      throw new AssertionError("the entry node answered instead of halting: " + r.body());
    } catch (IOException expected) {
      // the entry node halted mid-request
    }
    assertThat(entry.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(entry.process.exitValue()).isEqualTo(137);

    // Heartbeats notice the loss within 6 s (a reset connection sooner); the owners sweep 1 s and
    // 5 s after that. Applies in flight when the node halted may have landed before the sweep.
    String rolled =
        "rolled forward committed transaction "
            + TxnIds.of(null, requestId)
            + " ("
            + KEYS
            + " writes)";
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int visible = 0;
    boolean rolledForward = false;
    while (System.nanoTime() < end && !(visible == 2 * KEYS && rolledForward)) {
      rolledForward = (Files.readString(log("b")) + Files.readString(log("c"))).contains(rolled);
      visible = 0;
      for (NodeProcess survivor : List.of(b, c)) {
        for (int i = 0; i < KEYS; i++) {
          HttpResponse<String> g = send(survivor, "GET", "/v1/kvs/" + prefix + i, null);
          if (g.statusCode() == 200) {
            assertThat(new JsonObject(g.body()).getValue("value")).isEqualTo(prefix);
            visible++;
          }
        }
      }
      if (!(visible == 2 * KEYS && rolledForward)) {
        b.process.waitFor(250, TimeUnit.MILLISECONDS); // a poll interval
      }
    }
    assertThat(rolledForward).as("a survivor rolled the commit forward: " + rolled).isTrue();
    assertThat(visible).as("all of the call's writes on both survivors").isEqualTo(2 * KEYS);

    // A repeat of the request id on a survivor answers the committed outcome.
    HttpResponse<String> repeat =
        send(
            c,
            "POST",
            "/v1/dags/acc_dag/invoke",
            new JsonObject()
                .put("args", new JsonObject().put("acc_w1", List.of(prefix)))
                .put("atomic", true)
                .put("request_id", requestId)
                .put("timeout_ms", 60_000)
                .encode());
    assertThat(repeat.statusCode()).as(repeat.body()).isEqualTo(200);
    assertThat(new JsonObject(repeat.body()).getValue("result")).isEqualTo(prefix);
  }

  // ---- helpers ----

  private Path log(String name) {
    return dir.resolve(name + ".log");
  }

  /**
   * A node process, joining b's member when {@code join}, with the crash hook at {@code crashAt}
   * when not null; not waited for.
   */
  private NodeProcess node(String name, int memberPort, boolean join, String crashAt)
      throws Exception {
    List<String> opts =
        new ArrayList<>(
            List.of(
                "--cluster",
                "--name",
                name,
                "--cluster-port",
                String.valueOf(memberPort),
                "--executors",
                "1",
                "--threads",
                "2"));
    if (join) {
      opts.addAll(List.of("--join", "127.0.0.1:" + bMemberPort));
    }
    List<String> flags = new ArrayList<>(List.of("-Dcloudburst.clusterName=" + clusterName));
    if (crashAt != null) {
      flags.add("-Dcloudburst.test.crashAt=" + crashAt);
    }
    NodeProcess n = NodeProcess.launch(dir.resolve(name), log(name), flags, opts);
    started.add(n);
    return n;
  }

  private HttpResponse<String> send(NodeProcess n, String method, String path, String body)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create(n.base + path))
            .timeout(Duration.ofSeconds(60))
            .header("content-type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }
}
