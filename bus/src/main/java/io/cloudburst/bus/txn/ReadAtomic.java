package io.cloudburst.bus.txn;

import io.cloudburst.bus.lattice.Lattice;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The read-atomic rule (AFT) for one reader (one call, across its functions): once the reader has
 * read a version that transaction T wrote, every later read of a key T also wrote returns T's
 * version of it or a newer one, never an older one, so no reader sees part of a transaction.
 *
 * <p>How it decides: a last-writer-wins version written by an atomic call has the transaction's
 * stamp as its writer id; a set or counter version carries its most recent atomic writers, at most
 * {@link io.cloudburst.bus.lattice.RecentWriters#MAX} of them ({@link TxnIds#writersOf}). The first
 * time the reader sees a version of T, it looks up T's commit record (the keys T wrote, with their
 * states) and keeps each as a lower bound. A later read of such a key that returns an older state
 * (T's apply has not reached that cache yet) is answered with the join of the two, which is T's
 * version or newer. A commit record that is gone was applied long ago, so it bounds nothing; nor
 * does a writer that newer ones pushed out of a set's or counter's recent writers. Not thread-safe.
 */
public final class ReadAtomic {
  private final Map<String, Lattice> bounds = new HashMap<>();
  private final Set<String> seen = new HashSet<>();

  /** A reader that has read nothing yet. */
  public ReadAtomic() {}

  /** A reader continuing from the lower bounds of its upstream readers (may be null). */
  public ReadAtomic(Map<String, Lattice> inherited) {
    join(inherited);
  }

  /**
   * What a read of {@code key} returns, given {@code got}, the state the cache gave (null when
   * absent); {@code cowrites} looks up what a transaction wrote (null when its record is gone).
   */
  public Lattice read(String key, Lattice got, Function<String, Map<String, Lattice>> cowrites) {
    Lattice out = got;
    Lattice bound = bounds.get(key);
    if (bound != null) {
      if (got == null) {
        out = bound;
      } else if (got.kind() == bound.kind()) {
        out = got.merge(bound);
      }
    }
    for (String txn : TxnIds.writersOf(out)) {
      if (seen.add(txn)) {
        Map<String, Lattice> wrote = cowrites.apply(txn);
        if (wrote != null) {
          wrote.forEach(
              (k, l) -> {
                if (!k.equals(key)) {
                  bounds.merge(k, l, ReadAtomic::joinSameKind);
                }
              });
        }
      }
    }
    return out;
  }

  /** The lower bounds so far (to pass on to the reader's downstream functions). */
  public Map<String, Lattice> bounds() {
    return Map.copyOf(bounds);
  }

  /** Joins lower bounds another part of the same reader found. */
  public void join(Map<String, Lattice> other) {
    if (other != null) {
      other.forEach((k, l) -> bounds.merge(k, l, ReadAtomic::joinSameKind));
    }
  }

  private static Lattice joinSameKind(Lattice a, Lattice b) {
    return a.kind() == b.kind() ? a.merge(b) : b;
  }
}
