package io.cloudburst.runtime.impl;

import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.MultiKeyCausalLattice;
import io.cloudburst.bus.lattice.VectorClock;
import io.cloudburst.bus.session.Session;
import io.cloudburst.bus.session.Version;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One invocation's view of its DAG call's session (repeatable read or causal): the versions the
 * call fixed before it (from the triggers), the states this invocation read or wrote itself, and
 * the states to pin in this node's cache before the results go downstream. Pure bookkeeping; the
 * executor decides where to fetch a state from. Used by the one worker thread running the guest.
 *
 * <p>Repeatable read: a key's first read in the call fixes its version; every later read must
 * return that version ({@link #fixed}). Causal: every read must return a state whose clock
 * dominates {@link #required} (the clocks the call read or wrote for the key, joined with the
 * dependencies of every multi-key causal version read); among states that do, a version the call
 * already read is preferred, so reads also repeat unless a dependency forces a newer one.
 */
public final class SessionState {
  private final String id;
  private final boolean causal;
  private final String node;
  private final Map<String, Session.Read> reads;
  private final Map<String, VectorClock> dependencies;

  /** States this invocation read or wrote (no bus trip to read them again). */
  private final Map<String, Lattice> held = new HashMap<>();

  private final Map<String, Lattice> toPin = new LinkedHashMap<>();

  /** The last state whose version was computed (a read asks up to three times about one state). */
  private Lattice memoState;

  private Version memoVersion;

  /**
   * @param upstream the sessions of the triggers that started this invocation (none for a source)
   * @param id the session id (the DAG call attempt)
   * @param causal causal mode, else repeatable read
   * @param node this executor's node id (whose cache pins what this invocation reads)
   */
  public SessionState(List<Session> upstream, String id, boolean causal, String node) {
    Session s = Session.merge(id, causal, upstream);
    this.id = id;
    this.causal = causal;
    this.node = node;
    this.reads = new TreeMap<>(s.reads());
    this.dependencies = new TreeMap<>(s.dependencies());
  }

  public String id() {
    return id;
  }

  public boolean causal() {
    return causal;
  }

  /**
   * The version and pinning node the call fixed for {@code key}, or null when it has not read it.
   */
  public Session.Read fixed(String key) {
    return reads.get(key);
  }

  /** The state this invocation already read or wrote for {@code key}, or null. */
  public Lattice held(String key) {
    return held.get(key);
  }

  /** True when the call already read {@code key} as absent. */
  public boolean fixedAbsent(String key) {
    Session.Read r = reads.get(key);
    return r != null && r.version().equals(Version.ABSENT);
  }

  /** Causal: the clock a state of {@code key} must dominate; empty in repeatable read. */
  public VectorClock required(String key) {
    return dependencies.getOrDefault(key, VectorClock.empty());
  }

  /**
   * True when {@code state} may be returned for {@code key}: repeatable read, when it is the fixed
   * version (or the key is not fixed yet); causal, when its clock dominates what the call requires.
   */
  public boolean acceptable(String key, Lattice state) {
    if (causal) {
      return Version.clockOf(state).dominates(required(key));
    }
    Session.Read r = reads.get(key);
    return r == null || r.version().equals(versionOf(state));
  }

  private Version versionOf(Lattice state) {
    if (state != memoState || memoVersion == null) {
      memoVersion = Version.of(state);
      memoState = state;
    }
    return memoVersion;
  }

  /** True when {@code state} is exactly the version the call fixed for {@code key}. */
  public boolean isFixed(String key, Lattice state) {
    Session.Read r = reads.get(key);
    return r != null && r.version().equals(versionOf(state));
  }

  /**
   * Records that this invocation returned {@code state} (null: absent) for {@code key}: fixes it
   * when it is new to the call (to be pinned in this node's cache), and in causal mode adds its
   * clock and dependencies to what later reads require.
   */
  public void saw(String key, Lattice state) {
    if (state != null) {
      held.put(key, state);
    }
    Version v = versionOf(state);
    Session.Read r = reads.get(key);
    if (r == null || !r.version().equals(v)) {
      reads.put(key, new Session.Read(v, node));
      if (state != null) {
        toPin.put(key, state);
      }
    }
    if (causal) {
      VectorClock c = Version.clockOf(state);
      if (!c.entries().isEmpty()) {
        dependencies.merge(key, c, SessionState::join);
      }
      if (state instanceof MultiKeyCausalLattice mk) {
        for (MultiKeyCausalLattice.Version mv : mk.versions()) {
          mv.dependencies().forEach((k, d) -> dependencies.merge(k, d, SessionState::join));
        }
      }
    }
  }

  /**
   * The join of two clocks, without a new clock when one already dominates the other (the usual
   * case).
   */
  private static VectorClock join(VectorClock a, VectorClock b) {
    return a.dominates(b) ? a : b.dominates(a) ? b : a.merge(b);
  }

  /** Records a write of this invocation: the call's later reads see it (as for {@link #saw}). */
  public void wrote(String key, Lattice stored) {
    held.remove(key);
    reads.remove(key);
    saw(key, stored);
  }

  /** Causal: what a write of {@code key} depends on (everything read so far but the key itself). */
  public Map<String, VectorClock> dependenciesFor(String key) {
    Map<String, VectorClock> out = new TreeMap<>(dependencies);
    out.remove(key);
    return out;
  }

  /** The states to pin in this node's cache since the last call, cleared. */
  public Map<String, Lattice> drainPins() {
    if (toPin.isEmpty()) {
      return Map.of();
    }
    Map<String, Lattice> out = new LinkedHashMap<>(toPin);
    toPin.clear();
    return out;
  }

  /** The session to pass downstream. */
  public Session snapshot() {
    return new Session(id, causal, reads, dependencies);
  }
}
