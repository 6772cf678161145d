package io.cloudburst.scheduler.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.lattice.CounterLattice;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.DagEvent;
import io.cloudburst.bus.msg.DagSchedule;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.msg.ExecutorStatus;
import io.cloudburst.bus.msg.SchedulerReply.DagInfo;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.msg.SchedulerRequest.InvokeDag;
import io.cloudburst.bus.msg.SchedulerRequest.InvokeFunction;
import io.cloudburst.bus.txn.CommitRecord;
import io.cloudburst.bus.txn.TxnIds;
import io.cloudburst.scheduler.SchedulerOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Atomic calls in both runners with fake executors and a fake store: committed once, never on
 * failure, run again (not failed) when the executor is lost, and a request id answered from its
 * commit record even by a scheduler that never saw the first call (as after a restart).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class AtomicRunnersTest {
  private final Fakes.Clock clock = new Fakes.Clock();
  private final Fakes.Executors gateway = new Fakes.Executors();
  private final Fakes.Published published = new Fakes.Published();
  private final Fakes.ManualTimers timers = new Fakes.ManualTimers();
  private final ExecutorTable executors = new ExecutorTable(5_000);
  private final CachedKeys cachedKeys = new CachedKeys(15_000);
  private final ExecutorMembership membership =
      new ExecutorMembership("n1", executors, cachedKeys, 5_000, clock);
  private final FunctionRegistry functions = new FunctionRegistry();
  private final DagRegistry dags = new DagRegistry();
  private final FakeStore store = new FakeStore();
  private final List<CallResult> replies = new ArrayList<>();
  private SingleCallRunner calls;
  private DagRunner dagCalls;

  AtomicRunnersTest() {
    functions.add(new FunctionInfo("inc", "python", 1, "def inc(cb): pass", "inc", 0));
    functions.add(new FunctionInfo("a", "python", 1, "def a(): pass", "a", 0));
    functions.add(new FunctionInfo("b", "python", 1, "def b(x): pass", "b", 0));
    DagPlan plan =
        DagPlan.of("d", List.of("a", "b"), List.of(List.of("a", "b")), functions::contains);
    dags.add(new DagInfo("d", plan.functions(), plan.connections(), 0), plan);
    runners();
  }

  /** Fresh runners over the same store: a scheduler that remembers no earlier call. */
  private void runners() {
    SchedulerOptions options =
        SchedulerOptions.fromJson(new JsonObject().put("nodeId", "n1").put("persistent", false));
    ResultLookup results =
        new ResultLookup(
            "n1", new ResultStore(100, 60_000), membership::knownNodes, new Fakes.Nodes(), clock);
    IdempotencyKeys keys = new IdempotencyKeys(100, results::held);
    CallPlacement placement = new CallPlacement("n1", executors, cachedKeys, published, clock);
    AtomicCommits commits = new AtomicCommits(store, CrashHook.parse(null), clock);
    CallOutcomes outcomes = new CallOutcomes(results, keys, published);
    calls =
        new SingleCallRunner(
            options,
            functions,
            executors,
            placement,
            membership,
            keys,
            outcomes,
            new CallIds("n1"),
            gateway,
            commits);
    dagCalls =
        new DagRunner(
            options,
            functions,
            dags,
            placement,
            membership,
            keys,
            outcomes,
            new CallIds("n1"),
            gateway,
            new Fakes.Nodes(),
            timers,
            clock,
            commits);
    membership.addListener(calls);
    membership.addListener(dagCalls);
  }

  private void executor(String address) {
    executors.update(
        new ExecutorStatus("n1", address, 2, 0, 0, List.of(), clock.now, false), clock.now);
  }

  private ExecutorRequest.Execute sent(int i) {
    return (ExecutorRequest.Execute) gateway.executions.get(i).request();
  }

  private static Map<String, Lattice> increment(String txn) {
    return Map.of("n", CounterLattice.of(TxnIds.stamp(txn), 1));
  }

  @Test
  void anAtomicCallWithARequestIdThatLosesItsExecutorRunsAgainAndCommitsOnce() {
    executor("e1");
    executor("e2");
    calls.invoke(InvokeFunction.builder("inc").requestId("r1").atomic(true).build(), replies::add);
    String txn = sent(0).txn();
    assertThat(txn).isEqualTo(TxnIds.of("ignored", "r1"));
    gateway.executions.get(0).reply().fail(new ReplyException(ReplyFailure.NO_HANDLERS, "gone"));
    assertThat(gateway.executions).hasSize(2); // run again, not failed
    assertThat(sent(1).txn()).isEqualTo(txn);
    assertThat(store.keys).isEmpty(); // nothing visible before the commit
    gateway
        .executions
        .get(1)
        .reply()
        .complete(
            CallResult.done(sent(1).callId(), "inc", 1L, "", "e2", 1).withWrites(increment(txn)));
    assertThat(replies).singleElement().extracting(CallResult::result).isEqualTo(1L);
    assertThat(replies.getFirst().writes()).isNull();
    assertThat(store.keys.get("n").value()).isEqualTo(1L);
    CommitRecord record = CommitRecord.fromLattice(store.records.get(TxnIds.recordKey(txn)));
    assertThat(record.applied()).isTrue();
    assertThat(record.requestId()).isEqualTo("r1");

    // A scheduler that never saw the call (a restart) answers the repeat from the record.
    runners();
    calls.invoke(InvokeFunction.builder("inc").requestId("r1").atomic(true).build(), replies::add);
    assertThat(gateway.executions).hasSize(2);
    assertThat(replies).hasSize(2).last().extracting(CallResult::result).isEqualTo(1L);
    assertThat(store.applies).containsExactly("n");
  }

  @Test
  void aFailedAtomicCallWritesNothing() {
    executor("e1");
    calls.invoke(InvokeFunction.builder("inc").atomic(true).build(), replies::add);
    gateway
        .executions
        .get(0)
        .reply()
        .complete(
            CallResult.failed(
                    sent(0).callId(),
                    "inc",
                    io.cloudburst.bus.CloudburstException.executionError("boom"),
                    "",
                    "e1",
                    1)
                .withWrites(increment(sent(0).txn())));
    assertThat(replies)
        .singleElement()
        .extracting(CallResult::status)
        .isEqualTo(CallResult.Status.FAILED);
    assertThat(store.records).isEmpty();
    assertThat(store.keys).isEmpty();
  }

  @Test
  void anAtomicDagWithARequestIdIsRescheduledWhenItsExecutorLeavesAndCommitsTheSinksWrites() {
    executor("e1");
    dagCalls.invoke(InvokeDag.builder("d").requestId("r2").atomic(true).build(), replies::add);
    DagSchedule first = gateway.schedule(0);
    assertThat(first.txn()).isEqualTo(TxnIds.of("x", "r2"));
    executor("e2");
    membership.onStatus(new ExecutorStatus("n1", "e1", 2, 0, 0, List.of(), clock.now, true));
    assertThat(gateway.schedules).hasSize(2);
    DagSchedule second = gateway.schedule(1);
    assertThat(second.txn()).isEqualTo(first.txn());
    // Late news of the first attempt commits nothing.
    Map<String, Lattice> stale = Map.of("k", LwwLattice.of("stale", 1, TxnIds.stamp(first.txn())));
    dagCalls.onDagEvent(
        new DagEvent.StepDone(
            first.callId(), "b", CallResult.done("x", "b", 0L, "", "e1", 1).withWrites(stale)));
    assertThat(store.records).isEmpty();
    Map<String, Lattice> writes = Map.of("k", LwwLattice.of("v", 2, TxnIds.stamp(first.txn())));
    dagCalls.onDagEvent(
        new DagEvent.StepDone(
            second.callId(), "b", CallResult.done("x", "b", 7L, "", "e2", 1).withWrites(writes)));
    assertThat(replies).singleElement().extracting(CallResult::result).isEqualTo(7L);
    assertThat(store.keys.get("k").value()).isEqualTo("v");
    assertThat(store.recordWrites).hasSize(2); // the record, then its applied mark
  }
}
