package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.msg.NodeEvent;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.value.Values;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Picks the executor of each call ({@link PlacementPolicy} over the live executors and the keys
 * each node's cache reported). A call placed on a cold executor because every warm one was
 * saturated replicates the function (the paper's hot-function replication): counted, published as a
 * scaling decision, and logged once per (function version, executor).
 */
public final class CallPlacement {
  private static final System.Logger log = System.getLogger(CallPlacement.class.getName());

  /** Replication log lines remembered, so each (function version, executor) is logged once. */
  private static final int MAX_REPLICATIONS_LOGGED = 10_000;

  private final String nodeId;
  private final ExecutorTable executors;
  private final CachedKeys cachedKeys;
  private final Notices notices;
  private final LongSupplier clock;
  private final PlacementPolicy policy = new PlacementPolicy();
  private long spin;
  private final AtomicLong replications = new AtomicLong();

  /** The (context key, executor) pairs whose replication was logged, oldest first. */
  private final Map<String, Boolean> replicationsLogged =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > MAX_REPLICATIONS_LOGGED;
        }
      };

  public CallPlacement(
      String nodeId,
      ExecutorTable executors,
      CachedKeys cachedKeys,
      Notices notices,
      LongSupplier clock) {
    this.nodeId = nodeId;
    this.executors = executors;
    this.cachedKeys = cachedKeys;
    this.notices = notices;
    this.clock = clock;
  }

  /**
   * The executor of a call of {@code f} that entered the cluster at this node, with {@code args}
   * (whose references draw it to a node caching them), or null.
   */
  public ExecutorTable.Entry forCall(FunctionInfo f, List<Object> args) {
    return forCall(f, args, nodeId);
  }

  /**
   * As {@link #forCall(FunctionInfo, List)}, kept on {@code preferredNode} (for a DAG step, the
   * node of its upstream function) unless that node is saturated or the call's keys are cached
   * elsewhere.
   */
  public ExecutorTable.Entry forCall(FunctionInfo f, List<Object> args, String preferredNode) {
    List<String> refs = new ArrayList<>();
    for (Object a : args) {
      Values.collectRefs(a, refs);
    }
    return pick(f, refs, preferredNode, true);
  }

  /** The executor that validates a new function version (no replication is counted), or null. */
  public ExecutorTable.Entry forValidation(FunctionInfo f) {
    return pick(f, List.of(), nodeId, false);
  }

  private ExecutorTable.Entry pick(
      FunctionInfo f, List<String> refKeys, String preferredNode, boolean call) {
    long now = clock.getAsLong();
    List<ExecutorTable.Entry> live = executors.live(now);
    ExecutorTable.Entry e =
        policy.choose(
            live,
            f.contextKey(),
            refKeys,
            node -> cachedKeys.keys(node, now),
            preferredNode,
            spin++);
    if (call && policy.replicates(live, e, f.contextKey())) {
      replications.incrementAndGet();
      // Counted with the autoscaler's decisions at /metrics (action "replicate").
      notices.scaling(
          NodeEvent.ScalingDecision.replicate(
              nodeId, f.versionKey(), e.address(), "warm executors saturated"));
      if (replicationsLogged.put(f.contextKey() + " " + e.address(), Boolean.TRUE) == null) {
        log.log(
            System.Logger.Level.INFO,
            "replicating "
                + f.versionKey()
                + " onto executor "
                + e.address()
                + ": warm executors saturated");
      }
    }
    return e;
  }

  /** How many calls went to a cold executor because every warm one was saturated. */
  public long replications() {
    return replications.get();
  }
}
