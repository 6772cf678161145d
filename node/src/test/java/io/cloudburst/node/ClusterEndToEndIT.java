package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 6 end to end: three node processes on loopback joined by Hazelcast. A function registered
 * through one node runs where placement says when called through another; writes through one node's
 * cache are read by functions on another; refused joins leave the cluster whole; SIGKILL of a node
 * during a stream of acknowledged writes and calls loses no acknowledged write, and every call
 * completes or fails with a clear error, none hangs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterEndToEndIT {
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A cluster name of this run's own, so a developer's cluster on this machine is never joined. */
  private final String clusterName = "cloudburst-test-" + Long.toString(System.nanoTime(), 36);

  private Path dir;
  private NodeProcess a;
  private NodeProcess b;
  private NodeProcess c;
  private int memberA;
  private int memberC;
  private NodeProcess d;
  private NodeProcess e;

  @BeforeAll
  void startCluster() throws Exception {
    dir = Files.createTempDirectory("cloudburst-cluster");
    memberA = NodeProcess.freePort();
    a = node("a", memberA, null);
    String join = "127.0.0.1:" + memberA;
    CompletableFuture<NodeProcess> fb =
        CompletableFuture.supplyAsync(
            () -> unchecked(() -> node("b", NodeProcess.freePort(), join)));
    memberC = NodeProcess.freePort();
    CompletableFuture<NodeProcess> fc =
        CompletableFuture.supplyAsync(() -> unchecked(() -> node("c", memberC, join)));
    b = fb.get(180, TimeUnit.SECONDS);
    c = fc.get(180, TimeUnit.SECONDS);
  }

  @AfterAll
  void stopCluster() throws Exception {
    for (NodeProcess n : new NodeProcess[] {e, d, c, b, a}) {
      if (n != null) {
        n.close();
      }
    }
  }

  private NodeProcess node(String name, int memberPort, String join, String... more)
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
    opts.addAll(List.of(more));
    if (join != null) {
      opts.addAll(List.of("--join", join));
    }
    return NodeProcess.start(
        dir.resolve(name),
        dir.resolve(name + ".log"),
        List.of("-Dcloudburst.clusterName=" + clusterName),
        opts);
  }

  // ---- 1. the cluster forms ----

  @Test
  @Order(1)
  void threeNodesFormOneClusterAndEachSeesEveryExecutor() throws Exception {
    for (NodeProcess n : List.of(a, b, c)) {
      Set<String> ids = awaitStatus(n, s -> nodesWithExecutors(s).size() == 3);
      assertThat(ids).containsExactly("a", "b", "c");
    }
  }

  // ---- 2. registered on A, called through C, runs on B when placement says so ----

  @Test
  @Order(2)
  void functionRegisteredOnAIsCalledThroughCAndRunsOnBWhereItsArgumentIsCached() throws Exception {
    assertThat(send(b, "PUT", "/v1/kvs/cl_on_b", "{\"value\": 7}").statusCode()).isEqualTo(204);
    awaitStatus(c, s -> cachedOn(s, "b").contains("cl_on_b"));
    assertThat(
            send(a, "POST", "/v1/functions", fn("cl_sq", "def cl_sq(cb, x):\n    return x * x\n"))
                .statusCode())
        .isEqualTo(201);
    await(
        "cl_sq known to node c",
        () -> send(c, "GET", "/v1/functions/cl_sq", null).statusCode() == 200);

    JsonObject r =
        json(
            send(c, "POST", "/v1/functions/cl_sq/invoke", "{\"args\": [{\"$ref\": \"cl_on_b\"}]}"));
    assertThat(r.getInteger("result")).as(r.encode()).isEqualTo(49);
    assertThat(r.getString("executor"))
        .as("placed by the cached argument")
        .startsWith("cloudburst.executor.b.");
  }

  // ---- 3. a write through A's cache is read by a function on B ----

  @Test
  @Order(3)
  void writeThroughAIsReadByAFunctionOnB() throws Exception {
    assertThat(
            send(
                    a,
                    "POST",
                    "/v1/functions",
                    fn("cl_read", "def cl_read(cb, marker, key):\n    return cb.get(key)\n"))
                .statusCode())
        .isEqualTo(201);
    String call = "{\"args\": [{\"$ref\": \"cl_on_b\"}, \"cl_shared\"]}";
    assertThat(send(a, "PUT", "/v1/kvs/cl_shared", "{\"value\": \"first\"}").statusCode())
        .isEqualTo(204);
    JsonObject r = json(send(a, "POST", "/v1/functions/cl_read/invoke", call));
    assertThat(r.getString("executor")).as(r.encode()).startsWith("cloudburst.executor.b.");
    assertThat(r.getString("result")).isEqualTo("first");

    // B's cache now holds cl_shared: a newer write through A reaches it (pushed by the key's
    // owner).
    assertThat(send(a, "PUT", "/v1/kvs/cl_shared", "{\"value\": \"second\"}").statusCode())
        .isEqualTo(204);
    await(
        "the function on b reads the second write",
        () -> {
          JsonObject again = json(send(a, "POST", "/v1/functions/cl_read/invoke", call));
          assertThat(again.getString("executor")).startsWith("cloudburst.executor.b.");
          return "second".equals(again.getString("result"));
        });
  }

  // ---- 3b. repeatable read across nodes: the downstream function on B reads the version the
  // upstream read on A ----

  @Test
  @Order(4)
  void repeatableReadAcrossNodesReadsTheUpstreamVersionFromItsNode() throws Exception {
    assertThat(send(a, "PUT", "/v1/kvs/cl_on_a", "{\"value\": 1}").statusCode()).isEqualTo(204);
    awaitStatus(c, s -> cachedOn(s, "a").contains("cl_on_a"));
    assertThat(
            send(
                    a,
                    "POST",
                    "/v1/functions",
                    fn(
                        "cl_rr_first",
                        "import time\n\ndef cl_rr_first(cb, marker, key, tag):\n"
                            + "    v = cb.get(key)\n    cb.put('cl_rr_started_' + tag, 1)\n    end = time.monotonic() + 3\n"
                            + "    while time.monotonic() < end:\n        pass\n    return v\n"))
                .statusCode())
        .isEqualTo(201);
    assertThat(
            send(
                    a,
                    "POST",
                    "/v1/functions",
                    fn(
                        "cl_rr_second",
                        "def cl_rr_second(cb, marker, key, up):\n    return [up, cb.get(key)]\n"))
                .statusCode())
        .isEqualTo(201);
    assertThat(
            send(
                    a,
                    "POST",
                    "/v1/dags",
                    "{\"name\": \"cl_rr\", \"functions\": [\"cl_rr_first\", \"cl_rr_second\"],"
                        + " \"connections\": [[\"cl_rr_first\", \"cl_rr_second\"]]}")
                .statusCode())
        .isEqualTo(201);
    await(
        "cl_rr known to node c", () -> send(c, "GET", "/v1/dags/cl_rr", null).statusCode() == 200);

    // Normal mode: b reads what its cache has by then (the newer write). Repeatable read: the
    // version a read.
    assertThat(runRr("normal", "n")).isEqualTo(new JsonArray().add("v1-n").add("v2-n"));
    assertThat(runRr("repeatable_read", "rr")).isEqualTo(new JsonArray().add("v1-rr").add("v1-rr"));
  }

  /**
   * One DAG call: first on a reads v1, a newer v2 reaches b's cache meanwhile, second on b reads.
   */
  private JsonArray runRr(String consistency, String tag) throws Exception {
    String key = "cl_rr_key_" + tag;
    assertThat(send(a, "PUT", "/v1/kvs/" + key, "{\"value\": \"v1-" + tag + "\"}").statusCode())
        .isEqualTo(204);
    assertThat(json(send(b, "GET", "/v1/kvs/" + key, null)).getString("value"))
        .isEqualTo("v1-" + tag); // b's cache holds it
    JsonObject pending =
        json(
            send(
                c,
                "POST",
                "/v1/dags/cl_rr/invoke",
                new JsonObject()
                    .put(
                        "args",
                        new JsonObject()
                            .put(
                                "cl_rr_first",
                                new JsonArray()
                                    .add(new JsonObject().put("$ref", "cl_on_a"))
                                    .add(key)
                                    .add(tag))
                            .put(
                                "cl_rr_second",
                                new JsonArray()
                                    .add(new JsonObject().put("$ref", "cl_on_b"))
                                    .add(key)))
                    .put("consistency", consistency)
                    .put("wait", false)
                    .put("timeout_ms", 60000)
                    .encode()));
    await(
        "cl_rr_first started (" + tag + ")",
        () -> send(c, "GET", "/v1/kvs/cl_rr_started_" + tag, null).statusCode() == 200);
    assertThat(send(c, "PUT", "/v1/kvs/" + key, "{\"value\": \"v2-" + tag + "\"}").statusCode())
        .isEqualTo(204);
    await(
        "b's cache has v2 (" + tag + ")",
        () ->
            ("v2-" + tag).equals(json(send(b, "GET", "/v1/kvs/" + key, null)).getString("value")));
    JsonObject r = awaitResult(c, pending.getString("id"));
    assertThat(r.getString("status")).as(r.encode()).isEqualTo("done");
    assertThat(r.getString("executor"))
        .as("the second function ran on b")
        .startsWith("cloudburst.executor.b.");
    return r.getJsonArray("result");
  }

  // ---- 4. refused joins: clear errors, the cluster stays whole ----

  @Test
  @Order(5)
  void badJoinsAreRefusedWithClearErrorsAndSplitNothing() throws Exception {
    String join = "127.0.0.1:" + memberA;
    int nobody = NodeProcess.freePort();
    CompletableFuture<String> unreachable =
        CompletableFuture.supplyAsync(
            () ->
                unchecked(
                    () ->
                        refused(
                            "unreachable",
                            List.of(),
                            List.of("--name", "lonely", "--join", "127.0.0.1:" + nobody))));
    CompletableFuture<String> sameName =
        CompletableFuture.supplyAsync(
            () ->
                unchecked(
                    () -> refused("same-name", List.of(), List.of("--name", "a", "--join", join))));
    CompletableFuture<String> otherVersion =
        CompletableFuture.supplyAsync(
            () ->
                unchecked(
                    () ->
                        refused(
                            "other-version",
                            List.of("-Dcloudburst.wireVersion=999"),
                            List.of("--name", "future", "--join", join))));
    assertThat(unreachable.get(120, TimeUnit.SECONDS))
        .contains("none of the members to join answered")
        .contains("127.0.0.1:" + nobody);
    assertThat(sameName.get(120, TimeUnit.SECONDS))
        .contains("a node named 'a' is already in the cluster");
    assertThat(otherVersion.get(120, TimeUnit.SECONDS))
        .contains("runs wire version 1 and this node runs 999");

    assertThat(awaitStatus(a, s -> nodesWithExecutors(s).size() == 3))
        .containsExactly("a", "b", "c");
    assertThat(json(send(c, "GET", "/v1/kvs/cl_on_b", null)).getInteger("value")).isEqualTo(7);
    // The refused namesake leaving is not taken for node a leaving (which would re-run a's calls).
    Path cLog = dir.resolve("c.log");
    await(
        "c saw the refused namesake leave",
        () -> Files.readString(cLog).contains("a refused member named a left"));
    assertThat(Files.readString(cLog)).doesNotContain("node a left the cluster");
  }

  /**
   * Runs a node that must refuse to join: returns its output; fails unless it exits with 3 in time.
   */
  private String refused(String tag, List<String> jvm, List<String> opts) throws Exception {
    Path log = dir.resolve("refused-" + tag + ".log");
    List<String> args =
        new ArrayList<>(
            List.of(
                "--cluster",
                "--port",
                "0",
                "--data",
                dir.resolve("refused-" + tag).toString(),
                "--cluster-port",
                String.valueOf(NodeProcess.freePort())));
    args.addAll(opts);
    List<String> flags = new ArrayList<>(jvm);
    flags.add("-Dcloudburst.clusterName=" + clusterName);
    Process p =
        new ProcessBuilder(NodeProcess.command(flags, args))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!p.waitFor(100, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(
          tag + ": the node neither joined nor exited within 100 s; see " + log);
    }
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(tag + ": " + out).isEqualTo(3);
    return out;
  }

  // ---- 5. SIGKILL of a node during a stream of acknowledged writes and calls ----

  @Test
  @Order(6)
  void sigkillOfANodeLosesNoAcknowledgedWriteAndHangsNoCall() throws Exception {
    // A slow call placed on b (its argument is cached there) that is running when b dies.
    assertThat(
            send(
                    a,
                    "POST",
                    "/v1/functions",
                    fn(
                        "cl_slow",
                        "import time\n\ndef cl_slow(cb, marker, seconds):\n    cb.put('cl_slow_started', seconds)\n"
                            + "    end = time.monotonic() + seconds\n    while time.monotonic() < end:\n        pass\n    return seconds * 2\n"))
                .statusCode())
        .isEqualTo(201);
    int n = 20; // seconds of CPU: still running when b is killed
    long expected = 2L * n;
    assertThat(send(b, "PUT", "/v1/kvs/cl_slow_arg", "{\"value\": 1}").statusCode()).isEqualTo(204);
    awaitStatus(a, s -> cachedOn(s, "b").contains("cl_slow_arg"));
    JsonObject pending =
        json(
            send(
                a,
                "POST",
                "/v1/functions/cl_slow/invoke",
                "{\"args\": [{\"$ref\": \"cl_slow_arg\"}, "
                    + n
                    + "], \"wait\": false, \"timeout_ms\": 120000}"));
    String slowId = pending.getString("id");
    // Nothing else runs yet: the one call a's scheduler has in flight is the slow one, and it is on
    // b.
    JsonObject placed = json(send(a, "GET", "/v1/status", null));
    assertThat(inFlightOn(placed, "b")).as(placed.encode()).isEqualTo(1);
    assertThat(inFlightOn(placed, "a") + inFlightOn(placed, "c")).as(placed.encode()).isZero();

    Map<String, Integer> acked = new ConcurrentHashMap<>();
    List<String> writeErrors = java.util.Collections.synchronizedList(new ArrayList<>());
    List<String> callErrors = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicInteger callsDone = new AtomicInteger();
    AtomicInteger callsAfterKill = new AtomicInteger();
    AtomicInteger writesAfterKill = new AtomicInteger();
    AtomicBoolean killed = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              for (int k = 0; !stop.get(); k++) {
                int i = k;
                HttpResponse<String> r =
                    unchecked(
                        () ->
                            send(
                                i % 2 == 0 ? a : c,
                                "PUT",
                                "/v1/kvs/cl_w" + i,
                                "{\"value\": " + i + "}"));
                if (r.statusCode() == 204) {
                  acked.put("cl_w" + i, i);
                } else {
                  writeErrors.add(r.statusCode() + " " + requireErrorCode(r));
                }
                if (killed.get()) {
                  writesAfterKill.incrementAndGet();
                }
              }
            });
    CompletableFuture<Void> caller =
        CompletableFuture.runAsync(
            () -> {
              for (int k = 0; !stop.get(); k++) {
                int i = k;
                HttpResponse<String> r =
                    unchecked(
                        () ->
                            send(
                                i % 2 == 0 ? c : a,
                                "POST",
                                "/v1/functions/cl_sq/invoke",
                                "{\"args\": [" + i + "]}"));
                if (r.statusCode() == 200) {
                  assertThat(json(r).getLong("result")).isEqualTo((long) i * i);
                  callsDone.incrementAndGet();
                } else {
                  callErrors.add(r.statusCode() + " " + requireErrorCode(r));
                }
                if (killed.get()) {
                  callsAfterKill.incrementAndGet();
                }
              }
            });
    await(
        "the slow call runs on b and writes went through",
        () ->
            acked.size() >= 10
                && send(a, "GET", "/v1/kvs/cl_slow_started", null).statusCode() == 200);
    assertThat(json(send(a, "GET", "/v1/results/" + slowId, null)).getString("status"))
        .as("still running")
        .isEqualTo("pending");
    b.kill();
    killed.set(true);
    await(
        "100 more writes and 20 more calls after the kill",
        () -> {
          if (writer.isDone() || caller.isDone()) {
            return true; // a failure inside: surfaced by join() below
          }
          return writesAfterKill.get() >= 100 && callsAfterKill.get() >= 20;
        });
    stop.set(true);
    writer.get(120, TimeUnit.SECONDS);
    caller.get(120, TimeUnit.SECONDS);

    // The call that was running on b ran again elsewhere, within its deadline.
    JsonObject slow = awaitResult(a, slowId);
    assertThat(slow.getString("status")).as(slow.encode()).isEqualTo("done");
    assertThat(slow.getLong("result")).isEqualTo(expected);
    assertThat(slow.getString("executor")).doesNotStartWith("cloudburst.executor.b.");

    // Every acknowledged write is readable through both survivors (c reads most of them from the
    // store).
    assertThat(acked.size()).isGreaterThanOrEqualTo(110); // 10 before the kill, 100 after
    for (Map.Entry<String, Integer> e : acked.entrySet()) {
      for (NodeProcess survivor : List.of(c, a)) {
        HttpResponse<String> r = send(survivor, "GET", "/v1/kvs/" + e.getKey(), null);
        assertThat(r.statusCode())
            .as("%s through %s: %s", e.getKey(), survivor.base, r.body())
            .isEqualTo(200);
        assertThat(json(r).getInteger("value")).isEqualTo(e.getValue());
      }
    }
    assertThat(callsDone.get()).isGreaterThan(0);
    System.out.printf(
        "cluster kill: %d acknowledged writes (all readable), %d refused writes %s; %d calls done, %d failed %s%n",
        acked.size(),
        writeErrors.size(),
        writeErrors,
        callsDone.get(),
        callErrors.size(),
        callErrors);
    // The survivors no longer count b.
    assertThat(awaitStatus(a, s -> !nodesWithExecutors(s).contains("b"))).containsExactly("a", "c");
  }

  // ---- 6. storage-only and compute-only nodes ----

  @Test
  @Order(7)
  void computeOnlyAndStorageOnlyNodesJoinAndServe() throws Exception {
    String join = "127.0.0.1:" + memberA + ",127.0.0.1:" + memberC;
    CompletableFuture<NodeProcess> fd =
        CompletableFuture.supplyAsync(
            () -> unchecked(() -> node("d", NodeProcess.freePort(), join, "--role", "compute")));
    CompletableFuture<NodeProcess> fe =
        CompletableFuture.supplyAsync(
            () -> unchecked(() -> node("e", NodeProcess.freePort(), join, "--role", "storage")));
    d = fd.get(180, TimeUnit.SECONDS);
    e = fe.get(180, TimeUnit.SECONDS);
    // d runs executors, e runs none (but is a node with a cache and a web front).
    assertThat(awaitStatus(a, s -> nodesWithExecutors(s).contains("d")))
        .containsExactly("a", "c", "d");
    // A call through the storage-only node runs on the compute-only one, where its argument is
    // cached.
    assertThat(send(d, "PUT", "/v1/kvs/cl_on_d", "{\"value\": 12}").statusCode()).isEqualTo(204);
    awaitStatus(e, s -> cachedOn(s, "d").contains("cl_on_d"));
    JsonObject r =
        json(
            send(e, "POST", "/v1/functions/cl_sq/invoke", "{\"args\": [{\"$ref\": \"cl_on_d\"}]}"));
    assertThat(r.getInteger("result")).isEqualTo(144);
    assertThat(r.getString("executor")).startsWith("cloudburst.executor.d.");
    // Both read and write the shared store.
    assertThat(send(e, "PUT", "/v1/kvs/cl_via_e", "{\"value\": \"e\"}").statusCode())
        .isEqualTo(204);
    assertThat(json(send(d, "GET", "/v1/kvs/cl_via_e", null)).getString("value")).isEqualTo("e");
    assertThat(json(send(a, "GET", "/v1/kvs/cl_on_d", null)).getInteger("value")).isEqualTo(12);
  }

  // ---- helpers ----

  private static String fn(String name, String source) {
    return new JsonObject()
        .put("name", name)
        .put("language", "python")
        .put("source", source)
        .encode();
  }

  /** An HTTP request with a deadline: a hang fails the test instead of waiting forever. */
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
    try {
      return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new AssertionError(method + " " + n.base + path + " hung for 60 s", e);
    }
  }

  private static JsonObject json(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    return new JsonObject(r.body());
  }

  /** A failure must be the API's error JSON with a code, never a bare 500. */
  private static String requireErrorCode(HttpResponse<String> r) {
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e).as(r.body()).isNotNull();
    assertThat(e.getString("code")).as(r.body()).isNotBlank().isNotEqualTo("INTERNAL");
    return e.getString("code");
  }

  private JsonObject awaitResult(NodeProcess n, String id) throws Exception {
    JsonObject[] last = new JsonObject[1];
    await(
        "result " + id,
        () -> {
          HttpResponse<String> r = send(n, "GET", "/v1/results/" + id, null);
          last[0] = new JsonObject(r.body());
          return r.statusCode() == 200 && !"pending".equals(last[0].getString("status"));
        });
    return last[0];
  }

  private Set<String> awaitStatus(NodeProcess n, Predicate<JsonObject> ok) throws Exception {
    JsonObject[] last = new JsonObject[1];
    await(
        "status of " + n.base,
        () -> {
          last[0] = json(send(n, "GET", "/v1/status", null));
          return ok.test(last[0]);
        });
    return nodesWithExecutors(last[0]);
  }

  private static Set<String> nodesWithExecutors(JsonObject status) {
    Set<String> ids = new TreeSet<>();
    for (Object o : status.getJsonArray("nodes", new JsonArray())) {
      JsonObject node = (JsonObject) o;
      if (!node.getJsonArray("executors", new JsonArray()).isEmpty()) {
        ids.add(node.getString("id"));
      }
    }
    return ids;
  }

  /** Calls the node whose status this is has in flight on {@code node}'s executors. */
  private static int inFlightOn(JsonObject status, String node) {
    int n = 0;
    for (Object o : status.getJsonArray("nodes", new JsonArray())) {
      JsonObject info = (JsonObject) o;
      if (node.equals(info.getString("id"))) {
        for (Object e : info.getJsonArray("executors", new JsonArray())) {
          n += ((JsonObject) e).getInteger("in_flight", 0);
        }
      }
    }
    return n;
  }

  private static List<String> cachedOn(JsonObject status, String node) {
    for (Object o : status.getJsonArray("nodes", new JsonArray())) {
      JsonObject n = (JsonObject) o;
      if (node.equals(n.getString("id"))) {
        return n.getJsonObject("cache", new JsonObject())
            .getJsonArray("keys_shown", new JsonArray())
            .getList();
      }
    }
    return List.of();
  }

  interface Check {
    boolean ok() throws Exception;
  }

  interface Work<T> {
    T run() throws Exception;
  }

  private static <T> T unchecked(Work<T> w) {
    try {
      return w.run();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Polls a condition every 100 ms for up to 60 s. */
  private static void await(String what, Check check) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    Object lock = new Object();
    while (true) {
      if (check.ok()) {
        return;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      synchronized (lock) {
        lock.wait(100); // a poll interval, not a wait for the work itself
      }
    }
  }
}
