package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.Consistency;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.VectorClock;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.DagSchedule;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.msg.NodeEvent;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Fakes of what the scheduler's parts need from outside: they record requests and are answered by
 * hand.
 */
final class Fakes {
  private Fakes() {}

  /** A clock the test moves. */
  static final class Clock implements LongSupplier {
    long now = 1_000_000;

    @Override
    public long getAsLong() {
      return now;
    }
  }

  /** Executors: every request is recorded with a promise the test completes. */
  static final class Executors implements ExecutorGateway {
    record Sent<T>(String address, Object request, Promise<T> reply) {}

    final List<Sent<FunctionInfo>> validations = new ArrayList<>();
    final List<Sent<CallResult>> executions = new ArrayList<>();
    final List<Sent<Void>> schedules = new ArrayList<>();

    @Override
    public Future<FunctionInfo> validate(String address, FunctionInfo f) {
      return record(validations, address, f);
    }

    @Override
    public Future<CallResult> execute(String address, ExecutorRequest.Execute call, long waitMs) {
      return record(executions, address, call);
    }

    @Override
    public Future<Void> runDag(String address, DagSchedule schedule) {
      return record(schedules, address, schedule);
    }

    DagSchedule schedule(int i) {
      return (DagSchedule) schedules.get(i).request();
    }

    private static <T> Future<T> record(List<Sent<T>> into, String address, Object request) {
      Promise<T> p = Promise.promise();
      into.add(new Sent<>(address, request, p));
      return p.future();
    }
  }

  /**
   * Other nodes and this node's cache: held results asked for and output writes are recorded with a
   * promise the test completes.
   */
  static final class Nodes implements NodeGateway {
    record Ask(String node, String callId, Promise<CallResult> reply) {}

    record Write(
        String key,
        Object value,
        Consistency consistency,
        Map<String, VectorClock> dependencies,
        Promise<Lattice> stored) {}

    final List<Ask> asks = new ArrayList<>();
    final List<String> endedSessions = new ArrayList<>();
    final List<Write> writes = new ArrayList<>();

    @Override
    public Future<Lattice> writeOutput(
        String key, Object value, Consistency consistency, Map<String, VectorClock> dependencies) {
      Promise<Lattice> p = Promise.promise();
      writes.add(new Write(key, value, consistency, dependencies, p));
      return p.future();
    }

    @Override
    public Future<CallResult> heldResult(String nodeId, String callId) {
      Promise<CallResult> p = Promise.promise();
      asks.add(new Ask(nodeId, callId, p));
      return p.future();
    }

    @Override
    public void endSession(String nodeId, String sessionId) {
      endedSessions.add(nodeId + " " + sessionId);
    }
  }

  /** Publications, recorded. */
  static final class Published implements Notices {
    final List<CallResult> results = new ArrayList<>();
    final List<NodeEvent.ScalingDecision> scaling = new ArrayList<>();
    final List<NodeEvent.RegistryChanged> changes = new ArrayList<>();

    @Override
    public void result(CallResult r) {
      results.add(r);
    }

    @Override
    public void scaling(NodeEvent.ScalingDecision d) {
      scaling.add(d);
    }

    @Override
    public void registryChanged(NodeEvent.RegistryChanged n) {
      changes.add(n);
    }
  }

  /** Timers that fire only when the test fires them. */
  static final class ManualTimers implements Timers {
    final Map<Long, Runnable> pending = new LinkedHashMap<>();
    private long next;

    @Override
    public long after(long delayMs, Runnable task) {
      pending.put(++next, task);
      return next;
    }

    @Override
    public void cancel(long id) {
      pending.remove(id);
    }

    void fireAll() {
      List<Runnable> due = new ArrayList<>(pending.values());
      pending.clear();
      due.forEach(Runnable::run);
    }
  }
}
