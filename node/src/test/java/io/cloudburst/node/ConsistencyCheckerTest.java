package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.client.CloudburstClient;
import io.cloudburst.node.bench.ConsistencyChecker;
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
  private static TestNode n;
  private static ConsistencyChecker checker;

  @BeforeAll
  static void node() throws Exception {
    n = TestNode.startOwn(2);
    checker = new ConsistencyChecker(n.node.vertx(), new CloudburstClient(n.node.vertx()), "local").setUp();
  }

  @AfterAll
  static void close() throws Exception {
    n.close();
  }

  @Test
  void normalModeShowsAnomaliesAndRepeatableReadAndCausalShowNone() throws Exception {
    ConsistencyChecker.Counts normal = checker.run("normal", 150, 4, 5);
    assertThat(normal.failed()).as(normal.toString()).isZero();
    assertThat(normal.writes()).as(normal.toString()).isGreaterThan(0);
    assertThat(normal.repeatableReadAnomalies()).as("the checker sees anomalies: " + normal).isGreaterThan(0);

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
