package io.cloudburst.runtime.impl;

import io.cloudburst.bus.msg.DagSchedule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One executor's share of one DAG call attempt: the functions placed here, the upstream results
 * that have arrived for each, and which have started and finished. Pure state, confined to the
 * executor's event loop (workers hand results back there).
 */
public final class DagRun {
  private final DagSchedule schedule;
  private final Set<String> local;
  private final Map<String, Map<String, Object>> arrived = new HashMap<>();

  /** Repeatable read and causal: the session each upstream passed on, by function and upstream. */
  private final Map<String, Map<String, io.cloudburst.bus.session.Session>> sessions =
      new HashMap<>();

  /** Atomic calls: the write buffer and read bounds each upstream passed on, by function. */
  private final Map<String, List<Map<String, io.cloudburst.bus.lattice.Lattice>>> writes =
      new HashMap<>();

  private final Map<String, List<Map<String, io.cloudburst.bus.lattice.Lattice>>> bounds =
      new HashMap<>();

  private final Set<String> started = new HashSet<>();
  private final Set<String> finished = new HashSet<>();

  public DagRun(DagSchedule schedule, String address) {
    this.schedule = schedule;
    Set<String> mine = new LinkedHashSet<>();
    schedule
        .placement()
        .forEach(
            (fn, where) -> {
              if (where.equals(address)) {
                mine.add(fn);
              }
            });
    this.local = Collections.unmodifiableSet(mine);
  }

  public DagSchedule schedule() {
    return schedule;
  }

  /** The functions of the call placed on this executor. */
  public Set<String> local() {
    return local;
  }

  /** The local functions with no upstreams: they start at once. */
  public List<String> sources() {
    List<String> out = new ArrayList<>();
    for (String fn : local) {
      if (upstreams(fn).isEmpty()) {
        out.add(fn);
      }
    }
    return out;
  }

  private List<String> upstreams(String fn) {
    return schedule.upstreams().getOrDefault(fn, List.of());
  }

  /**
   * Records the result of {@code from} for {@code fn}; true when {@code fn} now has all its
   * upstream results and has not started yet (the caller starts it).
   */
  public boolean arrive(String fn, String from, Object value) {
    return arrive(fn, from, value, null);
  }

  /**
   * As {@link #arrive(String, String, Object)}, keeping the session the upstream passed on (may be
   * null).
   */
  public boolean arrive(
      String fn, String from, Object value, io.cloudburst.bus.session.Session session) {
    if (!local.contains(fn) || !upstreams(fn).contains(from)) {
      return false;
    }
    if (session != null) {
      sessions.computeIfAbsent(fn, k -> new HashMap<>()).put(from, session);
    }
    Map<String, Object> got = arrived.computeIfAbsent(fn, k -> new HashMap<>());
    got.put(from, value);
    return got.size() == upstreams(fn).size() && !started.contains(fn);
  }

  /**
   * Keeps what upstream {@code from} passed on to {@code fn} in an atomic call: its write buffer
   * and its read-atomic bounds (either may be null).
   */
  public void carried(
      String fn,
      Map<String, io.cloudburst.bus.lattice.Lattice> upstreamWrites,
      Map<String, io.cloudburst.bus.lattice.Lattice> upstreamBounds) {
    if (upstreamWrites != null) {
      writes.computeIfAbsent(fn, k -> new ArrayList<>()).add(upstreamWrites);
    }
    if (upstreamBounds != null) {
      bounds.computeIfAbsent(fn, k -> new ArrayList<>()).add(upstreamBounds);
    }
  }

  /** The write buffers {@code fn}'s upstreams passed on (empty for a source). */
  public List<Map<String, io.cloudburst.bus.lattice.Lattice>> writesFor(String fn) {
    return writes.getOrDefault(fn, List.of());
  }

  /** The read-atomic bounds {@code fn}'s upstreams passed on. */
  public List<Map<String, io.cloudburst.bus.lattice.Lattice>> boundsFor(String fn) {
    return bounds.getOrDefault(fn, List.of());
  }

  /**
   * The step that may run right after {@code fn} on the same worker, or null: {@code fn}'s only
   * downstream, when it is placed here too, has {@code fn} as its only upstream and has not
   * started.
   */
  public String chainable(String fn) {
    List<String> down = downstreams(fn);
    if (down.size() != 1) {
      return null;
    }
    String d = down.get(0);
    return local.contains(d) && upstreams(d).equals(List.of(fn)) && !started.contains(d) ? d : null;
  }

  /** Marks {@code fn} started; false when it already was. */
  public boolean start(String fn) {
    return local.contains(fn) && started.add(fn);
  }

  /**
   * The arguments of {@code fn}: its explicit arguments, then its upstreams' results in the order
   * of the DAG's connections.
   */
  public List<Object> argsFor(String fn) {
    List<Object> args = new ArrayList<>(schedule.args().getOrDefault(fn, List.of()));
    Map<String, Object> got = arrived.getOrDefault(fn, Map.of());
    for (String up : upstreams(fn)) {
      args.add(got.get(up));
    }
    return args;
  }

  /**
   * The sessions {@code fn}'s upstreams passed on, in connection order (empty for a source or in
   * normal mode).
   */
  public List<io.cloudburst.bus.session.Session> sessionsFor(String fn) {
    Map<String, io.cloudburst.bus.session.Session> got = sessions.getOrDefault(fn, Map.of());
    List<io.cloudburst.bus.session.Session> out = new ArrayList<>();
    for (String up : upstreams(fn)) {
      if (got.get(up) != null) {
        out.add(got.get(up));
      }
    }
    return out;
  }

  /** Marks {@code fn} finished; true when every local function has finished. */
  public boolean finish(String fn) {
    finished.add(fn);
    return finished.containsAll(local);
  }

  public boolean isSink(String fn) {
    return schedule.sinks().contains(fn);
  }

  public List<String> downstreams(String fn) {
    return schedule.downstreams().getOrDefault(fn, List.of());
  }
}
