package io.cloudburst.runtime.impl;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CacheView;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.PinnedVersions;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.msg.CacheRequest;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.ExecutorRequest.Direct;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.KvsRequest;
import io.cloudburst.bus.msg.SchedulerReply;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The event-bus side of the library's ports: the node's caches, the scheduler, other executors and
 * the store, as worker threads reach them. Every request blocks a worker thread (never an event
 * loop), bounded by its budget.
 */
public final class BusRequests implements CacheAccess, NestedCalls.Scheduler, Mailboxes.Port {
  private final Vertx vertx;
  private final String nodeId;
  private final CacheView view;
  private final PinnedVersions pinned;
  private final Touches touches;

  /**
   * @param touches where cache-view hits are counted (drained by the executor into the cache's
   *     reports)
   */
  public BusRequests(Vertx vertx, String nodeId, Touches touches) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.view = CacheView.of(vertx, nodeId);
    this.pinned = PinnedVersions.of(vertx, nodeId);
    this.touches = touches;
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public Lattice viewed(String key) {
    return view.get(key);
  }

  @Override
  public void touched(String key) {
    touches.hit(key);
  }

  @Override
  public Lattice pinned(String session, String key) {
    return pinned.get(session, key);
  }

  @Override
  public KvsReply request(String node, CacheRequest request, Invocation inv) {
    long budget = Math.min(Deadlines.STATE_MS, inv.remainingMs());
    if (budget <= 0) {
      throw CloudburstException.timeout("the call's deadline passed");
    }
    var f =
        vertx
            .eventBus()
            .<KvsReply>request(
                Addresses.cache(node), request, new DeliveryOptions().setSendTimeout(budget));
    return awaitBody(f, budget, node.equals(nodeId) ? "the cache" : "the cache of node " + node);
  }

  @Override
  public CallResult invoke(SchedulerRequest request, long budgetMs) {
    var f =
        vertx
            .eventBus()
            .<SchedulerReply>request(
                Addresses.SCHEDULER, request, new DeliveryOptions().setSendTimeout(budgetMs));
    return (CallResult) awaitBody(f, budgetMs, "the nested call");
  }

  /**
   * One registered function version, from this node's scheduler (which reads the registry in the
   * store on a miss): what {@link FunctionSources} fetches.
   */
  public FunctionInfo function(String name, int version, long budgetMs) {
    var f =
        vertx
            .eventBus()
            .<SchedulerReply>request(
                Addresses.SCHEDULER,
                new SchedulerRequest.GetFunction(name, version),
                new DeliveryOptions().setSendTimeout(budgetMs));
    return (FunctionInfo) awaitBody(f, budgetMs, "the registry");
  }

  @Override
  public void direct(String address, Direct message, long budgetMs) {
    awaitBody(
        vertx.eventBus().request(address, message, new DeliveryOptions().setSendTimeout(budgetMs)),
        budgetMs,
        "the destination's executor");
  }

  @Override
  public void storePut(String key, Lattice state, long budgetMs) {
    awaitBody(
        vertx
            .eventBus()
            .request(
                Addresses.KVS,
                new KvsRequest.Put(key, state, null),
                new DeliveryOptions().setSendTimeout(budgetMs)),
        budgetMs,
        "the store");
  }

  @Override
  public KvsReply.Found storeGet(String key, long budgetMs) {
    return (KvsReply.Found)
        awaitBody(
            vertx
                .eventBus()
                .<KvsReply>request(
                    Addresses.KVS,
                    new KvsRequest.Get(key, null),
                    new DeliveryOptions().setSendTimeout(budgetMs)),
            budgetMs,
            "the store");
  }

  @Override
  public void storeDelete(String key) {
    vertx
        .eventBus()
        .request(
            Addresses.KVS,
            new KvsRequest.Delete(key),
            new DeliveryOptions().setSendTimeout(Deadlines.STATE_MS));
  }

  /** Blocks a worker thread (never an event loop) for a bus reply, at most {@code budgetMs}. */
  private static <T> T awaitBody(Future<Message<T>> f, long budgetMs, String what) {
    try {
      return f.toCompletionStage()
          .toCompletableFuture()
          .get(budgetMs, TimeUnit.MILLISECONDS)
          .body();
    } catch (ExecutionException e) {
      throw CloudburstException.from(e.getCause());
    } catch (TimeoutException e) {
      throw CloudburstException.timeout(what + " did not answer within " + budgetMs + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CloudburstException.timeout(what + " was interrupted");
    }
  }
}
