package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SCENARIOS.md 7, second half: a memory bomb fails the call, not the node. Run in a node process of
 * its own (1 GB heap), so filling the heap cannot disturb the test JVM. Without the executor's heap
 * guard the OutOfMemoryError could hit an event loop first (seen once in CI) and the node would
 * stop answering.
 */
class MemoryBombIT {
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private HttpResponse<String> post(String base, String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(120))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void aMemoryBombFailsTheCallAndTheNodeKeepsServing() throws Exception {
    Path data = Files.createTempDirectory("cloudburst-bomb");
    Path log = data.resolveSibling(data.getFileName() + ".log");
    try (NodeProcess node = NodeProcess.start(data, log)) {
      assertThat(
              post(
                      node.base,
                      "/v1/functions",
                      "{\"name\":\"bomb\",\"language\":\"python\",\"source\":"
                          + "\"def bomb(cb):\\n    hoard = []\\n    while True:\\n        hoard.append(' ' * 10000000)\\n\"}")
                  .statusCode())
          .isEqualTo(201);
      HttpResponse<String> r =
          post(node.base, "/v1/functions/bomb/invoke", "{\"args\": [], \"timeout_ms\": 120000}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
      assertThat(r.body()).contains("EXECUTION_ERROR").contains("MemoryError");
      assertThat(node.process.isAlive()).isTrue();
      assertThat(
              post(
                      node.base,
                      "/v1/functions",
                      "{\"name\":\"after\",\"language\":\"python\",\"source\":"
                          + "\"def after(cb, x):\\n    return x * x\\n\"}")
                  .statusCode())
          .isEqualTo(201);
      HttpResponse<String> after = post(node.base, "/v1/functions/after/invoke", "{\"args\": [5]}");
      assertThat(after.body()).as("the node still runs functions").contains("\"result\":25");
      // The heap guard stopped the bomb before the heap ran out: no thread of the node (an event
      // loop, the watchdog) died of an OutOfMemoryError meanwhile.
      assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
    }
  }
}
