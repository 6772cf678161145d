package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.ExecutorStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * Which executors and nodes are there: executor statuses and cache reports as they arrive,
 * executors that leave (saying so, with their node, or by falling silent for twice the staleness
 * bound), and the other nodes' schedulers heard from. Executors that are gone are forgotten first
 * (so nothing is placed on them again), then the {@link Listener}s re-run the calls that ran there;
 * once every executor of a node is gone, its cached keys stop drawing calls.
 */
public final class ExecutorMembership {
  private static final System.Logger log = System.getLogger(ExecutorMembership.class.getName());

  /** Told when executors are gone, after they are forgotten. */
  public interface Listener {
    /** The executors at {@code addresses} are gone ({@code why}, for logs and errors). */
    void executorsLeft(Set<String> addresses, String why);
  }

  private final String nodeId;
  private final ExecutorTable executors;
  private final CachedKeys cachedKeys;
  private final long staleMs;
  private final LongSupplier clock;
  private final List<Listener> listeners = new ArrayList<>();

  /** Other nodes whose schedulers sent registry notices: places a result may be held. */
  private final Set<String> schedulerNodes = new TreeSet<>();

  /**
   * When each node was last reported gone: older statuses of its executors (late on the way) are
   * ignored.
   */
  private final Map<String, Long> leftAt = new HashMap<>();

  /**
   * @param nodeId this node's id
   * @param staleMs an executor silent for this long is not placed on; for twice as long, it is gone
   */
  public ExecutorMembership(
      String nodeId,
      ExecutorTable executors,
      CachedKeys cachedKeys,
      long staleMs,
      LongSupplier clock) {
    this.nodeId = nodeId;
    this.executors = executors;
    this.cachedKeys = cachedKeys;
    this.staleMs = staleMs;
    this.clock = clock;
  }

  /** Adds a listener for executors that are gone. */
  public void addListener(Listener l) {
    listeners.add(l);
  }

  /** An executor's status (published cluster-wide); one that says it leaves is gone. */
  public void onStatus(ExecutorStatus s) {
    if (s.leaving()) {
      executorsLeft(Set.of(s.address()), "executor " + s.address() + " left");
      forgetCacheIfNodeGone(s.nodeId());
      return;
    }
    Long gone = leftAt.get(s.nodeId());
    if (gone != null && s.sentAt() < gone) {
      return; // sent before its node left, and late on the way: it must not bring the executor back
    }
    executors.update(s, clock.getAsLong());
  }

  /** What a node's cache holds, as it reports it. */
  public void onCacheReport(CacheEvent.Report r) {
    cachedKeys.report(
        r.nodeId(),
        r.keys(),
        new CachedKeys.Figures(r.bytes(), r.hits(), r.misses(), r.evictions(), r.sentAt()),
        r.sentAt(),
        clock.getAsLong());
  }

  /** The scheduler of another node sent a registry notice: it may hold results. */
  public void schedulerHeard(String node) {
    if (node != null && !node.equals(nodeId)) {
      schedulerNodes.add(node);
    }
  }

  /**
   * Another node left the cluster (the node module tells): its executors are gone, with every call
   * running there, and its cache with them.
   */
  public void onNodeLeft(String node) {
    if (node == null || node.equals(nodeId)) {
      return;
    }
    leftAt.put(node, clock.getAsLong());
    schedulerNodes.remove(node);
    Set<String> addresses = new LinkedHashSet<>();
    for (ExecutorTable.Entry e : executors.ofNode(node)) {
      addresses.add(e.address());
    }
    log.log(
        System.Logger.Level.INFO,
        "node "
            + node
            + " left the cluster: forgetting its "
            + addresses.size()
            + " executor(s) and its cached keys; calls running there run again elsewhere");
    executorsLeft(addresses, "node " + node + " left the cluster");
    cachedKeys.forget(node);
  }

  /**
   * The fallback when no one says a node left: executors silent for twice the staleness bound
   * (placement already skips them after one) are treated as gone.
   */
  public void expireSilent() {
    long goneMs = 2 * staleMs;
    List<ExecutorTable.Entry> gone = executors.expire(clock.getAsLong(), goneMs);
    if (gone.isEmpty()) {
      return;
    }
    Set<String> addresses = new LinkedHashSet<>();
    Set<String> nodes = new TreeSet<>();
    for (ExecutorTable.Entry e : gone) {
      addresses.add(e.address());
      nodes.add(e.nodeId());
    }
    log.log(
        System.Logger.Level.WARNING,
        "executor(s) "
            + addresses
            + " silent for more than "
            + goneMs
            + " ms: forgotten; calls running there run again elsewhere");
    executorsLeft(addresses, "executor(s) " + addresses + " fell silent");
    nodes.forEach(this::forgetCacheIfNodeGone);
  }

  /** Forgets an executor that stopped answering (the calls that found out re-run themselves). */
  public void removeExecutor(String address) {
    ExecutorTable.Entry gone = executors.remove(address);
    if (gone != null) {
      forgetCacheIfNodeGone(gone.nodeId());
    }
  }

  /** Every other node heard from: with executors, with a cache reporting, or with a scheduler. */
  public Set<String> knownNodes() {
    Set<String> known = new TreeSet<>(executors.nodes());
    known.addAll(cachedKeys.reporting(clock.getAsLong()));
    known.addAll(schedulerNodes);
    known.remove(nodeId);
    return known;
  }

  /** The ids of the nodes of the executors at {@code addresses} that are live. */
  public Set<String> nodesOf(Set<String> addresses) {
    Set<String> nodes = new TreeSet<>();
    for (ExecutorTable.Entry e : executors.live(clock.getAsLong())) {
      if (addresses.contains(e.address())) {
        nodes.add(e.nodeId());
      }
    }
    return nodes;
  }

  private void executorsLeft(Set<String> addresses, String why) {
    for (String address : addresses) {
      executors.remove(address);
    }
    for (Listener l : listeners) {
      l.executorsLeft(addresses, why);
    }
  }

  /** Once every executor of a node has left, its cached keys no longer draw calls. */
  private void forgetCacheIfNodeGone(String node) {
    if (!executors.hasNode(node)) {
      cachedKeys.forget(node);
    }
  }
}
