package io.cloudburst.scheduler.impl;

import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Which keys each node's cache holds, as its last report said: what placement uses to send a call
 * to the node that already has the keys it references. Each report replaces the node's key set; a
 * node that has not reported for {@code staleMs} counts as caching nothing (its cache may be gone),
 * and {@link #forget} drops a node at once. Pure: the caller supplies the clock.
 */
public final class CachedKeys {
  /** What a report says of the cache besides its keys. */
  public record Figures(long bytes, long hits, long misses, long evictions, long sentAt) {
    public static final Figures NONE = new Figures(0, 0, 0, 0, 0);
  }

  private record Entry(Set<String> keys, Figures figures, long sentAt, long receivedAt) {}

  private final Map<String, Entry> byNode = new HashMap<>();
  private final long staleMs;

  public CachedKeys(long staleMs) {
    this.staleMs = staleMs;
  }

  /**
   * Takes a node's report. A report sent before the one already held is ignored (it was overtaken
   * on the way), unless the one held is stale.
   */
  public void report(String nodeId, Collection<String> keys, long sentAt, long now) {
    report(nodeId, keys, Figures.NONE, sentAt, now);
  }

  /**
   * Takes a node's report with its cache's figures (same rule as {@link #report(String, Collection,
   * long, long)}).
   */
  public void report(
      String nodeId, Collection<String> keys, Figures figures, long sentAt, long now) {
    Entry old = byNode.get(nodeId);
    if (old != null && sentAt < old.sentAt() && !stale(old, now)) {
      return;
    }
    byNode.put(nodeId, new Entry(Set.copyOf(keys), figures, sentAt, now));
  }

  /**
   * The figures of a node's last report; null for a node unknown or silent for longer than the
   * staleness bound.
   */
  public Figures figures(String nodeId, long now) {
    Entry e = byNode.get(nodeId);
    return e == null || stale(e, now) ? null : e.figures();
  }

  /** The nodes whose report still counts. */
  public Set<String> reporting(long now) {
    Set<String> out = new java.util.TreeSet<>();
    byNode.forEach(
        (node, e) -> {
          if (!stale(e, now)) {
            out.add(node);
          }
        });
    return out;
  }

  /**
   * The keys a node's cache holds; empty for a node unknown or silent for longer than the staleness
   * bound.
   */
  public Set<String> keys(String nodeId, long now) {
    Entry e = byNode.get(nodeId);
    return e == null || stale(e, now) ? Set.of() : e.keys();
  }

  /** Drops what a node reported (its executors left). */
  public void forget(String nodeId) {
    byNode.remove(nodeId);
  }

  /**
   * Drops the nodes that have been silent for longer than the staleness bound; returns how many.
   */
  public int expire(long now) {
    int dropped = 0;
    for (Iterator<Entry> it = byNode.values().iterator(); it.hasNext(); ) {
      if (stale(it.next(), now)) {
        it.remove();
        dropped++;
      }
    }
    return dropped;
  }

  /** How many nodes have a report held. */
  public int nodes() {
    return byNode.size();
  }

  private boolean stale(Entry e, long now) {
    return now - e.receivedAt() > staleMs;
  }
}
