package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.DagSchedule;
import io.cloudburst.bus.txn.WriteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scheduler's bookkeeping of one running DAG call: the current attempt's schedule, which sinks
 * have answered, and how the call ends. Pure state machine: RUNNING until every sink has a result
 * (DONE) or any step fails or the deadline passes (FAILED); a new attempt replaces the schedule and
 * forgets the sinks collected so far.
 */
public final class DagCall {
  private final String id;
  private final String dag;
  private DagSchedule schedule;
  private int attempt;
  private final Map<String, Object> sinkResults = new LinkedHashMap<>();

  /** Atomic calls: the sinks' write buffers of the current attempt, joined. */
  private WriteBuffer sinkWrites = new WriteBuffer();

  private boolean atomic;
  private final StringBuilder logs = new StringBuilder();
  private long micros;
  private boolean finished;

  public DagCall(String id, String dag, DagSchedule schedule) {
    this.id = id;
    this.dag = dag;
    this.schedule = schedule;
  }

  public String id() {
    return id;
  }

  public DagSchedule schedule() {
    return schedule;
  }

  public int attempt() {
    return attempt;
  }

  public boolean finished() {
    return finished;
  }

  /** Sets the schedule of the first attempt. */
  public void begin(DagSchedule first) {
    schedule = first;
  }

  /** Starts a new attempt with a fresh schedule (an executor of the old one went away). */
  public void retry(DagSchedule next) {
    attempt++;
    schedule = next;
    sinkResults.clear();
    sinkWrites = new WriteBuffer();
  }

  /**
   * Records a finished step of the current attempt; returns the call's final result when this step
   * ends the call, else null.
   */
  public CallResult step(String scheduleId, String function, CallResult r) {
    if (finished || !scheduleId.equals(schedule.callId())) {
      return null; // late news of an earlier attempt
    }
    micros += r.durationMicros();
    if (r.logs() != null && !r.logs().isEmpty()) {
      logs.append('[').append(function).append("] ").append(r.logs());
    }
    if (r.status() == CallResult.Status.FAILED) {
      finished = true;
      return new CallResult(
          id,
          CallResult.Status.FAILED,
          null,
          r.errorCode(),
          "function '" + function + "' of DAG '" + dag + "' failed: " + r.errorMessage(),
          logs.toString(),
          dag,
          r.executor(),
          micros,
          null);
    }
    if (!schedule.sinks().contains(function)) {
      return null;
    }
    sinkResults.put(function, r.result());
    if (r.writes() != null) {
      atomic = true;
      try {
        sinkWrites.join(r.writes());
      } catch (io.cloudburst.bus.CloudburstException e) {
        finished = true;
        return CallResult.failed(id, dag, e, logs.toString(), r.executor(), micros);
      }
    }
    if (sinkResults.size() < schedule.sinks().size()) {
      return null;
    }
    finished = true;
    Object result;
    List<String> sinks = schedule.sinks();
    if (sinks.size() == 1) {
      result = sinkResults.get(sinks.get(0));
    } else {
      Map<String, Object> bySink = new LinkedHashMap<>();
      for (String s : sinks) {
        bySink.put(s, sinkResults.get(s));
      }
      result = java.util.Collections.unmodifiableMap(bySink);
    }
    CallResult done = CallResult.done(id, dag, result, logs.toString(), r.executor(), micros);
    return atomic ? done.withWrites(sinkWrites.snapshot()) : done;
  }

  /**
   * Ends the call with the outcome an earlier run of its request id committed (no buffer: nothing
   * to commit again); null if it had already ended.
   */
  public CallResult replay(Object committedResult) {
    if (finished) {
      return null;
    }
    finished = true;
    return CallResult.done(id, dag, committedResult, null, null, 0);
  }

  /** Ends the call with a failure (deadline, no executor); null if it had already ended. */
  public CallResult fail(io.cloudburst.bus.CloudburstException e) {
    if (finished) {
      return null;
    }
    finished = true;
    return CallResult.failed(id, dag, e, logs.toString(), null, micros);
  }
}
