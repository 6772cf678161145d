package io.cloudburst.scheduler.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.msg.ExecutorStatus;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.msg.SchedulerRequest.InvokeFunction;
import io.cloudburst.scheduler.SchedulerOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Single calls with fake executors: run, run again when the executor goes, at most once with a
 * request id.
 */
class SingleCallRunnerTest {
  private final Fakes.Clock clock = new Fakes.Clock();
  private final Fakes.Executors gateway = new Fakes.Executors();
  private final Fakes.Published published = new Fakes.Published();
  private final ExecutorTable executors = new ExecutorTable(5_000);
  private final CachedKeys cachedKeys = new CachedKeys(15_000);
  private final ExecutorMembership membership =
      new ExecutorMembership("n1", executors, cachedKeys, 5_000, clock);
  private final ResultLookup results =
      new ResultLookup(
          "n1", new ResultStore(100, 60_000), membership::knownNodes, new Fakes.Nodes(), clock);
  private final IdempotencyKeys keys = new IdempotencyKeys(100, results::held);
  private final FunctionRegistry functions = new FunctionRegistry();
  private final SingleCallRunner runner;
  private final List<CallResult> replies = new ArrayList<>();

  SingleCallRunnerTest() {
    SchedulerOptions options =
        SchedulerOptions.fromJson(new JsonObject().put("nodeId", "n1").put("persistent", false));
    CallPlacement placement = new CallPlacement("n1", executors, cachedKeys, published, clock);
    runner =
        new SingleCallRunner(
            options,
            functions,
            executors,
            placement,
            membership,
            keys,
            new CallOutcomes(results, keys, published),
            new CallIds("n1"),
            gateway,
            AtomicCommits.none());
    membership.addListener(runner);
    functions.add(new FunctionInfo("sq", "python", 1, "def sq(x): return x*x", "sq", 0));
  }

  private void executor(String address) {
    executors.update(
        new ExecutorStatus("n1", address, 2, 0, 0, List.of(), clock.now, false), clock.now);
  }

  private ExecutorRequest.Execute sent(int i) {
    return (ExecutorRequest.Execute) gateway.executions.get(i).request();
  }

  @Test
  void aCallIsAnsweredWithItsExecutorsResultAndTheExecutorIsThenWarm() {
    executor("e1");
    runner.invoke(InvokeFunction.builder("sq").args(List.of(3L)).build(), replies::add);
    assertThat(runner.inFlight()).isEqualTo(1);
    assertThat(executors.ofNode("n1").get(0).inFlight()).isEqualTo(1);
    String id = sent(0).callId();
    gateway.executions.get(0).reply().complete(CallResult.done(id, "sq", 9L, "", "e1", 1));
    assertThat(replies).singleElement().extracting(CallResult::result).isEqualTo(9L);
    assertThat(results.held(id).result()).isEqualTo(9L);
    assertThat(runner.inFlight()).isZero();
    assertThat(executors.ofNode("n1").get(0).warm()).contains(functions.current("sq").contextKey());
  }

  @Test
  void aCallWhoseExecutorLeavesRunsAgainElsewhereUnderTheSameId() {
    executor("e1");
    runner.invoke(InvokeFunction.builder("sq").args(List.of(3L)).build(), replies::add);
    executor("e2");
    membership.onStatus(new ExecutorStatus("n1", "e1", 2, 0, 0, List.of(), clock.now, true));
    assertThat(gateway.executions).hasSize(2);
    assertThat(gateway.executions.get(1).address()).isEqualTo("e2");
    assertThat(sent(1).callId()).isEqualTo(sent(0).callId());
    gateway
        .executions
        .get(1)
        .reply()
        .complete(CallResult.done(sent(1).callId(), "sq", 9L, "", "e2", 1));
    assertThat(replies).singleElement().extracting(CallResult::result).isEqualTo(9L);
  }

  @Test
  void aCallWithARequestIdIsNotRunAgainWhenItsExecutorIsGone() {
    executor("e1");
    executor("e2");
    runner.invoke(
        InvokeFunction.builder("sq").args(List.of(3L)).requestId("r").build(), replies::add);
    gateway.executions.get(0).reply().fail(new ReplyException(ReplyFailure.NO_HANDLERS, "gone"));
    assertThat(gateway.executions).hasSize(1);
    assertThat(replies)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.code()).isEqualTo(ErrorCode.NO_RESOURCES);
              assertThat(r.errorMessage()).contains("at most once");
            });
  }

  @Test
  void aCallThatTimesOutAtItsExecutorFailsWithTimeout() {
    executor("e1");
    runner.invoke(
        InvokeFunction.builder("sq").args(List.of(3L)).timeoutMs(100).awaitResult(false).build(),
        replies::add);
    assertThat(replies)
        .singleElement()
        .extracting(CallResult::status)
        .isEqualTo(CallResult.Status.PENDING);
    gateway.executions.get(0).reply().fail(new ReplyException(ReplyFailure.TIMEOUT, "late"));
    assertThat(results.held(sent(0).callId()).code()).isEqualTo(ErrorCode.TIMEOUT);
    assertThat(published.results)
        .singleElement()
        .extracting(CallResult::code)
        .isEqualTo(ErrorCode.TIMEOUT);
  }
}
