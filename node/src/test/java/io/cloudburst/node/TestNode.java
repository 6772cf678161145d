package io.cloudburst.node;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One embedded node per test JVM, started on first use on a free port with a fresh data directory,
 * and stopped when the JVM exits. Starting a node costs seconds (the first Python context), so
 * end-to-end classes share it; each test uses its own function names.
 *
 * <p>The black-box tests talk plain HTTP with {@link HttpClient} from the test thread: blocking
 * there is harmless and keeps each scenario readable top to bottom.
 */
final class TestNode {
  private static TestNode shared;

  final CloudburstNode node;
  final String base;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The TCP event-bus bridge's port (the shared node has one), or -1. */
  int tcpBridgePort = -1;

  private TestNode(CloudburstNode node) {
    this.node = node;
    this.base = "http://127.0.0.1:" + node.httpPort();
  }

  static synchronized TestNode shared() throws Exception {
    if (shared == null) {
      Path data = Files.createTempDirectory("cloudburst-e2e");
      Vertx vertx = CloudburstNode.newVertx();
      int tcpPort;
      try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
        tcpPort = s.getLocalPort(); // the bridge cannot tell which port 0 bound, so pick a free one
      }
      NodeOptions options =
          NodeOptions.defaults().withPort(0).withDataDir(data).withTcpBridgePort(tcpPort);
      CloudburstNode node = CloudburstNode.start(vertx, options).await(120, TimeUnit.SECONDS);
      shared = new TestNode(node);
      shared.tcpBridgePort = tcpPort;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      vertx.close().await(10, TimeUnit.SECONDS);
                    } catch (Exception ignored) {
                      // the JVM is going away
                    }
                  }));
    }
    return shared;
  }

  /**
   * A node of the test's own (not shared), e.g. to stop its executors; close it with {@link
   * #close()}.
   */
  static TestNode startOwn(int executors) throws Exception {
    Path data = Files.createTempDirectory("cloudburst-own");
    Vertx vertx = CloudburstNode.newVertx();
    NodeOptions options =
        NodeOptions.defaults().withPort(0).withDataDir(data).withExecutors(executors);
    return new TestNode(CloudburstNode.start(vertx, options).await(180, TimeUnit.SECONDS));
  }

  /**
   * A node of the test's own with options of its own: those {@code configure} makes from the
   * defaults, then on a free port and a fresh data directory. Close it with {@link #close()}.
   */
  static TestNode startOwn(java.util.function.UnaryOperator<NodeOptions> configure)
      throws Exception {
    Path data = Files.createTempDirectory("cloudburst-own");
    Vertx vertx = CloudburstNode.newVertx();
    NodeOptions options = configure.apply(NodeOptions.defaults()).withPort(0).withDataDir(data);
    return new TestNode(CloudburstNode.start(vertx, options).await(180, TimeUnit.SECONDS));
  }

  void close() throws Exception {
    node.vertx().close().await(30, TimeUnit.SECONDS);
  }

  /** A response: status and body parsed as JSON (object or array text kept raw). */
  record Reply(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String errorCode() {
      return json().getJsonObject("error").getString("code");
    }

    String errorMessage() {
      return json().getJsonObject("error").getString("message");
    }
  }

  Reply send(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    if (body != null) {
      b.header("content-type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body());
  }

  Reply post(String path, JsonObject body) throws IOException, InterruptedException {
    return send("POST", path, body.encode());
  }

  /**
   * Scrapes /metrics until {@code done} holds (bounded by {@code seconds}), and answers the last
   * scrape.
   */
  String scrapeUntil(int seconds, java.util.function.Predicate<String> done)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String text;
    do {
      Reply r = get("/metrics");
      if (r.status() != 200) {
        throw new AssertionError("/metrics answered " + r.status() + ": " + r.body());
      }
      text = r.body();
      if (done.test(text)) {
        return text;
      }
      node.vertx().timer(50, TimeUnit.MILLISECONDS).await(); // the pause of a bounded poll
    } while (System.nanoTime() < deadline);
    throw new AssertionError(
        "metrics did not reach the expected state within " + seconds + " s; last scrape:\n" + text);
  }

  Reply get(String path) throws IOException, InterruptedException {
    return send("GET", path, null);
  }

  /**
   * The result of call {@code id} once it is no longer pending, read through GET /v1/results/{id}
   * (a bounded poll); still pending after {@code seconds}, the last answer.
   */
  JsonObject awaitResult(String id, int seconds) throws IOException, InterruptedException {
    JsonObject r = null;
    for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        System.nanoTime() < end; ) {
      r = get("/v1/results/" + id).json();
      if (!"pending".equals(r.getString("status"))) {
        return r;
      }
    }
    return r;
  }

  Reply register(String name, String language, String source)
      throws IOException, InterruptedException {
    return post(
        "/v1/functions",
        new JsonObject().put("name", name).put("language", language).put("source", source));
  }

  Reply invoke(String name, Object... args) throws IOException, InterruptedException {
    return post(
        "/v1/functions/" + name + "/invoke",
        new JsonObject()
            .put("args", new io.vertx.core.json.JsonArray(java.util.Arrays.asList(args))));
  }
}
