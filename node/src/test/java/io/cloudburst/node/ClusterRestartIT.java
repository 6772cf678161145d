package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Durable cluster state end to end: three node processes on their own data directories are stopped
 * (SIGTERM, then SIGKILL during a stream of writes) and started again on the same directories;
 * every acknowledged write, deletion, function and DAG is there afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterRestartIT {
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String clusterName = "cloudburst-restart-" + Long.toString(System.nanoTime(), 36);
  private final List<String> names = List.of("a", "b", "c");
  private final int[] memberPorts = new int[3];
  private final NodeProcess[] nodes = new NodeProcess[3];
  private Path dir;

  @BeforeAll
  void startCluster() throws Exception {
    dir = Files.createTempDirectory("cloudburst-restart");
    for (int i = 0; i < 3; i++) {
      memberPorts[i] = NodeProcess.freePort();
    }
    startAll();
  }

  @AfterAll
  void stopCluster() throws Exception {
    for (NodeProcess n : nodes) {
      if (n != null) {
        n.close();
      }
    }
  }

  @Test
  @Order(1)
  @SuppressWarnings("unchecked")
  void aCleanRestartKeepsEveryWriteTheDeletionAndTheFunctionsAndDags() throws Exception {
    NodeProcess a = nodes[0];
    NodeProcess b = nodes[1];
    NodeProcess c = nodes[2];
    assertThat(send(a, "POST", "/v1/functions", fn("rs_inc", "x + 1")).statusCode()).isEqualTo(201);
    assertThat(send(b, "POST", "/v1/functions", fn("rs_dbl", "x * 2")).statusCode()).isEqualTo(201);
    assertThat(
            send(
                    c,
                    "POST",
                    "/v1/dags",
                    "{\"name\": \"rs_dag\", \"functions\": [\"rs_inc\", \"rs_dbl\"],"
                        + " \"connections\": [[\"rs_inc\", \"rs_dbl\"]]}")
                .statusCode())
        .isEqualTo(201);
    put(b, "rs_lww", "{\"value\": \"hello\"}");
    put(c, "rs_set", "{\"value\": [1, 2], \"lattice\": \"set\"}");
    put(a, "rs_set", "{\"value\": [3], \"lattice\": \"set\"}");
    put(a, "rs_cnt", "{\"value\": 5, \"lattice\": \"counter\"}");
    put(b, "rs_cnt", "{\"value\": 7, \"lattice\": \"counter\"}");
    put(c, "rs_gone", "{\"value\": \"soon deleted\"}");
    assertThat(send(a, "DELETE", "/v1/kvs/rs_gone", null).statusCode()).isBetween(200, 204);

    for (NodeProcess n : nodes) {
      n.process.destroy(); // SIGTERM
    }
    for (NodeProcess n : nodes) {
      assertThat(n.process.waitFor(60, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
    }
    startAll();

    for (NodeProcess n : nodes) {
      assertThat(value(n, "rs_lww")).isEqualTo("hello");
      assertThat((List<Object>) value(n, "rs_set")).containsExactlyInAnyOrder(1, 2, 3);
      assertThat(value(n, "rs_cnt")).isEqualTo(12);
      assertThat(send(n, "GET", "/v1/kvs/rs_gone", null).statusCode()).isEqualTo(404);
      assertThat(send(n, "GET", "/v1/functions/rs_inc", null).statusCode()).isEqualTo(200);
    }
    JsonObject r =
        json(
            send(
                nodes[1],
                "POST",
                "/v1/dags/rs_dag/invoke",
                "{\"args\": {\"rs_inc\": [20]}, \"timeout_ms\": 60000}"));
    assertThat(r.getValue("result")).as(r.encode()).isEqualTo(42);
  }

  @Test
  @Order(2)
  void sigkillOfTheWholeClusterDuringWritesLosesNoAcknowledgedWrite() throws Exception {
    Map<String, Integer> acked = new ConcurrentHashMap<>();
    AtomicInteger ackedIncrements = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    for (int w = 0; w < 3; w++) {
      NodeProcess n = nodes[w];
      String prefix = "rk_" + names.get(w) + "_";
      writers.add(
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; !stop.get(); i++) {
                  try {
                    if (send(n, "PUT", "/v1/kvs/" + prefix + i, "{\"value\": " + i + "}")
                            .statusCode()
                        == 204) {
                      acked.put(prefix + i, i);
                    }
                    if (send(n, "PUT", "/v1/kvs/rk_cnt", "{\"value\": 1, \"lattice\": \"counter\"}")
                            .statusCode()
                        == 204) {
                      ackedIncrements.incrementAndGet();
                    }
                  } catch (Exception | AssertionError killed) {
                    return; // the node is gone: what it acknowledged before counts
                  }
                }
              },
              threads));
    }
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Object lock = new Object();
    while (acked.size() < 150 && System.nanoTime() < end) {
      synchronized (lock) {
        lock.wait(20); // a poll interval while the writers run
      }
    }
    for (NodeProcess n : nodes) {
      n.process.destroyForcibly(); // SIGKILL, all three at once while the writes go on
    }
    for (NodeProcess n : nodes) {
      n.process.waitFor(30, TimeUnit.SECONDS);
    }
    stop.set(true);
    CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
    threads.close();
    Map<String, Integer> before = Map.copyOf(acked);
    int increments = ackedIncrements.get();
    assertThat(before).hasSizeGreaterThanOrEqualTo(20);

    startAll();

    for (Map.Entry<String, Integer> e : before.entrySet()) {
      NodeProcess reader = nodes[Math.floorMod(e.getKey().hashCode(), 3)];
      assertThat(value(reader, e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
    assertThat((Integer) value(nodes[0], "rk_cnt")).isGreaterThanOrEqualTo(increments);
  }

  // ---- helpers ----

  /**
   * Starts a, then b and c (joining a) as soon as a's member is up, and waits until all three
   * serve.
   */
  private void startAll() throws Exception {
    nodes[0] = node(0, null);
    nodes[0].awaitLog(log(0), "node a joined cluster");
    String join = "127.0.0.1:" + memberPorts[0];
    nodes[1] = node(1, join);
    nodes[2] = node(2, join);
    for (int i = 0; i < 3; i++) {
      nodes[i].awaitUp(log(i));
    }
  }

  private Path log(int i) {
    return dir.resolve(names.get(i) + ".log");
  }

  private NodeProcess node(int i, String join) throws Exception {
    String name = names.get(i);
    List<String> opts =
        new ArrayList<>(
            List.of(
                "--cluster",
                "--name",
                name,
                "--cluster-port",
                String.valueOf(memberPorts[i]),
                "--executors",
                "1",
                "--threads",
                "2"));
    if (join != null) {
      opts.addAll(List.of("--join", join));
    }
    return NodeProcess.launch(
        dir.resolve(name), log(i), List.of("-Dcloudburst.clusterName=" + clusterName), opts);
  }

  private static String fn(String name, String expression) {
    return new JsonObject()
        .put("name", name)
        .put("language", "python")
        .put("source", "def " + name + "(cb, x):\n    return " + expression + "\n")
        .encode();
  }

  private void put(NodeProcess n, String key, String body) throws Exception {
    HttpResponse<String> r = send(n, "PUT", "/v1/kvs/" + key, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
  }

  private Object value(NodeProcess n, String key) throws Exception {
    Object v = json(send(n, "GET", "/v1/kvs/" + key, null)).getValue("value");
    return v instanceof JsonArray a ? a.getList() : v;
  }

  private HttpResponse<String> send(NodeProcess n, String method, String path, String body)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create(n.base + path))
            .timeout(Duration.ofSeconds(30))
            .header("content-type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject json(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    return new JsonObject(r.body());
  }
}
