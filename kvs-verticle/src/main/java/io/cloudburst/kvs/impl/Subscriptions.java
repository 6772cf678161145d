package io.cloudburst.kvs.impl;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** Which nodes' caches want pushed updates of which keys. Confined to the store's event loop. */
public final class Subscriptions {
  private final Map<String, Set<String>> nodesByKey = new HashMap<>();

  public void subscribe(String nodeId, Collection<String> keys) {
    for (String k : keys) {
      nodesByKey.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(nodeId);
    }
  }

  public void unsubscribe(String nodeId, Collection<String> keys) {
    for (String k : keys) {
      Set<String> nodes = nodesByKey.get(k);
      if (nodes != null && nodes.remove(nodeId) && nodes.isEmpty()) {
        nodesByKey.remove(k);
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
    return nodes == null ? Set.of() : nodes;
  }

  /** How many (key, node) subscriptions there are. */
  public int size() {
    int n = 0;
    for (Set<String> s : nodesByKey.values()) {
      n += s.size();
    }
    return n;
  }
}
