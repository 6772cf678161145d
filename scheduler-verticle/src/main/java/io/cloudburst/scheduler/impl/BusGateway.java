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
  private final String localExecutorPrefix;

  /**
   * @param nodeId this node's id (whose cache stores output keys)
   * @param cacheTimeoutMs how long a write through this node's cache may take
   */
  public BusGateway(Vertx vertx, String nodeId, long cacheTimeoutMs) {
    this.vertx = vertx;
    this.bus = vertx.eventBus();
    this.nodeId = nodeId;
    this.cacheTimeoutMs = cacheTimeoutMs;
    String one = Addresses.executor(nodeId, 0);
    this.localExecutorPrefix = one.substring(0, one.length() - 1);
  }

  @Override
  public Future<FunctionInfo> validate(String address, FunctionInfo f) {
    return bus.<FunctionInfo>request(
            address, new ExecutorRequest.Validate(f), timeout(Deadlines.VALIDATE_MS))
        .map(Message::body);
  }

  /**
   * A call for an executor on another node carries its function version without the source (the
   * executor fetches it only when the version is not warm there).
   */
  @Override
  public Future<CallResult> execute(String address, ExecutorRequest.Execute call, long waitMs) {
    ExecutorRequest.Execute sent =
        local(address) ? call : call.withFunction(call.function().thin());
    return bus.<CallResult>request(address, sent, timeout(waitMs)).map(Message::body);
  }

  /**
   * An executor of this node acknowledges the schedule (a missing one is found at once); one on
   * another node gets a thin schedule (only its own functions, their versions without sources, and
   * their arguments: {@link DagSchedule#thinFor}) and no acknowledgement is asked of it: its
   * departure reaches the runners as NodeLeft or as a silent or leaving status, and re-places the
   * call, and the call's deadline bounds everything else.
   */
  @Override
  public Future<Void> runDag(String address, DagSchedule schedule) {
    if (local(address)) {
      return bus.request(address, new ExecutorRequest.RunDag(schedule), timeout(DAG_ACK_TIMEOUT_MS))
          .mapEmpty();
    }
    bus.send(address, new ExecutorRequest.RunDag(schedule.thinFor(address)));
    return Future.succeededFuture();
  }

  /** True for an executor of this node (addresses are {@code cloudburst.executor.<node>.<i>}). */
  private boolean local(String executorAddress) {
    return executorAddress.startsWith(localExecutorPrefix);
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
