package io.cloudburst.scheduler.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Consistency;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.lattice.MultiKeyCausalLattice;
import io.cloudburst.bus.lattice.VectorClock;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.DagEvent;
import io.cloudburst.bus.msg.DagSchedule;
import io.cloudburst.bus.msg.ExecutorStatus;
import io.cloudburst.bus.msg.SchedulerReply.DagInfo;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.msg.SchedulerRequest.InvokeDag;
import io.cloudburst.bus.session.Session;
import io.cloudburst.scheduler.SchedulerOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DAG calls with fake executors and timers: completion, failure, retries, deadline. */
class DagRunnerTest {
  private final Fakes.Clock clock = new Fakes.Clock();
  private final Fakes.Executors gateway = new Fakes.Executors();
  private final Fakes.Nodes nodes = new Fakes.Nodes();
  private final Fakes.Published published = new Fakes.Published();
  private final Fakes.ManualTimers timers = new Fakes.ManualTimers();
  private final ExecutorTable executors = new ExecutorTable(5_000);
  private final CachedKeys cachedKeys = new CachedKeys(15_000);
  private final ExecutorMembership membership =
      new ExecutorMembership("n1", executors, cachedKeys, 5_000, clock);
  private final ResultLookup results =
      new ResultLookup("n1", new ResultStore(100, 60_000), membership::knownNodes, nodes, clock);
  private final IdempotencyKeys keys = new IdempotencyKeys(100, results::held);
  private final FunctionRegistry functions = new FunctionRegistry();
  private final DagRegistry dags = new DagRegistry();
  private final DagRunner runner;
  private final List<CallResult> replies = new ArrayList<>();

  DagRunnerTest() {
    SchedulerOptions options =
        SchedulerOptions.fromJson(new JsonObject().put("nodeId", "n1").put("persistent", false));
    CallPlacement placement = new CallPlacement("n1", executors, cachedKeys, published, clock);
    runner =
        new DagRunner(
            options,
            functions,
            dags,
            placement,
            membership,
            keys,
            new CallOutcomes(results, keys, published),
            new CallIds("n1"),
            gateway,
            nodes,
            timers,
            clock,
            AtomicCommits.none());
    membership.addListener(runner);
    functions.add(new FunctionInfo("a", "python", 1, "def a(): pass", "a", 0));
    functions.add(new FunctionInfo("b", "python", 1, "def b(x): pass", "b", 0));
    DagPlan plan =
        DagPlan.of("d", List.of("a", "b"), List.of(List.of("a", "b")), functions::contains);
    dags.add(new DagInfo("d", plan.functions(), plan.connections(), 0), plan);
  }

  private void executor(String address) {
    executors.update(
        new ExecutorStatus("n1", address, 2, 0, 0, List.of(), clock.now, false), clock.now);
  }

  private String invoke(InvokeDag.Builder b) {
    runner.invoke(b.build(), replies::add);
    return gateway.schedule(gateway.schedules.size() - 1).callId().replaceAll("#.*", "");
  }

  private void step(DagSchedule s, String fn, CallResult r) {
    runner.onDagEvent(new DagEvent.StepDone(s.callId(), fn, r));
  }

  @Test
  void aCallIsDoneWhenItsSinkAnswersAndIsHeldAndPublished() {
    executor("e1");
    String id = invoke(InvokeDag.builder("d"));
    DagSchedule s = gateway.schedule(0);
    assertThat(s.callId()).isEqualTo(id + "#0");
    assertThat(s.placement()).containsEntry("a", "e1").containsEntry("b", "e1");
    assertThat(gateway.schedules).hasSize(1); // one request per executor named
    assertThat(results.held(id).status()).isEqualTo(CallResult.Status.PENDING);
    step(s, "a", CallResult.done(id, "a", 1L, "", "e1", 1)); // not a sink
    assertThat(replies).isEmpty();
    step(s, "b", CallResult.done(id, "b", 2L, "", "e1", 1));
    assertThat(replies)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.status()).isEqualTo(CallResult.Status.DONE);
              assertThat(r.result()).isEqualTo(2L);
            });
    assertThat(results.held(id).result()).isEqualTo(2L);
    assertThat(published.results).containsExactlyElementsOf(replies);
    assertThat(timers.pending).isEmpty();
    assertThat(runner.running()).isZero();
  }

  private void executorOn(String node, String address, String... warm) {
    executors.update(
        new ExecutorStatus(node, address, 2, 0, 0, List.of(warm), clock.now, false), clock.now);
  }

  @Test
  void aDagCallStaysOnTheNodeItEnteredAndAStepFollowsItsUpstreamWhenKeysDrawTheSourceAway() {
    executorOn("n1", "e1");
    executorOn("n2", "x1", "a@1", "b@1");
    executorOn("n2", "x2", "a@1", "b@1");
    for (int i = 0; i < 6; i++) {
      invoke(InvokeDag.builder("d"));
      assertThat(gateway.schedule(gateway.schedules.size() - 1).placement())
          .as("call " + i)
          .containsOnly(Map.entry("a", "e1"), Map.entry("b", "e1"));
    }
    // The source's argument references a key n2's cache holds: the source goes there, and its
    // downstream follows it instead of coming back to the entry node.
    cachedKeys.report("n2", List.of("k"), clock.now, clock.now);
    invoke(InvokeDag.builder("d").args(Map.of("a", List.of(new io.cloudburst.bus.value.Ref("k")))));
    DagSchedule s = gateway.schedule(gateway.schedules.size() - 1);
    assertThat(s.placement().get("a")).startsWith("x");
    assertThat(s.placement().get("b")).startsWith("x");
  }

  @Test
  void aFailedStepFailsTheCallWithItsCode() {
    executor("e1");
    String id = invoke(InvokeDag.builder("d").awaitResult(false));
    assertThat(replies)
        .singleElement()
        .extracting(CallResult::status)
        .isEqualTo(CallResult.Status.PENDING);
    step(
        gateway.schedule(0),
        "a",
        CallResult.failed(id, "a", CloudburstException.badRequest("boom"), "", "e1", 1));
    CallResult r = results.held(id);
    assertThat(r.status()).isEqualTo(CallResult.Status.FAILED);
    assertThat(r.code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(r.errorMessage()).contains("function 'a' of DAG 'd' failed: boom");
    assertThat(replies).hasSize(1); // the caller took the pending id
    assertThat(published.results).containsExactly(r);
  }

  @Test
  void
      anExecutorThatDoesNotTakeTheScheduleIsForgottenAndTheCallRunsElsewhereIgnoringTheOldAttempt() {
    executor("e1");
    String id = invoke(InvokeDag.builder("d"));
    DagSchedule first = gateway.schedule(0);
    executor("e2");
    gateway.schedules.get(0).reply().fail(new ReplyException(ReplyFailure.NO_HANDLERS, "gone"));
    assertThat(executors.ofNode("n1"))
        .extracting(ExecutorTable.Entry::address)
        .containsExactly("e2");
    DagSchedule second = gateway.schedule(1);
    assertThat(second.callId()).isEqualTo(id + "#1");
    assertThat(second.placement().values()).containsOnly("e2");
    step(first, "b", CallResult.done(id, "b", 1L, "", "e1", 1)); // late news of attempt 0
    assertThat(replies).isEmpty();
    step(second, "b", CallResult.done(id, "b", 2L, "", "e2", 1));
    assertThat(replies).singleElement().extracting(CallResult::result).isEqualTo(2L);
  }

  /** The schedule ids sent, each once (a schedule goes to every executor it names). */
  private List<String> attempts() {
    return gateway.schedules.stream()
        .map(sent -> ((DagSchedule) sent.request()).callId())
        .distinct()
        .toList();
  }

  private DagSchedule last() {
    return gateway.schedule(gateway.schedules.size() - 1);
  }

  @Test
  void aCallWhoseExecutorsKeepLeavingFailsAfterTheLastAttempt() {
    executor("e1");
    executor("e2");
    String id = invoke(InvokeDag.builder("d"));
    for (int attempt = 1; attempt <= SingleCallRunner.MAX_ATTEMPTS; attempt++) {
      String used = last().placement().get("a");
      membership.onStatus(new ExecutorStatus("n1", used, 2, 0, 0, List.of(), clock.now, true));
      if (attempt < SingleCallRunner.MAX_ATTEMPTS) {
        assertThat(last().callId()).isEqualTo(id + "#" + attempt);
        assertThat(last().placement().values()).doesNotContain(used);
      }
      executor(used); // back, so that the next attempt has two executors again
    }
    assertThat(attempts()).hasSize(SingleCallRunner.MAX_ATTEMPTS);
    assertThat(replies)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.code()).isEqualTo(ErrorCode.NO_RESOURCES);
              assertThat(r.errorMessage())
                  .contains("after " + SingleCallRunner.MAX_ATTEMPTS + " attempts");
            });
  }

  @Test
  void aCallWithNoExecutorLeftForARetryFails() {
    executor("e1");
    invoke(InvokeDag.builder("d"));
    membership.onStatus(new ExecutorStatus("n1", "e1", 2, 0, 0, List.of(), clock.now, true));
    assertThat(replies)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.code()).isEqualTo(ErrorCode.NO_RESOURCES);
              assertThat(r.errorMessage()).contains("no executor can run function 'a'");
            });
    assertThat(runner.running()).isZero();
  }

  @Test
  void aCallWithAnIdempotencyKeyIsNotRunAgainAndItsRepeatGetsTheOutcome() {
    executor("e1");
    invoke(InvokeDag.builder("d").requestId("r1"));
    runner.invoke(
        InvokeDag.builder("d").requestId("r1").build(), replies::add); // waits for the first
    assertThat(gateway.schedules).hasSize(1);
    membership.onNodeLeft("n2"); // not its node: nothing happens
    membership.onStatus(new ExecutorStatus("n1", "e1", 2, 0, 0, List.of(), clock.now, true));
    assertThat(gateway.schedules).hasSize(1);
    assertThat(replies)
        .hasSize(2)
        .allSatisfy(
            r -> {
              assertThat(r.code()).isEqualTo(ErrorCode.NO_RESOURCES);
              assertThat(r.errorMessage()).contains("at most once");
            });
  }

  @Test
  void aCallPastItsDeadlineTimesOutAndLaterStepsAreIgnored() {
    executor("e1");
    String id = invoke(InvokeDag.builder("d").timeoutMs(50).args(Map.of("a", List.of(1L))));
    timers.fireAll();
    assertThat(replies).singleElement().extracting(CallResult::code).isEqualTo(ErrorCode.TIMEOUT);
    step(gateway.schedule(0), "b", CallResult.done(id, "b", 2L, "", "e1", 1));
    assertThat(replies).hasSize(1);
    assertThat(results.held(id).code()).isEqualTo(ErrorCode.TIMEOUT);
  }

  @Test
  void aCallThatNoExecutorCanTakeIsRefusedBeforeItStarts() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> runner.invoke(InvokeDag.builder("d").build(), replies::add))
        .isInstanceOfSatisfying(
            CloudburstException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_RESOURCES));
    assertThat(runner.running()).isZero();
    assertThat(timers.pending).isEmpty();
  }

  // ---- output_key ----

  @Test
  void aCallWithAnOutputKeyIsReportedOnlyOnceItsResultIsStored() {
    executor("e1");
    String id = invoke(InvokeDag.builder("d").outputKey("o"));
    step(gateway.schedule(0), "b", CallResult.done(id, "b", 2L, "", "e1", 1));
    assertThat(nodes.writes)
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.key()).isEqualTo("o");
              assertThat(w.value()).isEqualTo(2L);
              assertThat(w.consistency()).isEqualTo(Consistency.NORMAL);
            });
    assertThat(replies).isEmpty();
    assertThat(published.results).isEmpty();
    assertThat(results.held(id).status()).isEqualTo(CallResult.Status.PENDING);
    nodes.writes.get(0).stored().complete(new LwwLattice(1, "n1", 2L));
    assertThat(replies).singleElement().extracting(CallResult::result).isEqualTo(2L);
    assertThat(results.held(id).status()).isEqualTo(CallResult.Status.DONE);
    assertThat(published.results).hasSize(1);
  }

  @Test
  void aFailedOutputWriteFailsTheCallWithTheWritesCode() {
    executor("e1");
    String id = invoke(InvokeDag.builder("d").outputKey("o"));
    step(gateway.schedule(0), "b", CallResult.done(id, "b", 2L, "", "e1", 1));
    nodes.writes.get(0).stored().fail(CloudburstException.timeout("the store did not answer"));
    assertThat(replies)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.id()).isEqualTo(id);
              assertThat(r.code()).isEqualTo(ErrorCode.TIMEOUT);
              assertThat(r.errorMessage())
                  .contains("output_key 'o'")
                  .contains("the store did not answer");
            });
    assertThat(results.held(id).code()).isEqualTo(ErrorCode.TIMEOUT);
  }

  @Test
  void aFailedCallWritesNoOutput() {
    executor("e1");
    String id = invoke(InvokeDag.builder("d").outputKey("o"));
    step(
        gateway.schedule(0),
        "a",
        CallResult.failed(id, "a", CloudburstException.badRequest("boom"), "", "e1", 1));
    assertThat(nodes.writes).isEmpty();
    assertThat(replies)
        .singleElement()
        .extracting(CallResult::code)
        .isEqualTo(ErrorCode.BAD_REQUEST);
  }

  @Test
  void aCausalOutputCarriesTheSinksDependenciesAndTheClientReadsItsWriteNext() {
    executor("e1");
    String id =
        invoke(InvokeDag.builder("d").outputKey("o").consistency(Consistency.CAUSAL).clientId("c"));
    DagSchedule s = gateway.schedule(0);
    Session sink =
        new Session(
            s.callId(),
            true,
            Map.of(),
            Map.of("k", VectorClock.of("n2", 4), "o", VectorClock.of("n2", 1)));
    runner.onDagEvent(
        new DagEvent.StepDone(s.callId(), "b", CallResult.done(id, "b", 2L, "", "e1", 1), sink));
    assertThat(nodes.writes)
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.consistency()).isEqualTo(Consistency.CAUSAL);
              assertThat(w.dependencies())
                  .isEqualTo(Map.of("k", VectorClock.of("n2", 4))); // not on its own key
            });
    nodes
        .writes
        .get(0)
        .stored()
        .complete(MultiKeyCausalLattice.of(VectorClock.of("n1", 7), Map.of(), 2L));
    assertThat(replies).singleElement().extracting(CallResult::result).isEqualTo(2L);
    invoke(InvokeDag.builder("d").consistency(Consistency.CAUSAL).clientId("c"));
    assertThat(last().clientSession().dependencies())
        .containsEntry("k", VectorClock.of("n2", 4))
        .containsEntry("o", VectorClock.of("n1", 7).merge(VectorClock.of("n2", 1)));
  }

  @Test
  void aReservedOutputKeyIsRefusedBeforeTheCallStarts() {
    executor("e1");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                runner.invoke(
                    InvokeDag.builder("d").outputKey("__cloudburst/dags/d").build(), replies::add))
        .isInstanceOfSatisfying(
            CloudburstException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    assertThat(gateway.schedules).isEmpty();
    assertThat(runner.running()).isZero();
  }
}
