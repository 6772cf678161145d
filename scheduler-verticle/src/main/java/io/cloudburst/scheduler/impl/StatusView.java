package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.msg.ExecutorStatus;
import io.cloudburst.bus.msg.SchedulerReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * What {@code GET /v1/status} shows: every node's live executors and cache figures, and the
 * replications counted.
 */
public final class StatusView {
  private final ExecutorTable executors;
  private final CachedKeys cachedKeys;
  private final CallPlacement placement;
  private final LongSupplier clock;

  public StatusView(
      ExecutorTable executors, CachedKeys cachedKeys, CallPlacement placement, LongSupplier clock) {
    this.executors = executors;
    this.cachedKeys = cachedKeys;
    this.placement = placement;
    this.clock = clock;
  }

  /** The status now: nodes by id, each with its live executors and what its cache last reported. */
  public SchedulerReply.Status status() {
    long now = clock.getAsLong();
    Map<String, List<SchedulerReply.ExecutorInfo>> byNode = new TreeMap<>();
    for (ExecutorTable.Entry e : executors.live(now)) {
      ExecutorStatus st = e.status();
      byNode
          .computeIfAbsent(e.nodeId(), k -> new ArrayList<>())
          .add(
              new SchedulerReply.ExecutorInfo(
                  e.address(),
                  st.threads(),
                  st.busy(),
                  st.queued(),
                  e.inFlight(),
                  new TreeSet<>(e.warm()).stream().toList(),
                  e.lastSeen()));
    }
    for (String node : cachedKeys.reporting(now)) {
      byNode.computeIfAbsent(node, k -> new ArrayList<>());
    }
    List<SchedulerReply.NodeInfo> nodes = new ArrayList<>();
    byNode.forEach((node, execs) -> nodes.add(nodeInfo(node, execs, now)));
    return new SchedulerReply.Status(nodes, now, placement.replications());
  }

  private SchedulerReply.NodeInfo nodeInfo(
      String node, List<SchedulerReply.ExecutorInfo> execs, long now) {
    CachedKeys.Figures f =
        Objects.requireNonNullElse(cachedKeys.figures(node, now), CachedKeys.Figures.NONE);
    Set<String> keys = cachedKeys.keys(node, now);
    List<String> shown =
        keys.stream().sorted().limit(SchedulerReply.NodeInfo.MAX_KEYS_SHOWN).toList();
    return new SchedulerReply.NodeInfo(
        node,
        execs,
        keys.size(),
        shown,
        f.bytes(),
        f.hits(),
        f.misses(),
        f.evictions(),
        f.sentAt());
  }
}
