package io.cloudburst.kvs.impl;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which nodes' caches want pushed updates of which keys. Changed only on the store's event loop;
 * {@link #size()} may be read from any thread.
 */
public final class Subscriptions {
  private final Map<String, Set<String>> nodesByKey = new HashMap<>();
  private volatile int size;

  public void subscribe(String nodeId, Collection<String> keys) {
    for (String k : keys) {
      if (nodesByKey.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(nodeId)) {
        size++;
      }
    }
  }

  public void unsubscribe(String nodeId, Collection<String> keys) {
    for (String k : keys) {
      Set<String> nodes = nodesByKey.get(k);
      if (nodes != null && nodes.remove(nodeId)) {
        size--;
        if (nodes.isEmpty()) {
          nodesByKey.remove(k);
        }
      }
    }
  }

  /** The nodes subscribed to {@code key} (a copy). */
  public Set<String> nodes(String key) {
    Set<String> nodes = nodesByKey.get(key);
    return nodes == null ? Set.of() : Set.copyOf(nodes);
  }

  /** Forgets every subscription of {@code key} and returns the nodes that had one. */
  public Set<String> removeKey(String key) {
    Set<String> nodes = nodesByKey.remove(key);
    if (nodes == null) {
      return Set.of();
    }
    size -= nodes.size();
    return nodes;
  }

  /** How many (key, node) subscriptions there are. */
  public int size() {
    return size;
  }
}
