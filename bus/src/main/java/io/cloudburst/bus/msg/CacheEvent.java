package io.cloudburst.bus.msg;

import io.cloudburst.bus.lattice.Lattice;
import java.util.List;

/** What the store tells the caches, and what the caches tell the scheduler. No replies. */
public sealed interface CacheEvent extends BusMessage {

  /**
   * Pushed by the store to {@link io.cloudburst.bus.Addresses#cacheUpdates} of each node whose
   * cache subscribed to {@code key}: the key's merged state after a put, or null after a delete, at
   * the key's {@code generation} (see {@link KvsRequest}). A state of a higher generation replaces
   * one of a lower; at the same generation states merge, and a value beats a tombstone (it was
   * written onto it).
   */
  record Update(String key, Lattice lattice, long generation) implements CacheEvent {
    /** An update at generation 0. */
    public Update(String key, Lattice lattice) {
      this(key, lattice, 0);
    }
  }

  /**
   * Sent by a cache to {@link io.cloudburst.bus.Addresses#CACHE_REPORT} when its key set changed
   * (at most once per report interval) and periodically: every key it holds, and its counters.
   *
   * @param nodeId the cache's node
   * @param keys every key the cache holds
   * @param bytes the bytes its entries take
   * @param hits reads served locally since start
   * @param misses reads that went to the store since start
   * @param evictions entries evicted to stay within the byte bound since start
   * @param sentAt epoch millis
   */
  record Report(
      String nodeId,
      List<String> keys,
      long bytes,
      long hits,
      long misses,
      long evictions,
      long sentAt)
      implements CacheEvent {
    public Report {
      keys = List.copyOf(keys);
    }
  }
}
