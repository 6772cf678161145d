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
 * The atomicity checker on a short run, on a node of two executors: without atomic mode it must
 * find fractured reads (also by readers that start at the set) and partial commits (so it can see
 * them at all); with it, none, also by readers that start at the set or at the counter.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class AtomicCheckerTest {
  private static Vertx vertx;
  private static AtomicChecker checker;

  @BeforeAll
  static void node() throws Exception {
    vertx = CloudburstNode.newVertx();
    NodeOptions options =
        NodeOptions.defaults()
            .withPort(0)
            .withDataDir(Files.createTempDirectory("cloudburst-atomic-checker"))
            .withExecutors(2);
    CloudburstNode.start(vertx, options).await(180, TimeUnit.SECONDS);
    checker = new AtomicChecker(vertx, new CloudburstClient(vertx)).setUp();
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  void withoutAtomicModeReadsFractureAndFailedWritersShowAndWithItNeither() throws Exception {
    AtomicChecker.Counts normal = checker.run(false, 200, 2, 2);
    assertThat(normal.failedReads()).as(normal.toString()).isZero();
    assertThat(normal.failingWriters()).as(normal.toString()).isGreaterThan(0);
    assertThat(normal.fracturedReads())
        .as("the checker sees fractured reads: " + normal)
        .isGreaterThan(0);
    assertThat(normal.partialCommits())
        .as("the checker sees partial commits: " + normal)
        .isGreaterThan(0);
    assertThat(normal.setFirstFractured())
        .as("readers starting at the set see fractured reads: " + normal)
        .isGreaterThan(0);
    // Counter-first fractures show too (20-70% of those reads in most local runs), but 2 runs in
    // about 12 under a loaded machine found none, so a short run does not require them; atomic
    // mode must show none.

    AtomicChecker.Counts atomic = checker.run(true, 200, 2, 2);
    assertThat(atomic.failedReads()).as(atomic.toString()).isZero();
    assertThat(atomic.writerCalls()).as(atomic.toString()).isGreaterThanOrEqualTo(20);
    assertThat(atomic.failingWriters()).as(atomic.toString()).isGreaterThan(0);
    assertThat(atomic.setFirstReads()).as(atomic.toString()).isGreaterThan(0);
    assertThat(atomic.counterFirstReads()).as(atomic.toString()).isGreaterThan(0);
    assertThat(atomic.fracturedReads()).as(atomic.toString()).isZero();
    assertThat(atomic.setFirstFractured()).as(atomic.toString()).isZero();
    assertThat(atomic.counterFirstFractured()).as(atomic.toString()).isZero();
    assertThat(atomic.partialCommits()).as(atomic.toString()).isZero();
  }
}
