package io.cloudburst.runtime.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.SchedulerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class NestedCallsTest {
  private static final Invocation INV =
      new Invocation("call-1", "outer", "call-1", 2, System.currentTimeMillis() + 60_000, null);

  /** A fake scheduler answering each request with {@code answer}, keeping the requests. */
  static final class FakeScheduler implements NestedCalls.Scheduler {
    final List<SchedulerRequest> requests = new ArrayList<>();
    final List<Long> budgets = new ArrayList<>();
    final Function<SchedulerRequest, CallResult> answer;

    FakeScheduler(Function<SchedulerRequest, CallResult> answer) {
      this.answer = answer;
    }

    @Override
    public synchronized CallResult invoke(SchedulerRequest request, long budgetMs) {
      requests.add(request);
      budgets.add(budgetMs);
      return answer.apply(request);
    }
  }

  @Test
  void aFunctionIsCalledOneLevelDeeperWithinTheCallersDeadline() {
    FakeScheduler s = new FakeScheduler(r -> CallResult.done("n", "sq", 25L, null, null, 1));
    Object result = new NestedCalls(s, 4, "exec").call(INV, "sq", List.of(5L));
    assertThat(result).isEqualTo(25L);
    SchedulerRequest.InvokeFunction r = (SchedulerRequest.InvokeFunction) s.requests.get(0);
    assertThat(r.name()).isEqualTo("sq");
    assertThat(r.args()).containsExactly(5L);
    assertThat(r.depth()).isEqualTo(3);
    assertThat(r.timeoutMs()).isBetween(1L, 60_000L);
    assertThat(s.budgets.get(0))
        .as("waits a margin beyond the nested deadline")
        .isGreaterThan(r.timeoutMs());
  }

  @Test
  void withoutAFunctionOfTheNameADagOfTheNameIsCalledWithItsArgumentMap() {
    FakeScheduler s =
        new FakeScheduler(
            r -> {
              if (r instanceof SchedulerRequest.InvokeFunction) {
                throw CloudburstException.notFound(ErrorCode.FUNC_NOT_FOUND, "no function");
              }
              return CallResult.done("n", "d", "dag result", null, null, 1);
            });
    Object result = new NestedCalls(s, 4, "exec").call(INV, "d", List.of(Map.of("a", List.of(1L))));
    assertThat(result).isEqualTo("dag result");
    SchedulerRequest.InvokeDag dag = (SchedulerRequest.InvokeDag) s.requests.get(1);
    assertThat(dag.name()).isEqualTo("d");
    assertThat(dag.args()).isEqualTo(Map.of("a", List.of(1L)));
  }

  @Test
  void neitherAFunctionNorADagIsFuncNotFound() {
    FakeScheduler s =
        new FakeScheduler(
            r -> {
              throw r instanceof SchedulerRequest.InvokeFunction
                  ? CloudburstException.notFound(ErrorCode.FUNC_NOT_FOUND, "no function")
                  : CloudburstException.notFound(ErrorCode.DAG_NOT_FOUND, "no dag");
            });
    assertThatThrownBy(() -> new NestedCalls(s, 4, "exec").call(INV, "nothing", List.of()))
        .isInstanceOfSatisfying(
            CloudburstException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.FUNC_NOT_FOUND);
              assertThat(e.getMessage()).contains("no function or DAG named 'nothing'");
            });
  }

  @Test
  void aFailedNestedCallIsThrownWithItsCode() {
    FakeScheduler s =
        new FakeScheduler(
            r ->
                CallResult.failed(
                    "n", "bad", CloudburstException.executionError("boom"), null, null, 1));
    assertThatThrownBy(() -> new NestedCalls(s, 4, "exec").call(INV, "bad", List.of()))
        .isInstanceOfSatisfying(
            CloudburstException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.EXECUTION_ERROR);
              assertThat(e.getMessage()).contains("call of 'bad' failed").contains("boom");
            });
  }

  @Test
  void aCallThatWouldLeaveEveryWorkerWaitingIsRefusedAtOnce() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    FakeScheduler s =
        new FakeScheduler(
            r -> {
              inside.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return CallResult.done("n", "f", 1L, null, null, 1);
            });
    NestedCalls calls = new NestedCalls(s, 2, "exec");
    Thread first = new Thread(() -> calls.call(INV, "f", List.of()));
    first.start();
    assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(calls.waiting()).isEqualTo(1);
    assertThatThrownBy(() -> calls.call(INV, "f", List.of()))
        .isInstanceOfSatisfying(
            CloudburstException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.NO_RESOURCES);
              assertThat(e.getMessage()).contains("all 2 worker threads");
            });
    release.countDown();
    first.join(5_000);
    assertThat(calls.waiting()).isZero();
  }
}
