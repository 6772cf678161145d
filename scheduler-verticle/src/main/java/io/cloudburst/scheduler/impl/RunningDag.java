package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.Consistency;
import io.cloudburst.bus.lattice.VectorClock;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.SchedulerRequest.InvokeDag;
import io.cloudburst.bus.session.Session;
import io.cloudburst.bus.txn.TxnIds;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * One DAG call in progress, as {@link DagRunner} keeps it: what it runs with, who waits for it, its
 * deadline timer, and what the sinks of its current attempt reported it depends on (causal calls
 * with a client id). Its attempts' bookkeeping is the {@link DagCall}.
 */
public final class RunningDag {
  private final DagCall call;
  private final DagPlan plan;
  private final InvokeDag request;
  private final Consumer<CallResult> awaiting;
  private final long deadline;
  private long timer = -1;
  private String dependenciesOf;
  private final Map<String, VectorClock> dependencies = new TreeMap<>();

  /**
   * @param awaiting who gets the finished result, or null (the caller took a pending id)
   * @param deadline when the call times out, in clock milliseconds
   */
  public RunningDag(
      DagCall call, DagPlan plan, InvokeDag request, Consumer<CallResult> awaiting, long deadline) {
    this.call = call;
    this.plan = plan;
    this.request = request;
    this.awaiting = awaiting;
    this.deadline = deadline;
  }

  public DagCall call() {
    return call;
  }

  public DagPlan plan() {
    return plan;
  }

  public Map<String, List<Object>> args() {
    return request.args();
  }

  public Consumer<CallResult> awaiting() {
    return awaiting;
  }

  public long deadline() {
    return deadline;
  }

  public int depth() {
    return request.depth();
  }

  public Consistency consistency() {
    return request.consistency();
  }

  /** Causal calls: the client whose session the call continues; else null. */
  public String clientId() {
    return request.consistency() == Consistency.CAUSAL ? request.clientId() : null;
  }

  /** The user key the result is also stored under, or null. */
  public String outputKey() {
    return request.outputKey();
  }

  /**
   * Started with an idempotency key and not atomic: never run again (an atomic call runs again, as
   * nothing of an attempt is visible before the commit).
   */
  public boolean atMostOnce() {
    return request.requestId() != null && !request.atomic();
  }

  /** An atomic call's transaction id, else null. */
  public String txn() {
    return request.atomic() ? TxnIds.of(call.id(), request.requestId()) : null;
  }

  /** The call's idempotency key, or null. */
  public String requestId() {
    return request.requestId();
  }

  /** The deadline timer's id, -1 before it is set. */
  public long timer() {
    return timer;
  }

  public void timer(long id) {
    timer = id;
  }

  /**
   * Joins what a sink of attempt {@code scheduleId} reported; what earlier attempts reported is
   * dropped.
   */
  public void dependOn(String scheduleId, Session session) {
    if (!scheduleId.equals(dependenciesOf)) {
      dependenciesOf = scheduleId;
      dependencies.clear();
    }
    session.dependencies().forEach((k, c) -> dependencies.merge(k, c, VectorClock::merge));
  }

  /** What the sinks of the current attempt reported the call depends on (empty when none did). */
  public Map<String, VectorClock> dependencies() {
    DagCall c = call;
    return c.schedule() != null && c.schedule().callId().equals(dependenciesOf)
        ? Map.copyOf(dependencies)
        : Map.of();
  }
}
