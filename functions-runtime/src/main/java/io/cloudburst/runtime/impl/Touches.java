package io.cloudburst.runtime.impl;

import io.cloudburst.bus.msg.CacheRequest;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The keys workers served from the cache view since the last report, and how many hits that was;
 * drained periodically into one {@link CacheRequest.Touch} for the cache.
 */
public final class Touches {
  /** Distinct keys kept per report at most; the hit count stays exact beyond it. */
  static final int MAX_KEYS = 10_000;

  private final Set<String> keys = ConcurrentHashMap.newKeySet();
  private final LongAdder hits = new LongAdder();

  public void hit(String key) {
    hits.increment();
    if (keys.size() < MAX_KEYS) {
      keys.add(key);
    }
  }

  /** The touches since the last drain, or null when there were none. */
  public CacheRequest.Touch drain() {
    long n = hits.sumThenReset();
    if (n == 0) {
      return null;
    }
    ArrayList<String> out = new ArrayList<>(keys);
    keys.removeAll(out);
    return new CacheRequest.Touch(out, n);
  }
}
