package io.cloudburst.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.codec.CloudburstCodecs;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code GET /metrics} of a web front on a Vert.x instance with Micrometer metrics: named by the
 * {@code metricsRegistry} option, the node's series join Vert.x's own in one scrape.
 */
class WebMetricsTest {
  private static Vertx withMetrics(String registryName) {
    VertxOptions o =
        new VertxOptions()
            .setMetricsOptions(
                new MicrometerMetricsOptions()
                    .setEnabled(true)
                    .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
                    .setRegistryName(registryName));
    Vertx vertx = Vertx.builder().with(o).build();
    CloudburstCodecs.register(vertx);
    return vertx;
  }

  private static Future<String> scrape(Vertx vertx, JsonObject config) {
    WebVerticle web = new WebVerticle();
    return vertx
        .deployVerticle(web, new DeploymentOptions().setConfig(config.put("port", 0)))
        .compose(
            id -> {
              WebClient client =
                  WebClient.create(
                      vertx,
                      new WebClientOptions()
                          .setDefaultHost("127.0.0.1")
                          .setDefaultPort(web.actualPort()));
              // A first request, so that Vert.x's HTTP server series exist at the second.
              return client
                  .get("/health")
                  .send()
                  .compose(r -> client.get("/metrics").send())
                  .map(r -> r.bodyAsString())
                  .eventually(
                      () -> {
                        client.close();
                        return Future.succeededFuture();
                      });
            });
  }

  private static String scrapeAndClose(String registryName, JsonObject config) throws Exception {
    Vertx vertx = withMetrics(registryName);
    try {
      return scrape(vertx, config)
          .toCompletionStage()
          .toCompletableFuture()
          .get(15, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    }
  }

  @Test
  @Timeout(value = 40, unit = TimeUnit.SECONDS)
  void theNamedRegistryServesVertxsSeriesAndTheNodesTogether() throws Exception {
    String text =
        scrapeAndClose(
            "web-metrics-test-shared",
            new JsonObject().put("metricsRegistry", "web-metrics-test-shared"));
    assertThat(text)
        .contains("vertx_http_server_requests_total", "cloudburst_autoscaling_decisions_total");
  }

  @Test
  @Timeout(value = 40, unit = TimeUnit.SECONDS)
  void withoutARegistryNameTheNodesSeriesStandAlone() throws Exception {
    String text = scrapeAndClose("web-metrics-test-private", new JsonObject());
    assertThat(text)
        .contains("cloudburst_autoscaling_decisions_total")
        .doesNotContain("vertx_http_server_requests_total");
  }
}
