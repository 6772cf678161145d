package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.msg.NodeEvent;
import io.cloudburst.web.impl.PromText;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Executor autoscaling on a node of its own (1 to 3 executors of one worker thread each, up at 70
 * %, down at 10 % utilization over 500 ms, 1 s cool-down): a load step of six concurrent callers of
 * a 200 ms function raises the executor count within the reaction time, up to the maximum and never
 * beyond; every call of the load completes with its result; after the load the count falls back to
 * the minimum; the decisions are published, and counted at /metrics.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AutoscalingIT {
  private static final int MIN = 1;
  private static final int MAX = 3;
  private static final long WINDOW_MS = 500;
  private static final long COOLDOWN_MS = 1_000;

  /**
   * Slack for the measurement itself: executors report every 125 ms here, the autoscaler samples
   * every 250 ms, and this 2-core machine runs the load's busy loops at the same time.
   */
  private static final long MEASURE_SLACK_MS = 2_000;

  /** From the first call of the load to the first UP decision. */
  private static final long DECISION_BOUND_MS = WINDOW_MS + COOLDOWN_MS + MEASURE_SLACK_MS;

  /**
   * Starting an executor once the node has one: its own contexts on the node's shared engines (well
   * under a second on an idle machine; bounded generously for a loaded one).
   */
  private static final long EXECUTOR_START_MS = 10_000;

  /** From the first call of the load to a second executor that runs. */
  private static final long REACTION_BOUND_MS = DECISION_BOUND_MS + EXECUTOR_START_MS;

  /**
   * From the end of the load back to the minimum: one DOWN per cool-down and window, MAX - MIN of
   * them.
   */
  private static final long FALLBACK_BOUND_MS =
      (MAX - MIN) * (WINDOW_MS + COOLDOWN_MS + MEASURE_SLACK_MS) + EXECUTOR_START_MS;

  private static final int CALLERS = 6;

  private static final String BURN =
      """
      import time
      def as_burn(cb, x):
          t0 = time.monotonic()
          while time.monotonic() - t0 < 0.2:
              pass
          return x * 2
      """;

  private static TestNode n;

  @BeforeAll
  static void node() throws Exception {
    n =
        TestNode.startOwn(
            defaults ->
                NodeOptions.parse(
                    List.of(
                        "--threads",
                        "1",
                        "--min-executors",
                        String.valueOf(MIN),
                        "--max-executors",
                        String.valueOf(MAX),
                        "--scale-up-at",
                        "70",
                        "--scale-down-at",
                        "10",
                        "--scale-window-ms",
                        String.valueOf(WINDOW_MS),
                        "--scale-cooldown-ms",
                        String.valueOf(COOLDOWN_MS))));
  }

  @AfterAll
  static void close() throws Exception {
    if (n != null) {
      n.close();
    }
  }

  @Test
  void aLoadStepAddsExecutorsWithinTheReactionTimeAndTheyGoAfterIt() throws Exception {
    assertThat(n.node.executorCount()).isEqualTo(MIN);
    assertThat(n.register("as_burn", "python", BURN).status()).isEqualTo(201);
    assertThat(n.invoke("as_burn", 1).json().getLong("result")).isEqualTo(2L);

    List<NodeEvent.ScalingDecision> decisions = new CopyOnWriteArrayList<>();
    List<Long> decidedAt = new CopyOnWriteArrayList<>();
    List<NodeEvent.ScalingDecision> replications = new CopyOnWriteArrayList<>();
    MessageConsumer<NodeEvent.ScalingDecision> watch =
        n.node
            .vertx()
            .eventBus()
            .localConsumer(
                Addresses.AUTOSCALE,
                m -> {
                  if (m.body().action() == NodeEvent.ScalingAction.REPLICATE) {
                    replications.add(
                        m.body()); // the scheduler's: the hot function loaded onto another executor
                    return;
                  }
                  decidedAt.add(System.nanoTime());
                  decisions.add(m.body());
                });
    watch.completion().await(10, TimeUnit.SECONDS);
    assertThat(decisions).as("no decision while idle at the minimum").isEmpty();

    // The load step: six callers, each calling again as soon as its call returns.
    AtomicBoolean loading = new AtomicBoolean(true);
    ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
    List<Future<List<String>>> outcomes = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int c = 0; c < CALLERS; c++) {
      int caller = c;
      outcomes.add(
          callers.submit(
              () -> {
                List<String> wrong = new ArrayList<>();
                for (int i = 0; loading.get(); i++) {
                  int x = caller * 100_000 + i;
                  TestNode.Reply r = n.invoke("as_burn", x);
                  if (r.status() != 200 || r.json().getLong("result") != 2L * x) {
                    wrong.add(x + " -> " + r.status() + " " + r.body());
                  }
                }
                return wrong;
              }));
    }
    int highest = MIN;
    try {
      highest =
          Math.max(
              highest, awaitCount(c -> c > MIN, REACTION_BOUND_MS, "a second executor under load"));
      long reacted = ms(System.nanoTime() - t0);
      assertThat(decisions).as("the decisions so far").isNotEmpty();
      assertThat(decisions.getFirst().action().label()).isEqualTo("up");
      assertThat(ms(decidedAt.getFirst() - t0))
          .as("first UP decided within window + cool-down + slack")
          .isLessThanOrEqualTo(DECISION_BOUND_MS);
      System.out.printf(
          "autoscaling: first UP decided %d ms after the load began, second executor running after %d ms%n",
          ms(decidedAt.getFirst() - t0), reacted);
      // Still saturated with two: a third comes after a cool-down, and none beyond the maximum.
      highest =
          Math.max(
              highest,
              awaitCount(
                  c -> c == MAX,
                  COOLDOWN_MS + REACTION_BOUND_MS,
                  "the maximum under sustained load"));
      // Hold the load two more cool-downs: the count must stay at the maximum.
      long hold = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * COOLDOWN_MS);
      while (System.nanoTime() < hold) {
        highest = Math.max(highest, n.node.executorCount());
        pause();
      }
    } finally {
      loading.set(false);
      callers.shutdown();
    }
    assertThat(highest).as("never above the maximum").isEqualTo(MAX);
    assertThat(n.node.executorCount()).as("held at the maximum while saturated").isEqualTo(MAX);
    for (Future<List<String>> f : outcomes) {
      assertThat(f.get(120, TimeUnit.SECONDS))
          .as("calls that failed or answered wrongly")
          .isEmpty();
    }
    assertThat(callers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    long loadEnded = System.nanoTime();

    awaitCount(c -> c == MIN, FALLBACK_BOUND_MS, "back to the minimum after the load");
    System.out.printf(
        "autoscaling: back to %d executor(s) %d ms after the load ended; decisions: %s%n",
        MIN, ms(System.nanoTime() - loadEnded), decisions);

    // The count drops as an executor is taken out; its decision reaches this watcher a moment
    // later.
    long heard = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (decisions.size() < 4 && System.nanoTime() < heard) {
      pause();
    }
    List<String> actions = decisions.stream().map(d -> d.action().label()).toList();
    assertThat(actions).containsExactly("up", "up", "down", "down");
    for (NodeEvent.ScalingDecision d : decisions) {
      assertThat(d.nodeId()).isEqualTo("local");
      assertThat(d.executors()).isBetween(MIN, MAX);
      assertThat(d.reason()).isNotBlank();
    }
    for (int i = 1; i < decidedAt.size(); i++) {
      assertThat(ms(decidedAt.get(i) - decidedAt.get(i - 1)))
          .as("decisions a cool-down apart")
          .isGreaterThanOrEqualTo(COOLDOWN_MS - 50);
    }
    // The added executors got the hot function because the warm ones were saturated: replications.
    assertThat(replications)
        .as("replications of the hot function onto added executors")
        .isNotEmpty();
    for (NodeEvent.ScalingDecision r : replications) {
      assertThat(r.function()).startsWith("as_burn@");
      assertThat(r.executor()).startsWith("cloudburst.executor.local.");
    }
    watch.unregister();

    // The decisions are counted at /metrics, and the executor gauge follows the pool.
    String text =
        n.scrapeUntil(
            10,
            t ->
                Double.valueOf(MIN)
                    .equals(PromText.value(t, "cloudburst_executors", "node", "local")));
    assertThat(PromText.value(text, "cloudburst_autoscaling_decisions_total", "action", "up"))
        .isEqualTo(2.0);
    assertThat(PromText.value(text, "cloudburst_autoscaling_decisions_total", "action", "down"))
        .isEqualTo(2.0);
    assertThat(
            PromText.value(text, "cloudburst_autoscaling_decisions_total", "action", "replicate"))
        .isEqualTo((double) replications.size());
    assertThat(n.invoke("as_burn", 21).json().getLong("result"))
        .as("the node still serves")
        .isEqualTo(42L);
  }

  /**
   * Polls the executor count until {@code done} holds; fails after {@code boundMs}. Answers the
   * highest count seen.
   */
  private static int awaitCount(java.util.function.IntPredicate done, long boundMs, String what)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(boundMs);
    int highest = 0;
    while (true) {
      int c = n.node.executorCount();
      highest = Math.max(highest, c);
      assertThat(c).as("executor count within bounds").isBetween(MIN, MAX);
      if (done.test(c)) {
        return highest;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            what + ": not reached within " + boundMs + " ms (executors: " + c + ")");
      }
      pause();
    }
  }

  /** The pause of a bounded poll. */
  private static void pause() {
    n.node.vertx().timer(50, TimeUnit.MILLISECONDS).await();
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
