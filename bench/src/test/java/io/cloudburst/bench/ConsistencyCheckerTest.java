package io.cloudburst.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.client.CloudburstClient;
import io.cloudburst.node.CloudburstNode;
import io.cloudburst.node.NodeOptions;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The consistency checker on a short run, on a node of two executors: it must see anomalies in
 * normal mode (so it can see them at all) and none in repeatable read or causal.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ConsistencyCheckerTest {
  private static Vertx vertx;
  private static ConsistencyChecker checker;

  @BeforeAll
  static void node() throws Exception {
    vertx = CloudburstNode.newVertx();
    NodeOptions options =
        NodeOptions.defaults()
            .withPort(0)
            .withDataDir(Files.createTempDirectory("cloudburst-bench"))
            .withExecutors(2);
    CloudburstNode.start(vertx, options).await(180, TimeUnit.SECONDS);
    checker = new ConsistencyChecker(vertx, new CloudburstClient(vertx), "local").setUp();
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  void normalModeShowsAnomaliesAndRepeatableReadAndCausalShowNone() throws Exception {
    ConsistencyChecker.Counts normal = checker.run("normal", 150, 4, 5);
    assertThat(normal.failed()).as(normal.toString()).isZero();
    assertThat(normal.writes()).as(normal.toString()).isGreaterThan(0);
    assertThat(normal.repeatableReadAnomalies())
        .as("the checker sees anomalies: " + normal)
        .isGreaterThan(0);

    ConsistencyChecker.Counts rr = checker.run("repeatable_read", 150, 4, 5);
    assertThat(rr.failed()).as(rr.toString()).isZero();
    assertThat(rr.writes()).as(rr.toString()).isGreaterThan(0);
    assertThat(rr.repeatableReadAnomalies()).as(rr.toString()).isZero();
    assertThat(rr.causalAnomalies()).as(rr.toString()).isZero();

    ConsistencyChecker.Counts causal = checker.run("causal", 150, 4, 5);
    assertThat(causal.failed()).as(causal.toString()).isZero();
    assertThat(causal.writes()).as(causal.toString()).isGreaterThan(0);
    assertThat(causal.causalAnomalies()).as(causal.toString()).isZero();
    assertThat(causal.repeatableReadAnomalies()).as(causal.toString()).isZero();
  }
}
