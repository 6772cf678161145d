package io.cloudburst.node.scaling;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.msg.ExecutorStatus;
import io.cloudburst.bus.msg.NodeEvent;
import io.cloudburst.node.NodeOptions.ScalingOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Grows and shrinks this node's executor pool between the configured bounds: samples the node's
 * utilization every {@link #SAMPLE_MS} ms from its own executors' status reports, asks the {@link
 * ScalingPolicy}, and on UP deploys an executor with the lowest free index, on DOWN undeploys one
 * (an idle one if the latest reports show one, else the highest index; the scheduler runs a removed
 * executor's in-flight calls again elsewhere). One change at a time: no sample is taken while an
 * executor starts or stops, and the policy's window starts over once the change took effect.
 *
 * <p>Utilization is {@code sum(busy + queued) / sum(threads)} over the node's live executors, so
 * above 1 means calls wait. Each UP or DOWN is logged at INFO and published on {@link
 * Addresses#AUTOSCALE} (node-local), where the web front counts it for /metrics.
 *
 * <p>All state is confined to this verticle's context (the status consumer, the sampling timer and
 * the completion of each change all run there).
 */
public final class ExecutorAutoscaler extends VerticleBase {
  private static final System.Logger log = System.getLogger(ExecutorAutoscaler.class.getName());

  /** How often utilization is sampled. */
  public static final long SAMPLE_MS = 250;

  /** Longest an executor may take to start or stop before the autoscaler stops waiting for it. */
  private static final long CHANGE_TIMEOUT_MS = 120_000;

  /** What the autoscaler changes: the node's executors, by index. */
  public interface Pool {
    /** The indices of the executors deployed now. */
    Set<Integer> live();

    /** Deploys executor {@code index}; completes once it runs. */
    Future<Void> add(int index);

    /** Undeploys executor {@code index}; completes once it is gone. */
    Future<Void> remove(int index);
  }

  private final String nodeId;
  private final ScalingOptions options;
  private final Pool pool;
  private final ScalingPolicy policy;

  /** The latest report of each of this node's executors, by address. */
  private final Map<String, ExecutorStatus> statuses = new HashMap<>();

  private boolean changing;
  private long timer = -1;
  private String lastHold = "";

  public ExecutorAutoscaler(String nodeId, ScalingOptions options, Pool pool) {
    this.nodeId = nodeId;
    this.options = options;
    this.pool = pool;
    this.policy = new ScalingPolicy(options);
  }

  @Override
  public Future<?> start() {
    // Local: the reports of this node's executors come from this JVM. The filter by node keeps
    // another node's reports out should they ever arrive here too.
    MessageConsumer<ExecutorStatus> consumer =
        vertx.eventBus().localConsumer(Addresses.EXECUTOR_STATUS, m -> onStatus(m.body()));
    return consumer
        .completion()
        .onSuccess(
            v -> {
              timer = vertx.setPeriodic(SAMPLE_MS, t -> tick());
              log.log(
                  System.Logger.Level.INFO,
                  String.format(
                      Locale.ROOT,
                      "executor autoscaling on for node %s: %d to %d executors, up at %.0f%%, down at %.0f%% utilization over %d ms, cool-down %d ms",
                      nodeId,
                      options.min(),
                      options.max(),
                      100 * options.upAt(),
                      100 * options.downAt(),
                      options.windowMs(),
                      options.cooldownMs()));
            });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void onStatus(ExecutorStatus s) {
    if (!nodeId.equals(s.nodeId())) {
      return;
    }
    if (s.leaving()) {
      statuses.remove(s.address());
    } else {
      statuses.put(s.address(), s);
    }
  }

  private void tick() {
    if (changing) {
      return;
    }
    Set<Integer> live = new TreeSet<>(pool.live());
    long busy = 0;
    long threads = 0;
    for (int i : live) {
      ExecutorStatus s = statuses.get(Addresses.executor(nodeId, i));
      if (s != null) {
        busy += s.busy() + s.queued();
        threads += s.threads();
      }
    }
    if (threads == 0) {
      return; // no report yet: nothing measured
    }
    long now = TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
    ScalingPolicy.Decision d = policy.sample(now, (double) busy / threads, live.size());
    switch (d.action()) {
      case HOLD -> {
        // Not every 250 ms at INFO: a hold is logged (at DEBUG) when its kind changes.
        String kind = d.reason().replaceAll("[0-9.]+", "#");
        if (!kind.equals(lastHold)) {
          lastHold = kind;
          log.log(
              System.Logger.Level.DEBUG,
              "autoscaler of node "
                  + nodeId
                  + " holds at "
                  + live.size()
                  + " executor(s): "
                  + d.reason());
        }
      }
      case UP -> {
        int index = 0;
        while (live.contains(index)) {
          index++;
        }
        change(d, live.size() + 1, pool.add(index), "adding executor " + index);
      }
      case DOWN -> {
        int victim = victim(live);
        change(d, live.size() - 1, pool.remove(victim), "removing executor " + victim);
      }
    }
  }

  /**
   * The executor to remove: the highest-index idle one by the latest reports, else the highest
   * index.
   */
  private int victim(Set<Integer> live) {
    int highest = -1;
    int idle = -1;
    for (int i : live) {
      highest = Math.max(highest, i);
      ExecutorStatus s = statuses.get(Addresses.executor(nodeId, i));
      if (s != null && s.busy() == 0 && s.queued() == 0) {
        idle = Math.max(idle, i);
      }
    }
    return idle >= 0 ? idle : highest;
  }

  private void change(ScalingPolicy.Decision d, int target, Future<Void> done, String what) {
    changing = true;
    lastHold = "";
    String action = d.action().wire();
    log.log(
        System.Logger.Level.INFO,
        "autoscaler of node "
            + nodeId
            + ": scale "
            + action
            + " to "
            + target
            + " executor(s), "
            + what
            + " ("
            + d.reason()
            + ")");
    vertx
        .eventBus()
        .publish(
            Addresses.AUTOSCALE,
            NodeEvent.ScalingDecision.resize(
                nodeId,
                d.action() == ScalingPolicy.Action.UP
                    ? NodeEvent.ScalingAction.UP
                    : NodeEvent.ScalingAction.DOWN,
                target,
                d.utilization(),
                d.reason()));
    long guard =
        vertx.setTimer(
            CHANGE_TIMEOUT_MS,
            t -> {
              if (changing) {
                log.log(
                    System.Logger.Level.WARNING,
                    "autoscaler of node "
                        + nodeId
                        + ": "
                        + what
                        + " did not finish within "
                        + CHANGE_TIMEOUT_MS
                        + " ms; scaling goes on");
                finished();
              }
            });
    done.onComplete(
        ar ->
            context.runOnContext(
                v -> {
                  vertx.cancelTimer(guard);
                  if (ar.failed()) {
                    log.log(
                        System.Logger.Level.WARNING,
                        "autoscaler of node " + nodeId + ": " + what + " failed: " + ar.cause());
                  }
                  finished();
                }));
  }

  private void finished() {
    changing = false;
    policy.restart();
  }
}
