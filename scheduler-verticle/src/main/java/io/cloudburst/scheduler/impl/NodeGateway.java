package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.Consistency;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.VectorClock;
import io.cloudburst.bus.msg.CallResult;
import io.vertx.core.Future;
import java.util.Map;

/** The scheduler's requests to caches and to other nodes' schedulers, each with its timeout. */
public interface NodeGateway {
  /**
   * The result the scheduler of node {@code nodeId} holds for call {@code callId} (it asks no
   * further); fails with RESULT_NOT_FOUND, or the bus's failure when that scheduler does not
   * answer.
   */
  Future<CallResult> heldResult(String nodeId, String callId);

  /** Tells the cache of node {@code nodeId} that DAG call attempt {@code sessionId} ended. */
  void endSession(String nodeId, String sessionId);

  /**
   * Stores a call's result under a user key through this node's cache, answered once the store has
   * made it durable: a multi-key causal version recording {@code dependencies} for {@link
   * Consistency#CAUSAL}, a last-writer-wins write otherwise. Fails with the write's error code.
   */
  Future<Lattice> writeOutput(
      String key, Object value, Consistency consistency, Map<String, VectorClock> dependencies);
}
