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
 * spares per language, and a bound on all live contexts (idle, spare, borrowed, and being
 * created). Thread-safe: workers borrow and return, the warmer adds spares, the sweeper retires.
 * Closing a context happens outside the lock; methods hand back the contexts to close.
 */
public final class ContextPool {
  private final int maxContexts;
  private final Map<String, ArrayDeque<GuestContext>> idle = new HashMap<>();
  private final Map<String, ArrayDeque<GuestContext>> spares = new HashMap<>();
  private int live;
  private final java.util.Set<GuestContext> borrowed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

  public ContextPool(int maxContexts) {
    this.maxContexts = maxContexts;
  }

  /** An idle context holding {@code versionKey}, or null. */
  public synchronized GuestContext borrowWarm(String versionKey) {
    ArrayDeque<GuestContext> q = idle.get(versionKey);
    GuestContext c = q == null ? null : q.pollLast();
    if (c != null) {
      if (q.isEmpty()) {
        idle.remove(versionKey);
      }
      borrowed.add(c);
    }
    return c;
  }

  /** A blank spare of {@code language}, or null. */
  public synchronized GuestContext borrowSpare(String language) {
    ArrayDeque<GuestContext> q = spares.get(language);
    GuestContext c = q == null ? null : q.pollFirst();
    if (c != null) {
      borrowed.add(c);
    }
    return c;
  }

  /**
   * Reserves room for one new context. When the pool is full, the least recently used idle
   * context (of any function; a spare only if nothing else is idle) is evicted to make room and
   * returned in {@code evicted} for the caller to close.
   *
   * @return true when room was reserved (the caller must then {@link #added} or {@link #unreserve})
   */
  public synchronized boolean reserve(List<GuestContext> evicted) {
    if (live < maxContexts) {
      live++;
      return true;
    }
    GuestContext victim = lruIdle(idle);
    if (victim == null) {
      victim = lruIdle(spares);
    }
    if (victim == null) {
      return false;
    }
    evicted.add(victim); // its slot passes to the caller: live is unchanged
    return true;
  }

  private static GuestContext lruIdle(Map<String, ArrayDeque<GuestContext>> from) {
    String key = null;
    GuestContext oldest = null;
    for (Map.Entry<String, ArrayDeque<GuestContext>> e : from.entrySet()) {
      GuestContext first = e.getValue().peekFirst();
      if (first != null && (oldest == null || first.lastUsed() < oldest.lastUsed())) {
        oldest = first;
        key = e.getKey();
      }
    }
    if (oldest != null) {
      ArrayDeque<GuestContext> q = from.get(key);
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
  public synchronized void addedBorrowed(GuestContext c) {
    borrowed.add(c);
  }

  /** A newly created blank context becomes a spare. */
  public synchronized void addSpare(GuestContext c) {
    spares.computeIfAbsent(c.language(), k -> new ArrayDeque<>()).addLast(c);
  }

  /** Returns a borrowed context: pooled as idle when it holds a function and is alive, else dropped. */
  public synchronized boolean release(GuestContext c) {
    borrowed.remove(c);
    if (c.isDead() || c.function() == null) {
      live--;
      return false;
    }
    c.touch();
    idle.computeIfAbsent(c.function().versionKey(), k -> new ArrayDeque<>()).addLast(c);
    return true;
  }

  /** Spares of a language ready now. */
  public synchronized int spareCount(String language) {
    ArrayDeque<GuestContext> q = spares.get(language);
    return q == null ? 0 : q.size();
  }

  /** Removes idle contexts unused for {@code idleNanos}; returns them for closing. */
  public synchronized List<GuestContext> retireIdle(long now, long idleNanos) {
    List<GuestContext> out = new ArrayList<>();
    for (Iterator<ArrayDeque<GuestContext>> it = idle.values().iterator(); it.hasNext(); ) {
      ArrayDeque<GuestContext> q = it.next();
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

  /** Drops a closed context whose slot was passed on (evicted) or that was never pooled. */
  public synchronized void forget() {
    live--;
  }

  /** Every idle and spare context, removed from the pool (for shutdown). */
  public synchronized List<GuestContext> drain() {
    List<GuestContext> out = new ArrayList<>();
    idle.values().forEach(out::addAll);
    spares.values().forEach(out::addAll);
    idle.clear();
    spares.clear();
    live -= out.size();
    return out;
  }

  /** The function versions with an idle or busy warm context here ({@code name@version}), sorted. */
  public synchronized List<String> warmVersions() {
    TreeSet<String> warm = new TreeSet<>(idle.keySet());
    for (GuestContext c : borrowed) {
      var f = c.function();
      if (f != null && !c.isDead()) {
        warm.add(f.versionKey());
      }
    }
    return new ArrayList<>(warm);
  }

  /** Counts for status and metrics: live, borrowed, idle, spare contexts. */
  public synchronized Map<String, Integer> counts() {
    int idleCount = 0;
    for (ArrayDeque<GuestContext> q : idle.values()) {
      idleCount += q.size();
    }
    int spareCount = 0;
    for (ArrayDeque<GuestContext> q : spares.values()) {
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
