package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Consistency;
import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.PinnedVersions;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LatticeKind;
import io.cloudburst.bus.lattice.VectorClock;
import io.cloudburst.bus.msg.CacheRequest;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.DagSchedule;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.KvsRequest;
import io.cloudburst.bus.msg.NodeEvent;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import java.util.Map;

/**
 * The scheduler's outside world over the event bus: executors, caches, other schedulers, timers.
 */
public final class BusGateway
    implements ExecutorGateway, NodeGateway, Notices, Timers, CommitGateway {
  /** Time an executor has to acknowledge a DAG schedule before the call is placed elsewhere. */
  public static final long DAG_ACK_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final EventBus bus;
  private final String nodeId;
  private final long cacheTimeoutMs;

  /**
   * @param nodeId this node's id (whose cache stores output keys)
   * @param cacheTimeoutMs how long a write through this node's cache may take
   */
  public BusGateway(Vertx vertx, String nodeId, long cacheTimeoutMs) {
    this.vertx = vertx;
    this.bus = vertx.eventBus();
    this.nodeId = nodeId;
    this.cacheTimeoutMs = cacheTimeoutMs;
  }

  @Override
  public Future<FunctionInfo> validate(String address, FunctionInfo f) {
    return bus.<FunctionInfo>request(
            address, new ExecutorRequest.Validate(f), timeout(Deadlines.VALIDATE_MS))
        .map(Message::body);
  }

  @Override
  public Future<CallResult> execute(String address, ExecutorRequest.Execute call, long waitMs) {
    return bus.<CallResult>request(address, call, timeout(waitMs)).map(Message::body);
  }

  @Override
  public Future<Void> runDag(String address, DagSchedule schedule) {
    return bus.request(address, new ExecutorRequest.RunDag(schedule), timeout(DAG_ACK_TIMEOUT_MS))
        .mapEmpty();
  }

  @Override
  public Future<CallResult> heldResult(String node, String callId) {
    return bus.<CallResult>request(
            Addresses.scheduler(node),
            new SchedulerRequest.GetHeldResult(callId),
            timeout(Deadlines.FORWARD_MS))
        .map(Message::body);
  }

  @Override
  public void endSession(String node, String sessionId) {
    if (node.equals(nodeId)) {
      PinnedVersions.of(vertx, node).end(sessionId); // this node's: no message needed
    } else {
      bus.send(Addresses.cache(node), new CacheRequest.EndSession(sessionId));
    }
  }

  @Override
  public Future<Lattice> writeOutput(
      String key, Object value, Consistency consistency, Map<String, VectorClock> dependencies) {
    CacheRequest put =
        consistency == Consistency.CAUSAL
            ? new CacheRequest.PutCausal(key, value, dependencies)
            : new CacheRequest.PutValue(key, LatticeKind.LWW, value);
    return bus.<KvsReply>request(Addresses.cache(nodeId), put, timeout(cacheTimeoutMs))
        .map(m -> ((KvsReply.Stored) m.body()).lattice())
        .recover(t -> Future.failedFuture(CloudburstException.from(t)));
  }

  @Override
  public Future<Lattice> readRecord(String key) {
    return bus.<KvsReply>request(
            Addresses.KVS, new KvsRequest.Get(key, null), timeout(cacheTimeoutMs))
        .map(m -> ((KvsReply.Found) m.body()).lattice())
        .recover(t -> Future.failedFuture(CloudburstException.from(t)));
  }

  @Override
  public Future<Void> writeRecord(String key, Lattice state) {
    return bus.<KvsReply>request(
            Addresses.KVS, new KvsRequest.Put(key, state, null), timeout(cacheTimeoutMs))
        .<Void>mapEmpty()
        .recover(t -> Future.failedFuture(CloudburstException.from(t)));
  }

  @Override
  public Future<Void> apply(String key, Lattice state) {
    return bus.<KvsReply>request(
            Addresses.cache(nodeId), new CacheRequest.Put(key, state), timeout(cacheTimeoutMs))
        .<Void>mapEmpty()
        .recover(t -> Future.failedFuture(CloudburstException.from(t)));
  }

  @Override
  public void result(CallResult r) {
    bus.publish(Addresses.RESULTS, r);
  }

  @Override
  public void scaling(NodeEvent.ScalingDecision d) {
    bus.publish(Addresses.AUTOSCALE, d);
  }

  @Override
  public void registryChanged(NodeEvent.RegistryChanged n) {
    bus.publish(Addresses.REGISTRY_CHANGED, n);
  }

  @Override
  public long after(long delayMs, Runnable task) {
    return vertx.setTimer(delayMs, id -> task.run());
  }

  @Override
  public void cancel(long id) {
    vertx.cancelTimer(id);
  }

  private static DeliveryOptions timeout(long ms) {
    return new DeliveryOptions().setSendTimeout(ms);
  }
}
