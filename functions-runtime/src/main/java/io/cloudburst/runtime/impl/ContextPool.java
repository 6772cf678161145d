package io.cloudburst.runtime.impl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The executor's contexts: idle contexts per function version (most recently used last), blank
 * spares per language, and a bound on all live contexts (idle, spare, borrowed, and being created).
 * Thread-safe: workers borrow and return, the warmer adds spares, the sweeper retires. Closing a
 * context happens outside the lock; methods hand back the contexts to close.
 */
public final class ContextPool<C extends ContextPool.Pooled> {
  /** What the pool needs of a context. */
  public interface Pooled {
    String language();

    /** The function version it holds ({@code name@version}), or null while blank. */
    String versionKey();

    boolean isDead();

    /** Built on an engine that takes no new contexts: not worth keeping once idle. */
    default boolean isStale() {
      return false;
    }

    /** {@link System#nanoTime()} of its last use. */
    long lastUsed();

    void touch();
  }

  private final int maxContexts;
  private final Map<String, ArrayDeque<C>> idle = new HashMap<>();
  private final Map<String, ArrayDeque<C>> spares = new HashMap<>();
  private int live;
  private final java.util.Set<C> borrowed =
      java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

  public ContextPool(int maxContexts) {
    this.maxContexts = maxContexts;
  }

  /** An idle context holding {@code versionKey}, or null. */
  public synchronized C borrowWarm(String versionKey) {
    ArrayDeque<C> q = idle.get(versionKey);
    C c = q == null ? null : q.pollLast();
    if (c != null) {
      if (q.isEmpty()) {
        idle.remove(versionKey);
      }
      borrowed.add(c);
    }
    return c;
  }

  /** A blank spare of {@code language}, or null. */
  public synchronized C borrowSpare(String language) {
    ArrayDeque<C> q = spares.get(language);
    C c = q == null ? null : q.pollFirst();
    if (c != null) {
      borrowed.add(c);
    }
    return c;
  }

  /**
   * Reserves room for one new context. When the pool is full, the least recently used idle context
   * (of any function; a spare only if nothing else is idle) is evicted to make room and returned in
   * {@code evicted} for the caller to close.
   *
   * @return true when room was reserved (the caller must then {@link #added} or {@link #unreserve})
   */
  public synchronized boolean reserve(List<C> evicted) {
    if (live < maxContexts) {
      live++;
      return true;
    }
    C victim = lruIdle(idle);
    if (victim == null) {
      victim = lruIdle(spares);
    }
    if (victim == null) {
      return false;
    }
    evicted.add(victim); // its slot passes to the caller: live is unchanged
    return true;
  }

  private static <C extends Pooled> C lruIdle(Map<String, ArrayDeque<C>> from) {
    String key = null;
    C oldest = null;
    for (Map.Entry<String, ArrayDeque<C>> e : from.entrySet()) {
      C first = e.getValue().peekFirst();
      if (first != null && (oldest == null || first.lastUsed() < oldest.lastUsed())) {
        oldest = first;
        key = e.getKey();
      }
    }
    if (oldest != null) {
      ArrayDeque<C> q = from.get(key);
      q.pollFirst();
      if (q.isEmpty()) {
        from.remove(key);
      }
    }
    return oldest;
  }

  /** Reserves room for one new context only if the pool has free room (never evicts). */
  public synchronized boolean reserveFree() {
    if (live < maxContexts) {
      live++;
      return true;
    }
    return false;
  }

  /** Gives back a reservation that did not become a context. */
  public synchronized void unreserve() {
    live--;
  }

  /** A newly created context was borrowed straight away (its reservation becomes a borrow). */
  public synchronized void addedBorrowed(C c) {
    borrowed.add(c);
  }

  /** A newly created blank context becomes a spare. */
  public synchronized void addSpare(C c) {
    spares.computeIfAbsent(c.language(), k -> new ArrayDeque<>()).addLast(c);
  }

  /**
   * Returns a borrowed context: pooled as idle when it holds a function and is alive, else dropped.
   */
  public synchronized boolean release(C c) {
    borrowed.remove(c);
    if (c.isDead() || c.versionKey() == null || c.isStale()) {
      live--;
      return false;
    }
    c.touch();
    idle.computeIfAbsent(c.versionKey(), k -> new ArrayDeque<>()).addLast(c);
    return true;
  }

  /** Spares of a language ready now. */
  public synchronized int spareCount(String language) {
    ArrayDeque<C> q = spares.get(language);
    return q == null ? 0 : q.size();
  }

  /** Removes idle contexts unused for {@code idleNanos}; returns them for closing. */
  public synchronized List<C> retireIdle(long now, long idleNanos) {
    List<C> out = new ArrayList<>();
    for (Iterator<ArrayDeque<C>> it = idle.values().iterator(); it.hasNext(); ) {
      ArrayDeque<C> q = it.next();
      while (!q.isEmpty() && now - q.peekFirst().lastUsed() > idleNanos) {
        out.add(q.pollFirst());
        live--;
      }
      if (q.isEmpty()) {
        it.remove();
      }
    }
    return out;
  }

  /** Removes idle and spare contexts built on retired engines; returns them for closing. */
  public synchronized List<C> removeStale() {
    List<C> out = new ArrayList<>();
    for (Map<String, ArrayDeque<C>> from : List.of(idle, spares)) {
      for (Iterator<ArrayDeque<C>> it = from.values().iterator(); it.hasNext(); ) {
        ArrayDeque<C> q = it.next();
        for (Iterator<C> ci = q.iterator(); ci.hasNext(); ) {
          C c = ci.next();
          if (c.isStale()) {
            ci.remove();
            out.add(c);
            live--;
          }
        }
        if (q.isEmpty()) {
          it.remove();
        }
      }
    }
    return out;
  }

  /** Every idle and spare context, removed from the pool (for shutdown). */
  public synchronized List<C> drain() {
    List<C> out = new ArrayList<>();
    idle.values().forEach(out::addAll);
    spares.values().forEach(out::addAll);
    idle.clear();
    spares.clear();
    live -= out.size();
    return out;
  }

  /**
   * The function versions with an idle or busy warm context here ({@code name@version}), sorted.
   */
  public synchronized List<String> warmVersions() {
    TreeSet<String> warm = new TreeSet<>(idle.keySet());
    for (C c : borrowed) {
      String key = c.versionKey();
      if (key != null && !c.isDead()) {
        warm.add(key);
      }
    }
    return new ArrayList<>(warm);
  }

  /** Counts for status and metrics: live, borrowed, idle, spare contexts. */
  public synchronized Map<String, Integer> counts() {
    int idleCount = 0;
    for (ArrayDeque<C> q : idle.values()) {
      idleCount += q.size();
    }
    int spareCount = 0;
    for (ArrayDeque<C> q : spares.values()) {
      spareCount += q.size();
    }
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("live", live);
    m.put("borrowed", borrowed.size());
    m.put("idle", idleCount);
    m.put("spare", spareCount);
    return m;
  }
}
