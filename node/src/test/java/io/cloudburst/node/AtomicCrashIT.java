package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15: a node halted (as by kill -9) at each point of an atomic call's commit shows all of the
 * call's writes after its restart, never a part: the commit record was durable, and the restart
 * rolls it forward. The test hook {@code cloudburst.test.crashAt} picks the point.
 */
class AtomicCrashIT {
  private static final int KEYS = 5;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private HttpResponse<String> send(String base, String method, String path, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(60))
            .header("content-type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> crashAt(String point) {
    return List.of("-Dcloudburst.test.crashAt=" + point);
  }

  /** Invokes the writer atomically; the node halts during the commit. */
  private void callUntilHalted(NodeProcess node, String prefix) throws Exception {
    try {
      HttpResponse<String> r =
          send(
              node.base,
              "POST",
              "/v1/functions/ac_w/invoke",
              "{\"args\": [\"" + prefix + "\"], \"atomic\": true}");
      throw new AssertionError("the node answered instead of halting: " + r.body());
    } catch (IOException expected) {
      // the node halted mid-request
    }
    assertThat(node.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(node.process.exitValue()).isEqualTo(137);
  }

  private void assertAllWritten(NodeProcess node, String prefix) throws Exception {
    for (int i = 0; i < KEYS; i++) {
      HttpResponse<String> r = send(node.base, "GET", "/v1/kvs/" + prefix + i, null);
      assertThat(r.statusCode()).as("%s%d after restart: %s", prefix, i, r.body()).isEqualTo(200);
      assertThat(r.body()).contains("\"value\":\"" + prefix + "\"");
    }
  }

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void aCommitCutAtAnyPointIsWhollyVisibleAfterRestart() throws Exception {
    Path data = Files.createTempDirectory("cloudburst-atomic-crash");
    Path log = data.resolveSibling(data.getFileName() + ".log");
    String[] points = {"after-record", "mid-apply:2", "after-apply"};
    String previous = null;
    for (String point : points) {
      String prefix = "ac_" + point.replaceAll("[^a-z0-9]", "_") + "_";
      try (NodeProcess node = NodeProcess.start(data, log, crashAt(point), List.of())) {
        if (previous == null) {
          HttpResponse<String> reg =
              send(
                  node.base,
                  "POST",
                  "/v1/functions",
                  "{\"name\":\"ac_w\",\"language\":\"python\",\"source\":\"def ac_w(cb, p):\\n"
                      + "    for i in range("
                      + KEYS
                      + "):\\n        cb.put(p + str(i), p)\\n    return p\\n\"}");
          assertThat(reg.statusCode()).as(reg.body()).isEqualTo(201);
        } else {
          assertAllWritten(node, previous);
        }
        callUntilHalted(node, prefix);
      }
      previous = prefix;
    }
    try (NodeProcess last = NodeProcess.start(data, log)) {
      assertAllWritten(last, previous);
    }
    // Every cut commit was rolled forward by the restart after it.
    String text = Files.readString(log);
    assertThat(text.split("rolled forward committed transaction", -1)).hasSize(points.length + 1);
  }
}
