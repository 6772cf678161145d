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

/** SCENARIOS.md 13: acknowledged writes and registrations survive SIGKILL of the embedded node. */
class KillAndRestartIT {
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

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void acknowledgedWritesAndFunctionsSurviveSigkill() throws Exception {
    Path data = Files.createTempDirectory("cloudburst-kill");
    Path log = data.resolveSibling(data.getFileName() + ".log");
    int keys = 50;
    try (NodeProcess first = NodeProcess.start(data, log)) {
      assertThat(
              send(
                      first.base,
                      "POST",
                      "/v1/functions",
                      "{\"name\":\"kill_sq\",\"language\":\"python\",\"source\":\"def kill_sq(cb, x):\\n    return x * x\\n\"}")
                  .statusCode())
          .isEqualTo(201);
      for (int i = 0; i < keys; i++) {
        assertThat(
                send(first.base, "PUT", "/v1/kvs/kill_k" + i, "{\"value\": " + i + "}")
                    .statusCode())
            .isEqualTo(204);
      }
      assertThat(
              send(
                      first.base,
                      "PUT",
                      "/v1/kvs/kill_set",
                      "{\"value\": [1, 2], \"lattice\": \"set\"}")
                  .statusCode())
          .isEqualTo(204);
      first.kill(); // right after the last acknowledgement: no graceful shutdown
      assertThat(first.process.exitValue()).isEqualTo(137);
    }
    try (NodeProcess second = NodeProcess.start(data, log)) {
      for (int i = 0; i < keys; i++) {
        HttpResponse<String> r = send(second.base, "GET", "/v1/kvs/kill_k" + i, null);
        assertThat(r.statusCode()).as("key %d: %s", i, r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"value\":" + i);
      }
      assertThat(send(second.base, "GET", "/v1/kvs/kill_set", null).body())
          .contains("\"lattice\":\"set\"")
          .contains("[1,2]");
      HttpResponse<String> call =
          send(
              second.base,
              "POST",
              "/v1/functions/kill_sq/invoke",
              "{\"args\": [{\"$ref\": \"kill_k7\"}]}");
      assertThat(call.statusCode()).as(call.body()).isEqualTo(200);
      assertThat(call.body()).contains("\"result\":49");
    }
  }
}
