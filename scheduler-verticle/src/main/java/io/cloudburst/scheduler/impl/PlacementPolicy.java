package io.cloudburst.scheduler.impl;

import java.util.List;
import java.util.Set;

/**
 * Chooses the executor for a call, as in the Cloudburst paper, and keeps a call on one node:
 *
 * <ol>
 *   <li>locality first: the node whose cache holds the call's referenced keys (+20 for all of
 *       them);
 *   <li>then affinity: an executor on the preferred node, the node the call entered or the node of
 *       the DAG step's upstream function (+15), so a call does not pay cross-node hops it does not
 *       need;
 *   <li>then a warm context for the function (+10);
 *   <li>an executor at or over the utilization threshold only if every one is (-100): a saturated
 *       preferred node spills to the others;
 *   <li>among equals, the less loaded, ties rotated by a counter.
 * </ol>
 *
 * Pure: the caller supplies the candidates, the node key sets, the preferred node and a
 * tie-breaking counter.
 */
public final class PlacementPolicy {
  /** Load above which an executor is avoided while another is available. */
  public static final double DEFAULT_MAX_UTILIZATION = 0.9;

  private final double maxUtilization;

  public PlacementPolicy(double maxUtilization) {
    this.maxUtilization = maxUtilization;
  }

  public PlacementPolicy() {
    this(DEFAULT_MAX_UTILIZATION);
  }

  /**
   * The chosen executor, or null when there is none.
   *
   * @param candidates live executors
   * @param versionKey the function version ({@code name@version})
   * @param refKeys keys the call's arguments reference
   * @param cachedKeys which keys a node's cache holds, by node id
   * @param spin a rotating counter for spreading ties
   */
  public ExecutorTable.Entry choose(
      List<ExecutorTable.Entry> candidates,
      String versionKey,
      List<String> refKeys,
      java.util.function.Function<String, Set<String>> cachedKeys,
      long spin) {
    return choose(candidates, versionKey, refKeys, cachedKeys, null, spin);
  }

  /**
   * As {@link #choose(List, String, List, java.util.function.Function, long)}, preferring executors
   * on {@code preferredNode} (null: no preference).
   */
  public ExecutorTable.Entry choose(
      List<ExecutorTable.Entry> candidates,
      String versionKey,
      List<String> refKeys,
      java.util.function.Function<String, Set<String>> cachedKeys,
      String preferredNode,
      long spin) {
    if (candidates.isEmpty()) {
      return null;
    }
    ExecutorTable.Entry best = null;
    double bestScore = Double.NEGATIVE_INFINITY;
    int n = candidates.size();
    int start = (int) Math.floorMod(spin, (long) n);
    for (int i = 0; i < n; i++) {
      ExecutorTable.Entry e = candidates.get((start + i) % n);
      double score = score(e, versionKey, refKeys, cachedKeys, preferredNode);
      if (score > bestScore) {
        best = e;
        bestScore = score;
      }
    }
    return best;
  }

  /**
   * True when placing a call of {@code versionKey} on {@code chosen} replicates a hot function (the
   * paper's policy): some executors hold a warm context for it, every one of them is at or over the
   * utilization threshold, and {@code chosen} holds none, so it creates one. A call that goes to a
   * cold executor while a warm one still has room (e.g. drawn by cached keys) is not a replication,
   * nor is the first context of a version nobody has loaded yet.
   *
   * @param candidates the executors the choice was made from
   */
  public boolean replicates(
      List<ExecutorTable.Entry> candidates, ExecutorTable.Entry chosen, String versionKey) {
    if (chosen == null || chosen.warm().contains(versionKey)) {
      return false;
    }
    boolean anyWarm = false;
    for (ExecutorTable.Entry e : candidates) {
      if (e.warm().contains(versionKey)) {
        if (e.load() < maxUtilization) {
          return false;
        }
        anyWarm = true;
      }
    }
    return anyWarm;
  }

  double score(
      ExecutorTable.Entry e,
      String versionKey,
      List<String> refKeys,
      java.util.function.Function<String, Set<String>> cachedKeys,
      String preferredNode) {
    double load = e.load();
    double score = 0;
    if (load >= maxUtilization) {
      score -= 100; // overloaded: only if every executor is
    }
    if (preferredNode != null && preferredNode.equals(e.nodeId())) {
      score += 15;
    }
    if (e.warm().contains(versionKey)) {
      score += 10;
    }
    if (!refKeys.isEmpty()) {
      Set<String> cached = cachedKeys.apply(e.nodeId());
      int hits = 0;
      for (String k : refKeys) {
        if (cached != null && cached.contains(k)) {
          hits++;
        }
      }
      score += 40.0 * hits / refKeys.size();
    }
    return score - load; // spread: less loaded wins among equals
  }
}
