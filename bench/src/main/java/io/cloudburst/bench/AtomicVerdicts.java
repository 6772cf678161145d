package io.cloudburst.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@link AtomicChecker} concludes from what its readers saw: plain code over the writers'
 * spans, kept apart from the calls that make the workload.
 *
 * <p>A span, per writer stamp: {@code [0]} start and {@code [1]} end (nanoTime; end 0 while
 * running), {@code [2]} end on the wall clock (µs) and {@code [3]} a lower bound of the time of the
 * writer's counter increment on the same clock (µs): what the guest took just before it, or the
 * call's start when it did not say (it failed). Stamp 0, written before any run, has every field
 * {@link Long#MIN_VALUE}.
 */
final class AtomicVerdicts {
  /**
   * A checked reader call.
   *
   * @param head the key read first ({@link AtomicChecker#SET} or {@link AtomicChecker#COUNTER}), or
   *     null for a read of the four last-writer-wins keys only
   * @param values what it read, the head's value first
   */
  record Read(String head, List<?> values) {}

  private final Map<Long, long[]> spans;
  private final long counterBase;

  /**
   * Verdicts over {@code spans}; {@code counterBase} is what the counter held before the first
   * writer's increment.
   */
  AtomicVerdicts(Map<Long, long[]> spans, long counterBase) {
    this.spans = spans;
    this.counterBase = counterBase;
  }

  /**
   * Fractured between the head and a later key: the set's newest member (its latest writer T) or an
   * increment of a writer T, then a later key holding the stamp of a writer that finished before T
   * began. False for a read without a head.
   */
  boolean fracturedByHead(Read r) {
    if (r.head() == null) {
      return false;
    }
    return AtomicChecker.SET.equals(r.head())
        ? fracturedAfter(withNewestMember(r.values()), 0)
        : counterFractured(r.values());
  }

  /** Fractured among the last-writer-wins keys (those after the head, if any). */
  boolean fracturedAfterHead(Read r) {
    List<?> v = r.values();
    return fractured(r.head() == null ? v : v.subList(1, v.size()));
  }

  /** A read of key i by writer T, then of key j > i by a writer that finished before T started. */
  boolean fractured(List<?> s) {
    for (int i = 0; i < s.size(); i++) {
      if (fracturedAfter(s, i)) {
        return true;
      }
    }
    return false;
  }

  private boolean fracturedAfter(List<?> s, int i) {
    long[] ti = spans.get(stamp(s.get(i)));
    for (int j = i + 1; j < s.size(); j++) {
      long[] tj = spans.get(stamp(s.get(j)));
      if (ti != null && tj != null && tj[1] != 0 && tj[1] < ti[0]) {
        return true;
      }
    }
    return false;
  }

  /** A set-first read with the set replaced by its newest member (its latest writer's stamp). */
  private static List<?> withNewestMember(List<?> s) {
    long newest = -1;
    if (s.getFirst() instanceof List<?> members) {
      for (Object m : members) {
        newest = Math.max(newest, stamp(m));
      }
    }
    List<Object> out = new ArrayList<>(s);
    out.set(0, newest);
    return out;
  }

  /**
   * A counter-first read: a later key holds the stamp of a writer U that had finished, while the
   * counter holds more increments (one per writer) than the writers that could have made theirs
   * before U finished: so it holds one of a writer that incremented after U finished and wrote that
   * key after U.
   */
  private boolean counterFractured(List<?> s) {
    if (!(s.getFirst() instanceof Number n)) {
      return false;
    }
    long increments = n.longValue() - counterBase;
    for (int j = 1; j < s.size(); j++) {
      long[] u = spans.get(stamp(s.get(j)));
      if (u == null || u[1] == 0) {
        continue;
      }
      long couldBefore = 0;
      for (long[] w : spans.values()) {
        if (w[3] <= u[2]) {
          couldBefore++;
        }
      }
      if (increments > couldBefore) {
        return true;
      }
    }
    return false;
  }

  /** Whether the read holds a failed writer's stamp, as a value or a set member. */
  boolean partial(Read r, Set<Long> failing) {
    List<?> v = r.values();
    // A counter's total is no stamp.
    List<?> s = AtomicChecker.COUNTER.equals(r.head()) ? v.subList(1, v.size()) : v;
    for (Object x : s) {
      if (x instanceof List<?> members) {
        for (Object m : members) {
          if (failing.contains(stamp(m))) {
            return true;
          }
        }
      } else if (failing.contains(stamp(x))) {
        return true;
      }
    }
    return false;
  }

  private static long stamp(Object v) {
    return v instanceof Number n ? n.longValue() : -1;
  }
}
