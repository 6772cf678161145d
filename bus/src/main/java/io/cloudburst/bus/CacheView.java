package io.cloudburst.bus;

import io.cloudburst.bus.lattice.Lattice;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

/**
 * A node cache's read view: the entries it holds, mirrored by the cache verticle into a Vert.x
 * local map so the executors of the same node serve cache hits without an event-bus round trip (the
 * state issue's goal is a hit in about a microsecond). Only the cache writes it, on its own event
 * loop, before it answers the request that changed an entry, so a function reads its own
 * acknowledged writes. Misses and all writes still go to the cache over the bus; readers report the
 * keys they hit with {@link io.cloudburst.bus.msg.CacheRequest.Touch} so the cache's LRU order and
 * hit count stay true.
 */
public final class CacheView {
  /** An immutable lattice in the shared map. */
  private record Entry(Lattice lattice) implements Shareable {}

  private final LocalMap<String, Entry> map;

  private CacheView(LocalMap<String, Entry> map) {
    this.map = map;
  }

  /** The view of {@code nodeId}'s cache on this Vert.x instance. */
  public static CacheView of(Vertx vertx, String nodeId) {
    return new CacheView(vertx.sharedData().getLocalMap("cloudburst.cache-view." + nodeId));
  }

  /** The held state of a key, or null when the cache does not hold it. */
  public Lattice get(String key) {
    Entry e = map.get(key);
    return e == null ? null : e.lattice();
  }

  /** For the cache verticle only. */
  public void put(String key, Lattice lattice) {
    map.put(key, new Entry(lattice));
  }

  /** For the cache verticle only. */
  public void remove(String key) {
    map.remove(key);
  }

  /** For the cache verticle only. */
  public void clear() {
    map.clear();
  }
}
