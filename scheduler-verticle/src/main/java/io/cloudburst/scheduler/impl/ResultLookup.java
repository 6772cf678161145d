package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.msg.CallResult;
import io.vertx.core.Future;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The results of calls: those this scheduler started, held here ({@link ResultStore}), and those
 * another node's scheduler started, asked of it. The node is the one named in the call id ({@link
 * CallIds#originNode}), and only when it is a node this scheduler knows of: an id from a request
 * never makes the scheduler send to a node it has not heard from.
 */
public final class ResultLookup {
  private final String nodeId;
  private final ResultStore results;
  private final Supplier<Set<String>> knownNodes;
  private final NodeGateway nodes;
  private final LongSupplier clock;

  /**
   * @param nodeId this node's id
   * @param knownNodes the other nodes this scheduler has heard from
   */
  public ResultLookup(
      String nodeId,
      ResultStore results,
      Supplier<Set<String>> knownNodes,
      NodeGateway nodes,
      LongSupplier clock) {
    this.nodeId = nodeId;
    this.results = results;
    this.knownNodes = knownNodes;
    this.nodes = nodes;
    this.clock = clock;
  }

  /** Holds (or replaces) a call's result, pending or finished. */
  public void hold(CallResult r) {
    results.put(r, clock.getAsLong());
  }

  /** The result of a call this scheduler started, or null (unknown or expired). */
  public CallResult held(String id) {
    return id == null ? null : results.get(id, clock.getAsLong());
  }

  /**
   * {@link #held}, or RESULT_NOT_FOUND: what another node's scheduler asks ({@code GetHeldResult}).
   */
  public CallResult heldOrNotFound(String id) {
    CallResult r = held(id);
    if (r == null) {
      throw notFound(id, "");
    }
    return r;
  }

  /**
   * The result held here, else by the scheduler of the node that started the call; else
   * RESULT_NOT_FOUND.
   */
  public Future<CallResult> lookup(String id) {
    CallResult r = held(id);
    if (r != null) {
      return Future.succeededFuture(r);
    }
    String origin = CallIds.originNode(id);
    if (origin == null || origin.equals(nodeId) || !knownNodes.get().contains(origin)) {
      return Future.failedFuture(notFound(id, ""));
    }
    return nodes
        .heldResult(origin, id)
        .recover(
            t ->
                Future.failedFuture(
                    notFound(id, " (not held here, nor by the scheduler of node " + origin + ")")));
  }

  /** Drops finished results past their retention. */
  public void expire() {
    results.expire(clock.getAsLong());
  }

  private static CloudburstException notFound(String id, String where) {
    return CloudburstException.notFound(
        ErrorCode.RESULT_NOT_FOUND, "no call with id '" + id + "'" + where);
  }
}
