package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.DagSchedule;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.vertx.core.Future;

/**
 * The scheduler's requests to executors, each with its timeout. A failure is the bus's {@link
 * io.vertx.core.eventbus.ReplyException} (NO_HANDLERS when the executor is gone, TIMEOUT when it
 * did not answer in time) or the executor's own error.
 */
public interface ExecutorGateway {
  /**
   * Loads {@code f} in a context of the executor at {@code address}, which answers with the
   * function.
   */
  Future<FunctionInfo> validate(String address, FunctionInfo f);

  /**
   * Runs one call on the executor at {@code address}, waiting up to {@code waitMs} for its result.
   */
  Future<CallResult> execute(String address, ExecutorRequest.Execute call, long waitMs);

  /** Hands a DAG schedule to the executor at {@code address}, which acknowledges it at once. */
  Future<Void> runDag(String address, DagSchedule schedule);
}
