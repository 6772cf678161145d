package io.cloudburst.runtime.impl;

import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.msg.CacheRequest;
import io.cloudburst.bus.msg.KvsReply;

/**
 * The node's cache as a worker thread reaches it: the cache's read view and the node's pinned
 * session versions (both without a bus hop), and blocking requests to this node's cache or another
 * node's, each bounded by the invocation's deadline. Failures are {@link
 * io.cloudburst.bus.CloudburstException}s.
 */
public interface CacheAccess {
  /** This node's id (whose cache {@link #request} reaches without naming another node). */
  String nodeId();

  /** The state this node's cache holds for {@code key} (its read view), or null. */
  Lattice viewed(String key);

  /**
   * Reports that a state from {@link #viewed} was served, so the cache's LRU order and hit count
   * stay true.
   */
  void touched(String key);

  /** The exact state {@code session} pinned on this node for {@code key}, or null. */
  Lattice pinned(String session, String key);

  /**
   * One request to {@code nodeId}'s cache, blocking the worker at most until the invocation's
   * deadline.
   */
  KvsReply request(String nodeId, CacheRequest request, Invocation inv);
}
