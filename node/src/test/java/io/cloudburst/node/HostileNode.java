package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The node {@link HostileInputIT} attacks: a node process of its own ({@link NodeProcess}, 1 GB
 * heap, auth off, a TCP bridge), so that memory bombs and runaway guests cannot disturb the test
 * JVM, and so that the node's CPU time can be read from {@code /proc/<pid>/stat} alone. Plain
 * blocking HTTP/1.1 from the test thread, plus a raw socket for requests {@link HttpClient} will
 * not send.
 */
final class HostileNode implements AutoCloseable {
  /** How long the health check after each case may take: GET /health and a call of sq. */
  static final Duration HEALTHY_WITHIN = Duration.ofSeconds(5);

  final NodeProcess process;
  final String base;
  final int tcpBridgePort;
  final Path log;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private HostileNode(NodeProcess process, int tcpBridgePort, Path log) {
    this.process = process;
    this.base = process.base;
    this.tcpBridgePort = tcpBridgePort;
    this.log = log;
  }

  /** Starts the node and registers {@code sq}, the function every health check calls. */
  static HostileNode start() throws Exception {
    Path data = Files.createTempDirectory("cloudburst-hostile");
    Path log = data.resolveSibling(data.getFileName() + ".log");
    int tcp = NodeProcess.freePort();
    NodeProcess p =
        NodeProcess.start(
            data,
            log,
            List.of(),
            List.of("--auth", "off", "--tcp-bridge-port", String.valueOf(tcp)));
    HostileNode n = new HostileNode(p, tcp, log);
    Reply sq = n.register("sq", "python", "def sq(cloudburst, x):\n    return x * x\n");
    assertThat(sq.status()).as(sq.body()).isEqualTo(201);
    return n;
  }

  /** A response: status and body text. */
  record Reply(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    /** The error code of a JSON error body, or null when the body is not one. */
    String errorCode() {
      try {
        JsonObject e = json().getJsonObject("error");
        return e == null ? null : e.getString("code");
      } catch (RuntimeException notJson) {
        return null;
      }
    }

    @Override
    public String toString() {
      return status
          + " "
          + (body.length() > 600
              ? body.substring(0, 600) + "...(" + body.length() + " chars)"
              : body);
    }
  }

  Reply send(String method, String path, String body) throws IOException, InterruptedException {
    return sendBytes(
        method,
        path,
        body == null ? null : body.getBytes(StandardCharsets.UTF_8),
        Duration.ofSeconds(60));
  }

  Reply sendBytes(String method, String path, byte[] body, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout);
    if (body != null) {
      b.header("content-type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body());
  }

  Reply post(String path, JsonObject body) throws IOException, InterruptedException {
    return send("POST", path, body.encode());
  }

  Reply get(String path) throws IOException, InterruptedException {
    return send("GET", path, null);
  }

  Reply register(String name, String language, String source)
      throws IOException, InterruptedException {
    return post(
        "/v1/functions",
        new JsonObject().put("name", name).put("language", language).put("source", source));
  }

  Reply invoke(String name, JsonObject body) throws IOException, InterruptedException {
    return post("/v1/functions/" + name + "/invoke", body);
  }

  Reply invoke(String name, Object... args) throws IOException, InterruptedException {
    return invoke(name, new JsonObject().put("args", new JsonArray(List.of(args))));
  }

  /**
   * The result of call {@code id} once it is no longer pending (a bounded poll of GET
   * /v1/results/{id}).
   */
  JsonObject awaitDone(String id, int seconds) throws IOException, InterruptedException {
    JsonObject r = null;
    for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        System.nanoTime() < end; ) {
      r = get("/v1/results/" + id).json();
      if (!"pending".equals(r.getString("status"))) {
        return r;
      }
      process.process.waitFor(
          50, TimeUnit.MILLISECONDS); // the pause of a bounded poll; ends early if the node dies
    }
    throw new AssertionError("call " + id + " still pending after " + seconds + " s: " + r);
  }

  /**
   * Writes {@code request} as is on a fresh connection and reads the status line and the body until
   * the server closes ({@code Connection: close} is the caller's to send).
   */
  Reply raw(byte[] request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", process.port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request);
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        for (int n; (n = in.read(buf)) >= 0; ) {
          got.write(buf, 0, n);
          if (complete(got.toString(StandardCharsets.ISO_8859_1))) {
            break;
          }
        }
      } catch (java.net.SocketException reset) {
        // the server may reset after answering a request it refused to read
      }
      String text = got.toString(StandardCharsets.UTF_8);
      assertThat(text).as("an HTTP answer").matches("(?s)HTTP/1\\.[01] \\d{3}.*");
      int status = Integer.parseInt(text.substring(9, 12));
      int sep = text.indexOf("\r\n\r\n");
      return new Reply(status, sep < 0 ? "" : text.substring(sep + 4));
    }
  }

  /** Whether a raw answer holds its whole body (by content-length), so the read can stop. */
  private static boolean complete(String text) {
    int sep = text.indexOf("\r\n\r\n");
    if (sep < 0) {
      return false;
    }
    var m =
        java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)")
            .matcher(text.substring(0, sep));
    return m.find() && text.length() - sep - 4 >= Integer.parseInt(m.group(1));
  }

  /** The JSON error shape of the README: {@code {"error": {"code", "message"}}} with a message. */
  static void assertError(Reply r, int status, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertErrorBody(r, code);
  }

  static void assertErrorBody(Reply r, String code) {
    JsonObject error;
    try {
      error = r.json().getJsonObject("error");
    } catch (RuntimeException e) {
      throw new AssertionError("not a JSON error body: " + r, e);
    }
    assertThat(error).as("error object of " + r).isNotNull();
    assertThat(error.getString("code")).as(r.toString()).isEqualTo(code);
    assertThat(error.getString("message")).as(r.toString()).isNotBlank();
  }

  static void assertStatusIn(Reply r, Set<Integer> statuses) {
    assertThat(r.status()).as(r.toString()).isIn(statuses);
  }

  /**
   * The node still serves: GET /health says up and a call of sq gives 4, both within {@link
   * #HEALTHY_WITHIN}, and the node process is alive.
   */
  void assertHealthy() throws IOException, InterruptedException {
    assertThat(process.process.isAlive())
        .as("the node process is alive (log: " + log + ")")
        .isTrue();
    long t0 = System.nanoTime();
    Reply h = sendBytes("GET", "/health", null, HEALTHY_WITHIN);
    assertThat(h.status()).as("/health: " + h).isEqualTo(200);
    assertThat(h.json().getString("status")).isEqualTo("up");
    Reply sq =
        post(
            "/v1/functions/sq/invoke",
            new JsonObject().put("args", new JsonArray().add(2)).put("timeout_ms", 5000));
    assertThat(sq.status()).as("sq(2) after the case: " + sq).isEqualTo(200);
    assertThat(sq.json().getLong("result")).isEqualTo(4L);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(ms)
        .as("health check and sq(2) took " + ms + " ms")
        .isLessThan(HEALTHY_WITHIN.toMillis());
  }

  /** The node process's CPU time so far (user + system) in ns, from /proc/<pid>/stat. */
  long cpuNanos() throws IOException {
    String stat = Files.readString(Path.of("/proc", String.valueOf(process.process.pid()), "stat"));
    // Fields after the command name (which is in parentheses and may hold spaces): state is field
    // 3.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14 and 15
    return ticks * (1_000_000_000L / clockTicksPerSecond());
  }

  private static long clockTicks;

  private static synchronized long clockTicksPerSecond() {
    if (clockTicks == 0) {
      clockTicks = 100; // Linux's USER_HZ almost everywhere; getconf says for sure
      try {
        Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
        String out =
            new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        if (p.waitFor(5, TimeUnit.SECONDS) && out.matches("\\d+")) {
          clockTicks = Long.parseLong(out);
        }
      } catch (IOException | InterruptedException e) {
        // keep 100
      }
    }
    return clockTicks;
  }

  /**
   * Cores the node process used over a window of {@code window} (its CPU time divided by the wall
   * time). Waiting on the process bounds the window and ends it early if the node dies.
   */
  double coresOver(Duration window) throws IOException, InterruptedException {
    long c0 = cpuNanos();
    long t0 = System.nanoTime();
    assertThat(process.process.waitFor(window.toMillis(), TimeUnit.MILLISECONDS))
        .as("the node died")
        .isFalse();
    return (double) (cpuNanos() - c0) / (System.nanoTime() - t0);
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
