package io.cloudburst.scheduler.impl;

/**
 * Ids of calls: {@code <node id>-<start time, base 36>-<n>}. The node id in front says which
 * node's scheduler holds the result.
 */
public final class CallIds {
  private final String prefix;
  private long seq;

  /** Ids of calls started on node {@code nodeId}. */
  public CallIds(String nodeId) {
    this.prefix = nodeId + "-" + Long.toString(System.currentTimeMillis(), 36) + "-";
  }

  /** A new id. */
  public String next() {
    return prefix + (++seq);
  }
}
