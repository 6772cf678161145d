package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.msg.CallResult;
import io.vertx.core.Future;

/** The scheduler's messages to caches and to other nodes' schedulers, each with its timeout. */
public interface NodeGateway {
  /**
   * The result the scheduler of node {@code nodeId} holds for call {@code callId} (it asks no
   * further); fails with RESULT_NOT_FOUND, or the bus's failure when that scheduler does not answer.
   */
  Future<CallResult> heldResult(String nodeId, String callId);

  /** Tells the cache of node {@code nodeId} that DAG call attempt {@code sessionId} ended. */
  void endSession(String nodeId, String sessionId);
}
