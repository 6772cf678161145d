package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.msg.ExecutorStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the scheduler knows of every executor: its last status, when it was heard from, and the
 * calls this scheduler has in flight on it (so placement sees load between status reports).
 */
public final class ExecutorTable {
  /** One executor as placement sees it. */
  public record Entry(ExecutorStatus status, long lastSeen, int inFlight, Set<String> warm) {
    public String address() {
      return status.address();
    }

    public String nodeId() {
      return status.nodeId();
    }

    /** Running plus queued calls over threads, counting this scheduler's calls in flight. */
    public double load() {
      int threads = Math.max(1, status.threads());
      return (double) Math.max(inFlight, status.busy() + status.queued()) / threads;
    }
  }

  private final Map<String, Entry> byAddress = new LinkedHashMap<>();
  private final long staleMs;

  public ExecutorTable(long staleMs) {
    this.staleMs = staleMs;
  }

  public void update(ExecutorStatus s, long now) {
    if (s.leaving()) {
      byAddress.remove(s.address());
      return;
    }
    Entry old = byAddress.get(s.address());
    byAddress.put(
        s.address(), new Entry(s, now, old == null ? 0 : old.inFlight(), new HashSet<>(s.warm())));
  }

  /** Records that a call was sent to (delta +1) or returned from (delta -1) an executor. */
  public void inFlight(String address, int delta) {
    Entry e = byAddress.get(address);
    if (e != null) {
      byAddress.put(
          address,
          new Entry(e.status(), e.lastSeen(), Math.max(0, e.inFlight() + delta), e.warm()));
    }
  }

  /** Notes that an executor now holds a warm context for a function version. */
  public void warmed(String address, String versionKey) {
    Entry e = byAddress.get(address);
    if (e != null) {
      e.warm().add(versionKey);
    }
  }

  /** Forgets an executor that stopped answering; returns what was known of it, or null. */
  public Entry remove(String address) {
    return byAddress.remove(address);
  }

  /** True while any executor of the node is known (live or not yet forgotten). */
  public boolean hasNode(String nodeId) {
    for (Entry e : byAddress.values()) {
      if (e.nodeId().equals(nodeId)) {
        return true;
      }
    }
    return false;
  }

  /** Every executor known of a node, live or stale (a node that left: all of them go). */
  public List<Entry> ofNode(String nodeId) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : byAddress.values()) {
      if (e.nodeId().equals(nodeId)) {
        out.add(e);
      }
    }
    return out;
  }

  /** The ids of the nodes with an executor known (live or stale). */
  public Set<String> nodes() {
    Set<String> out = new java.util.TreeSet<>();
    for (Entry e : byAddress.values()) {
      out.add(e.nodeId());
    }
    return out;
  }

  /**
   * Drops the executors silent for longer than {@code goneMs} and returns them: the fallback for an
   * executor (or a whole node) that vanished without saying it leaves. Executors silent for longer
   * than the staleness bound are already no longer placed on ({@link #live}); this forgets them.
   */
  public List<Entry> expire(long now, long goneMs) {
    List<Entry> out = new ArrayList<>();
    for (java.util.Iterator<Entry> it = byAddress.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (now - e.lastSeen() > goneMs) {
        it.remove();
        out.add(e);
      }
    }
    return out;
  }

  /** The executors heard from within the staleness bound. */
  public List<Entry> live(long now) {
    List<Entry> out = new ArrayList<>(byAddress.size());
    for (Entry e : byAddress.values()) {
      if (now - e.lastSeen() <= staleMs) {
        out.add(e);
      }
    }
    return out;
  }

  public int size() {
    return byAddress.size();
  }
}
