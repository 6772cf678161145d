package io.cloudburst.runtime.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.DagEvent;
import io.cloudburst.bus.msg.DagSchedule;
import io.cloudburst.bus.msg.ExecutorRequest.Trigger;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DagStepsTest {
  /**
   * A fake executor: work runs inline, each step's result comes from {@code results}, messages are
   * kept.
   */
  static final class FakePort implements DagSteps.Port {
    final List<Object[]> sent = new ArrayList<>();
    final List<String> ran = new ArrayList<>();
    final List<List<Object>> argsSeen = new ArrayList<>();
    final List<java.util.Set<String>> buffersSeen = new ArrayList<>();
    final List<String> ended = new ArrayList<>();
    final List<Runnable> timers = new ArrayList<>();
    final java.util.Set<Long> cancelledTimers = new java.util.HashSet<>();
    Function<String, CallResult> results =
        fn -> CallResult.done("c", fn, fn + "!", null, "here", 1);

    /**
     * Steps the watchdog "cancels": their cancel result is handed over before the worker's (late)
     * result.
     */
    final java.util.Set<String> cancelledSteps = new java.util.HashSet<>();

    boolean overloaded;
    int submitted;

    @Override
    public boolean submit(Runnable work) {
      if (overloaded) {
        return false;
      }
      submitted++;
      work.run();
      return true;
    }

    @Override
    public void onContext(Runnable task) {
      task.run();
    }

    @Override
    public long timer(long delayMs, Runnable task) {
      timers.add(task);
      return timers.size() - 1;
    }

    @Override
    public void cancelTimer(long id) {
      cancelledTimers.add(id);
    }

    @Override
    public void send(String address, Object message) {
      sent.add(new Object[] {address, message});
    }

    @Override
    public CallResult run(
        String resultId,
        FunctionInfo f,
        List<Object> args,
        Invocation inv,
        java.util.function.Consumer<CallResult> cancelled) {
      ran.add(inv.function());
      argsSeen.add(args);
      if (inv.buffer() != null) {
        buffersSeen.add(inv.buffer().snapshot().keySet());
        inv.buffer().put(inv.function() + "_k", LwwLattice.of(inv.function(), 1, inv.txn()));
      }
      if (cancelledSteps.contains(inv.function())) {
        cancelled.accept(
            CallResult.failed(
                resultId,
                inv.function(),
                CloudburstException.timeout("cancelled"),
                null,
                "here",
                1));
      }
      return results.apply(inv.function());
    }

    @Override
    public void pin(String session, Map<String, Lattice> versions, long expiresAt) {}

    @Override
    public void ended(String invocationId) {
      ended.add(invocationId);
    }

    /**
     * Hands the triggers sent to {@code address} so far to {@code steps}, as the bus would, until
     * none are left.
     */
    void deliverTriggers(String address, DagSteps steps) {
      for (int i = 0; i < sent.size(); i++) {
        if (sent.get(i)[0].equals(address)
            && sent.get(i)[1] instanceof Trigger t
            && delivered.add(i)) {
          steps.trigger(t);
        }
      }
    }

    final java.util.Set<Integer> delivered = new java.util.HashSet<>();

    List<Object> messagesTo(String address) {
      return sent.stream().filter(s -> s[0].equals(address)).map(s -> s[1]).toList();
    }
  }

  /** a (here) -> b (here) -> c (there); b is a sink too. */
  private static DagSchedule chain(String callId) {
    return chain(callId, io.cloudburst.bus.Consistency.NORMAL);
  }

  /** {@link #chain(String)} at {@code consistency}. */
  private static DagSchedule chain(String callId, io.cloudburst.bus.Consistency consistency) {
    Map<String, String> placement = new LinkedHashMap<>();
    placement.put("a", "here");
    placement.put("b", "here");
    placement.put("c", "there");
    return new DagSchedule(
        callId,
        "d",
        Map.of(),
        placement,
        Map.of("b", List.of("a"), "c", List.of("b")),
        Map.of("a", List.of("b"), "b", List.of("c")),
        Map.of("a", List.of(1L)),
        List.of("b", "c"),
        "done",
        System.currentTimeMillis() + 60_000,
        0,
        consistency,
        null,
        null);
  }

  /** {@link #chain} as an atomic call of transaction T. */
  private static DagSchedule atomicChain(String callId) {
    DagSchedule s = chain(callId);
    return new DagSchedule(
        s.callId(),
        s.dag(),
        s.functions(),
        s.placement(),
        s.upstreams(),
        s.downstreams(),
        s.args(),
        s.sinks(),
        s.completionAddress(),
        s.deadline(),
        s.depth(),
        s.consistency(),
        null,
        "T");
  }

  @Test
  void anAtomicCallsBufferGrowsDownstreamAndTheSinksReportIt() {
    FakePort port = new FakePort();
    DagSteps steps = new DagSteps("here", "n1", port);
    steps.run(atomicChain("call#5"));
    port.deliverTriggers("here", steps);
    assertThat(port.ran).containsExactly("a", "b");
    // b starts with a's buffered write: its reads see it.
    assertThat(port.buffersSeen).containsExactly(java.util.Set.of(), java.util.Set.of("a_k"));
    Trigger toC = (Trigger) port.messagesTo("there").get(0);
    assertThat(toC.writes()).containsOnlyKeys("a_k", "b_k");
    DagEvent.StepDone done = (DagEvent.StepDone) port.messagesTo("done").get(0);
    assertThat(done.result().writes()).containsOnlyKeys("a_k", "b_k");
    DagSteps there = new DagSteps("there", "n2", port);
    there.run(atomicChain("call#5"));
    port.deliverTriggers("there", there);
    assertThat(port.buffersSeen.getLast()).containsExactlyInAnyOrder("a_k", "b_k");
  }

  @Test
  void aFailedStepOfAnAtomicCallCarriesNoWrites() {
    FakePort port = new FakePort();
    port.results =
        fn -> CallResult.failed("c", fn, CloudburstException.executionError("no"), null, "here", 1);
    DagSteps steps = new DagSteps("here", "n1", port);
    steps.run(atomicChain("call#6"));
    DagEvent.StepDone done = (DagEvent.StepDone) port.messagesTo("done").get(0);
    assertThat(done.result().status()).isEqualTo(CallResult.Status.FAILED);
    assertThat(done.result().writes()).isNull();
    assertThat(port.messagesTo("here")).isEmpty();
  }

  @Test
  void aCancelledStepIsReportedFromTheCancelAndItsLateResultIsDropped() {
    FakePort port = new FakePort();
    port.cancelledSteps.add("a");
    DagSteps steps = new DagSteps("here", "n1", port);
    steps.run(chain("call#9"));
    assertThat(port.ran).containsExactly("a");
    assertThat(port.messagesTo("here")).isEmpty(); // the worker's late "a!" never goes downstream
    assertThat(port.messagesTo("done")).hasSize(1);
    DagEvent.StepDone done = (DagEvent.StepDone) port.messagesTo("done").get(0);
    assertThat(done.function()).isEqualTo("a");
    assertThat(done.result().code()).isEqualTo(ErrorCode.TIMEOUT);
  }

  @Test
  void aLocalDownstreamWhoseOnlyUpstreamRanHereRunsOnTheSameWorkerWithoutATriggerOnTheBus() {
    FakePort port = new FakePort();
    DagSteps steps = new DagSteps("here", "n1", port);
    steps.run(chain("call#0"));
    assertThat(port.ran).containsExactly("a", "b");
    assertThat(port.submitted).as("one worker task ran a, then b").isEqualTo(1);
    assertThat(port.messagesTo("here")).isEmpty();
    assertThat(port.argsSeen).containsExactly(List.of(1L), List.of("a!"));
    Trigger toC = (Trigger) port.messagesTo("there").get(0);
    assertThat(toC.function()).isEqualTo("c");
    assertThat(toC.from()).isEqualTo("b");
    assertThat(toC.value()).isEqualTo("b!");
    DagEvent.StepDone done = (DagEvent.StepDone) port.messagesTo("done").get(0);
    assertThat(done.function()).isEqualTo("b");
    assertThat(port.messagesTo("done")).hasSize(1);
    assertThat(port.ended).containsExactlyInAnyOrder("call#0/a", "call#0/b");
    assertThat(steps.running()).isZero();
  }

  @Test
  void aCallWithASessionPassesItsLocalStepsOnThroughTriggersInOrder() {
    FakePort port = new FakePort();
    DagSteps steps = new DagSteps("here", "n1", port);
    steps.run(chain("call#10", io.cloudburst.bus.Consistency.REPEATABLE_READ));
    assertThat(port.ran).containsExactly("a");
    Trigger toB = (Trigger) port.messagesTo("here").get(0);
    assertThat(toB.function()).isEqualTo("b");
    assertThat(toB.session()).as("the session travels with the trigger").isNotNull();
    port.deliverTriggers("here", steps);
    assertThat(port.ran).containsExactly("a", "b");
    assertThat(port.argsSeen).containsExactly(List.of(1L), List.of("a!"));
    assertThat(((DagEvent.StepDone) port.messagesTo("done").get(0)).function()).isEqualTo("b");
    assertThat(steps.running()).isZero();
  }

  @Test
  void aDownstreamWithTwoUpstreamsWaitsForBothTriggers() {
    FakePort port = new FakePort();
    DagSteps steps = new DagSteps("here", "n1", port);
    Map<String, String> placement = new LinkedHashMap<>();
    placement.put("a1", "here");
    placement.put("a2", "here");
    placement.put("j", "here");
    steps.run(
        new DagSchedule(
            "call#11",
            "d",
            Map.of(),
            placement,
            Map.of("j", List.of("a1", "a2")),
            Map.of("a1", List.of("j"), "a2", List.of("j")),
            Map.of("a1", List.of(1L), "a2", List.of(2L)),
            List.of("j"),
            "done",
            System.currentTimeMillis() + 60_000,
            0,
            io.cloudburst.bus.Consistency.NORMAL,
            null,
            null));
    assertThat(port.ran).containsExactlyInAnyOrder("a1", "a2");
    assertThat(port.messagesTo("here")).hasSize(2);
    port.deliverTriggers("here", steps);
    assertThat(port.ran).hasSize(3).endsWith("j");
    assertThat(port.argsSeen.getLast()).containsExactly("a1!", "a2!");
  }

  @Test
  void aCancelledChainedStepIsReportedAndItsUpstreamStillCountsAsFinished() {
    FakePort port = new FakePort();
    port.cancelledSteps.add("b");
    DagSteps steps = new DagSteps("here", "n1", port);
    steps.run(chain("call#12"));
    assertThat(port.ran).containsExactly("a", "b");
    assertThat(port.messagesTo("there")).as("b's late result goes nowhere").isEmpty();
    assertThat(port.messagesTo("done")).hasSize(1);
    DagEvent.StepDone done = (DagEvent.StepDone) port.messagesTo("done").get(0);
    assertThat(done.function()).isEqualTo("b");
    assertThat(done.result().code()).isEqualTo(ErrorCode.TIMEOUT);
    assertThat(steps.running()).isZero();
  }

  @Test
  void aTriggerBeforeItsScheduleIsKeptAndAppliedWhenTheScheduleArrives() {
    FakePort port = new FakePort();
    DagSteps steps = new DagSteps("there", "n2", port);
    steps.trigger(new Trigger("call#1", "c", "b", "early value", null));
    assertThat(port.ran).isEmpty();
    steps.run(chain("call#1"));
    assertThat(port.ran).containsExactly("c");
    assertThat(port.argsSeen).containsExactly(List.of("early value"));
  }

  @Test
  void earlyTriggersAreDroppedAfterTheirKeepTime() {
    FakePort port = new FakePort();
    DagSteps steps = new DagSteps("there", "n2", port);
    steps.trigger(new Trigger("call#2", "c", "b", "stale", null));
    steps.expireEarly(System.currentTimeMillis() + DagSteps.EARLY_KEEP_MS + 1);
    steps.run(chain("call#2"));
    assertThat(port.ran).as("c waits for a trigger again").isEmpty();
    assertThat(steps.running()).isEqualTo(1);
  }

  @Test
  void aFailedStepIsReportedAndNothingGoesDownstream() {
    FakePort port = new FakePort();
    port.results =
        fn ->
            CallResult.failed(
                "c", fn, CloudburstException.executionError("boom in " + fn), null, "here", 1);
    new DagSteps("here", "n1", port).run(chain("call#3"));
    assertThat(port.ran).containsExactly("a");
    DagEvent.StepDone done = (DagEvent.StepDone) port.messagesTo("done").get(0);
    assertThat(done.function()).isEqualTo("a");
    assertThat(done.result().code()).isEqualTo(ErrorCode.EXECUTION_ERROR);
    assertThat(port.messagesTo("there")).isEmpty();
  }

  @Test
  void anOverloadedExecutorFailsTheStepWithNoResources() {
    FakePort port = new FakePort();
    port.overloaded = true;
    new DagSteps("here", "n1", port).run(chain("call#4"));
    DagEvent.StepDone done = (DagEvent.StepDone) port.messagesTo("done").get(0);
    assertThat(done.result().code()).isEqualTo(ErrorCode.NO_RESOURCES);
  }

  @Test
  void aScheduleWithNothingPlacedHereOrOneAlreadyRunningIsIgnored() {
    FakePort port = new FakePort();
    DagSteps steps = new DagSteps("elsewhere", "n1", port);
    steps.run(chain("call#5"));
    assertThat(steps.running()).isZero();
    assertThat(port.timers).isEmpty();
    DagSteps there = new DagSteps("there", "n2", port);
    there.run(chain("call#6"));
    there.run(chain("call#6"));
    assertThat(port.timers).hasSize(1);
  }

  @Test
  void aRunThatEndsCancelsItsDeadlineTimerSoNoTimerOutlivesItsCall() {
    FakePort port = new FakePort();
    DagSteps steps = new DagSteps("there", "n2", port);
    steps.run(chain("call#8"));
    assertThat(port.timers).hasSize(1);
    assertThat(port.cancelledTimers).isEmpty();
    steps.trigger(new io.cloudburst.bus.msg.ExecutorRequest.Trigger("call#8", "c", "b", 2L));
    assertThat(steps.running()).isZero(); // c ran inline and reported as a sink
    assertThat(port.cancelledTimers).containsExactly(0L);
  }

  @Test
  void theRunEndsAtItsDeadlineTimerEvenIfAStepNeverCompletes() {
    FakePort port = new FakePort();
    DagSteps steps = new DagSteps("there", "n2", port);
    steps.run(chain("call#7"));
    assertThat(steps.running()).isEqualTo(1);
    port.timers.get(0).run();
    assertThat(steps.running()).isZero();
    assertThat(port.ended).containsExactly("call#7/c");
  }
}
