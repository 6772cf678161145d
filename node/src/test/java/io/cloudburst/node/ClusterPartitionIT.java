package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.lattice.CounterLattice;
import io.cloudburst.bus.lattice.SetLattice;
import io.cloudburst.kvs.ClusterDiskStore;
import io.cloudburst.kvs.impl.LatticeStore;
import io.cloudburst.kvs.impl.StoredValue;
import io.vertx.core.json.JsonArray;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A network partition of a 3-node cluster: each node process runs in its own Linux network
 * namespace, joined to the others by a veth pair into a "cluster" bridge (Hazelcast and the
 * clustered event bus bind only there) and to the test by a second veth pair into a "front" bridge
 * (HTTP). Taking node c's cluster link down cuts it off from a and b while the test still reaches
 * all three over HTTP; bringing it up heals the partition, and Hazelcast's split-brain merge (run
 * within seconds here, through system properties) joins both sides' states.
 *
 * <p>Needs root and {@code ip netns} (iproute2); skipped with a message otherwise. Every namespace,
 * bridge and process it makes is removed in {@link #cleanUp}, also after a failure.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterPartitionIT {
  private static final int MEMBER_PORT = 5701;
  private static final int HTTP_PORT = 8080;
  private static final String TOKEN = "partition-test-token-0123456789";

  /** The slow calls on c across the cut: their deadline, and how long past it an answer may be. */
  private static final int SLOW_TIMEOUT_MS = 6_000;

  private static final long ANSWER_SLACK_MS = 6_000;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  private final String id =
      Integer.toString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000), 16);
  private final int subnet = ThreadLocalRandom.current().nextInt(1, 250);
  private final String clusterName = "cloudburst-partition-" + id;
  private final List<String> names = List.of("a", "b", "c");
  private final NodeProcess[] nodes = new NodeProcess[3];
  private final List<String> namespaces = new ArrayList<>();
  private final List<String> links = new ArrayList<>();
  private Path dir;

  // ---- the network ----

  private String ns(int i) {
    return "cbp" + id + names.get(i);
  }

  private String clusterBridge() {
    return "cbp" + id + "cbr";
  }

  private String frontBridge() {
    return "cbp" + id + "fbr";
  }

  /** The root end of node i's cluster veth: down means i is cut off. */
  private String clusterLink(int i) {
    return "cbp" + id + "c" + i;
  }

  private String clusterAddress(int i) {
    return "10.231." + subnet + "." + (11 + i);
  }

  private String frontAddress(int i) {
    return "10.232." + subnet + "." + (11 + i);
  }

  private static void ip(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
    }
  }

  private void setUpNetwork() throws Exception {
    String probe = "cbp" + id + "probe";
    try {
      ip("netns", "add", probe);
      ip("netns", "del", probe);
    } catch (IOException e) {
      Assumptions.abort(
          "needs root and 'ip netns' (iproute2) to put nodes in network namespaces: "
              + e.getMessage());
    }
    for (String bridge : List.of(clusterBridge(), frontBridge())) {
      ip("link", "add", bridge, "type", "bridge");
      links.add(bridge);
      ip("link", "set", bridge, "up");
    }
    ip("addr", "add", "10.232." + subnet + ".1/24", "dev", frontBridge());
    for (int i = 0; i < 3; i++) {
      String ns = ns(i);
      ip("netns", "add", ns);
      namespaces.add(ns);
      ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
      plug(ns, clusterLink(i), clusterBridge(), clusterAddress(i));
      plug(ns, "cbp" + id + "f" + i, frontBridge(), frontAddress(i));
    }
  }

  /** A veth pair: {@code rootEnd} in the bridge, its peer in {@code ns} with {@code address}. */
  private void plug(String ns, String rootEnd, String bridge, String address) throws Exception {
    String inner = rootEnd + "p";
    ip("link", "add", rootEnd, "type", "veth", "peer", "name", inner);
    links.add(rootEnd);
    ip("link", "set", inner, "netns", ns);
    ip("link", "set", rootEnd, "master", bridge);
    ip("link", "set", rootEnd, "up");
    ip("netns", "exec", ns, "ip", "addr", "add", address + "/24", "dev", inner);
    ip("netns", "exec", ns, "ip", "link", "set", inner, "up");
  }

  @BeforeAll
  void startCluster() throws Exception {
    setUpNetwork();
    dir = Files.createTempDirectory("cloudburst-partition");
    nodes[0] = node(0, null);
    nodes[0].awaitLog(log(0), "node a joined cluster");
    nodes[1] = node(1, clusterAddress(0) + ":" + MEMBER_PORT);
    nodes[2] =
        node(
            2, clusterAddress(0) + ":" + MEMBER_PORT + "," + clusterAddress(1) + ":" + MEMBER_PORT);
    for (int i = 0; i < 3; i++) {
      nodes[i].awaitUp(log(i));
    }
  }

  /** Runs even when {@link #startCluster} failed or was skipped half-way. */
  @AfterAll
  void cleanUp() throws Exception {
    for (NodeProcess n : nodes) {
      if (n != null) {
        n.close();
      }
    }
    for (String link : links.reversed()) {
      quietly("link", "del", link); // a veth's peer goes with it
    }
    for (String ns : namespaces) {
      quietly("netns", "del", ns);
    }
  }

  private static void quietly(String... args) {
    try {
      ip(args);
    } catch (Exception gone) {
      // already gone (a veth deleted with its peer or its namespace)
    }
  }

  private NodeProcess node(int i, String join) throws Exception {
    String name = names.get(i);
    List<String> opts =
        new ArrayList<>(
            List.of(
                "--cluster",
                "--name",
                name,
                "--cluster-host",
                clusterAddress(i),
                "--cluster-port",
                String.valueOf(MEMBER_PORT),
                "--token",
                TOKEN,
                "--executors",
                "1",
                "--threads",
                "2"));
    if (join != null) {
      opts.addAll(List.of("--join", join));
    }
    return NodeProcess.launchWrapped(
        List.of("ip", "netns", "exec", ns(i)),
        frontAddress(i),
        HTTP_PORT,
        dir.resolve(name),
        log(i),
        List.of(
            "-Dcloudburst.clusterName=" + clusterName,
            "-Dhazelcast.merge.first.run.delay.seconds=5",
            "-Dhazelcast.merge.next.run.delay.seconds=3"),
        opts);
  }

  private Path log(int i) {
    return dir.resolve(names.get(i) + ".log");
  }

  // ---- the tests ----

  @Test
  @Order(1)
  @SuppressWarnings("unchecked")
  void writesOnBothSidesOfAPartitionAreAllReadableThroughEveryNodeAfterItHeals() throws Exception {
    NodeProcess a = nodes[0];
    NodeProcess b = nodes[1];
    NodeProcess c = nodes[2];
    assertThat(send(a, "POST", "/v1/functions", fn("pt_sq", "x * x")).statusCode()).isEqualTo(201);
    assertThat(
            send(
                    a,
                    "POST",
                    "/v1/functions",
                    new JsonObject()
                        .put("name", "pt_slow")
                        .put("language", "python")
                        .put(
                            "source",
                            "import time\n\ndef pt_slow(cb, s):\n    time.sleep(s)\n    return s\n")
                        .encode())
                .statusCode())
        .isEqualTo(201);
    for (NodeProcess n : nodes) {
      assertThat(call(n, "pt_sq", 3, 30_000).getValue("result")).isEqualTo(9);
      assertThat(call(n, "pt_slow", 0, 30_000).getValue("result")).isEqualTo(0);
    }
    put(a, "p_set", "{\"value\": [\"before\"], \"lattice\": \"set\"}");
    put(b, "p_cnt", "{\"value\": 1, \"lattice\": \"counter\"}");
    put(b, "p_lww", "{\"value\": \"before\"}");

    // Slow calls entered on c just before the cut: some run on a or b once c's executor is busy.
    ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    List<CompletableFuture<String>> slow = new ArrayList<>();
    for (int k = 0; k < 6; k++) {
      slow.add(
          CompletableFuture.supplyAsync(
              timed(() -> call(c, "pt_slow", 2, SLOW_TIMEOUT_MS)), threads));
    }

    ip("link", "set", clusterLink(2), "down");
    c.awaitLog(log(2), "node a left the cluster");
    c.awaitLog(log(2), "node b left the cluster");
    a.awaitLog(log(0), "node c left the cluster");

    // Every call entered on c answers: done, or an error with a code, never past its deadline.
    List<String> outcomes = new ArrayList<>();
    for (CompletableFuture<String> f : slow) {
      String outcome = f.get(SLOW_TIMEOUT_MS + ANSWER_SLACK_MS + 5_000, TimeUnit.MILLISECONDS);
      outcomes.add(outcome);
      assertThat(outcome).matches("(done 2|error [A-Z_]+) in \\d+ ms");
      assertThat(Long.parseLong(outcome.replaceAll(".* in (\\d+) ms", "$1")))
          .as(outcome)
          .isLessThan(SLOW_TIMEOUT_MS + ANSWER_SLACK_MS);
    }
    threads.close();
    System.out.println("slow calls entered on c across the cut: " + outcomes);

    // Both sides take writes: a and b on one side, c alone on the other.
    putUntilAcked(a, "p_set", "{\"value\": [\"a1\"], \"lattice\": \"set\"}");
    putUntilAcked(b, "p_set", "{\"value\": [\"b1\"], \"lattice\": \"set\"}");
    putUntilAcked(c, "p_set", "{\"value\": [\"c1\"], \"lattice\": \"set\"}");
    putUntilAcked(a, "p_cnt", "{\"value\": 2, \"lattice\": \"counter\"}");
    putUntilAcked(c, "p_cnt", "{\"value\": 4, \"lattice\": \"counter\"}");
    putUntilAcked(a, "p_lww", "{\"value\": \"a side\"}");
    for (int k = 0; k < 5; k++) {
      for (int i = 0; i < 3; i++) {
        putUntilAcked(nodes[i], "p_" + names.get(i) + k, "{\"value\": " + (i * 100 + k) + "}");
      }
    }
    putUntilAcked(c, "p_lww", "{\"value\": \"c side, later\"}");
    // The cut-off node runs calls on its own executors.
    assertThat(call(c, "pt_sq", 7, 10_000).getValue("result")).isEqualTo(49);
    assertThat(call(a, "pt_sq", 8, 10_000).getValue("result")).isEqualTo(64);

    ip("link", "set", clusterLink(2), "up");

    List<Object> union = List.of("before", "a1", "b1", "c1");
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!healed(union) && System.nanoTime() < end) {
      c.process.waitFor(500, TimeUnit.MILLISECONDS); // a poll interval while Hazelcast merges
    }
    for (NodeProcess n : nodes) {
      assertThat((List<Object>) value(n, "p_set"))
          .as(n.base)
          .containsExactlyInAnyOrderElementsOf(union);
      assertThat(value(n, "p_cnt")).as(n.base).isEqualTo(7);
      assertThat(value(n, "p_lww")).as(n.base).isEqualTo("c side, later");
      for (int k = 0; k < 5; k++) {
        for (int i = 0; i < 3; i++) {
          assertThat(value(n, "p_" + names.get(i) + k)).as(n.base).isEqualTo(i * 100 + k);
        }
      }
    }
    assertThat(call(c, "pt_sq", 9, 30_000).getValue("result")).isEqualTo(81);
  }

  @Test
  @Order(2)
  void theMergedStateIsWrittenThroughToTheOwnersDisk() throws Exception {
    for (NodeProcess n : nodes) {
      n.process.destroy(); // SIGTERM: the disks close cleanly
    }
    for (NodeProcess n : nodes) {
      assertThat(n.process.waitFor(60, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
    }
    // Before the heal no disk held all four members (each side wrote only its own); a disk that
    // does now got the merged state.
    Set<Object> full = Set.of("before", "a1", "b1", "c1");
    List<Set<Object>> disks = new ArrayList<>();
    long counted = 0;
    for (String name : names) {
      try (LatticeStore disk =
          LatticeStore.open(dir.resolve(name).resolve(ClusterDiskStore.DIR), Integer.MAX_VALUE)) {
        StoredValue set = disk.get("p_set");
        disks.add(
            set == null || set.isTombstone()
                ? Set.of()
                : new HashSet<>(((SetLattice) set.lattice()).members()));
        StoredValue cnt = disk.get("p_cnt");
        if (cnt != null && !cnt.isTombstone()) {
          counted =
              Math.max(
                  counted,
                  ((CounterLattice) cnt.lattice())
                      .counts().values().stream().mapToLong(Long::longValue).sum());
        }
      }
    }
    assertThat(disks).as("p_set on the disks of a, b, c").contains(full);
    assertThat(counted).as("the most complete p_cnt on a disk").isEqualTo(7);
  }

  // ---- helpers ----

  private boolean healed(List<Object> union) {
    try {
      for (NodeProcess n : nodes) {
        if (!(value(n, "p_set") instanceof List<?> l
                && new HashSet<>(l).equals(new HashSet<>(union)))
            || !"c side, later".equals(value(n, "p_lww"))
            || !Integer.valueOf(7).equals(value(n, "p_cnt"))) {
          return false;
        }
      }
      return true;
    } catch (Exception | AssertionError notYet) {
      return false;
    }
  }

  private static Supplier<String> timed(ThrowingSupplier<JsonObject> call) {
    return () -> {
      long t0 = System.nanoTime();
      String what;
      try {
        JsonObject r = call.get();
        what =
            r.containsKey("error")
                ? "error " + r.getJsonObject("error").getString("code")
                : r.getString("status") + " " + r.getValue("result");
      } catch (Exception e) {
        what = "client failure " + e;
      }
      return what + " in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms";
    };
  }

  private interface ThrowingSupplier<T> {
    T get() throws Exception;
  }

  private static String fn(String name, String expression) {
    return new JsonObject()
        .put("name", name)
        .put("language", "python")
        .put("source", "def " + name + "(cb, x):\n    return " + expression + "\n")
        .encode();
  }

  /** Invokes a function and waits for it; the answer's JSON, an error object included. */
  private JsonObject call(NodeProcess n, String function, int arg, int timeoutMs) throws Exception {
    HttpResponse<String> r =
        send(
            n,
            "POST",
            "/v1/functions/" + function + "/invoke",
            "{\"args\": [" + arg + "], \"timeout_ms\": " + timeoutMs + "}");
    return new JsonObject(r.body());
  }

  private void put(NodeProcess n, String key, String body) throws Exception {
    HttpResponse<String> r = send(n, "PUT", "/v1/kvs/" + key, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
  }

  /**
   * Puts until the node acknowledges it (bounded): just after the cut a side may still be taking
   * over the other's partitions.
   */
  private void putUntilAcked(NodeProcess n, String key, String body) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    HttpResponse<String> r = send(n, "PUT", "/v1/kvs/" + key, body);
    while (r.statusCode() != 204 && System.nanoTime() < end) {
      n.process.waitFor(200, TimeUnit.MILLISECONDS);
      r = send(n, "PUT", "/v1/kvs/" + key, body);
    }
    assertThat(r.statusCode()).as(n.base + " " + key + ": " + r.body()).isEqualTo(204);
  }

  private Object value(NodeProcess n, String key) throws Exception {
    HttpResponse<String> r = send(n, "GET", "/v1/kvs/" + key, null);
    assertThat(r.statusCode()).as(n.base + " " + key + ": " + r.body()).isEqualTo(200);
    Object v = new JsonObject(r.body()).getValue("value");
    return v instanceof JsonArray arr ? arr.getList() : v;
  }

  private HttpResponse<String> send(NodeProcess n, String method, String path, String body)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create(n.base + path))
            .timeout(Duration.ofSeconds(30))
            .header("content-type", "application/json")
            .header("authorization", "Bearer " + TOKEN)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }
}
