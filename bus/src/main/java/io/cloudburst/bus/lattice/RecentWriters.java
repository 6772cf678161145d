package io.cloudburst.bus.lattice;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The most recent atomic calls (transactions) that wrote a set or counter version, so a reader can
 * tell which transactions a version it read contains (the read-atomic rule, {@link
 * io.cloudburst.bus.txn.ReadAtomic}); a last-writer-wins version names its one writer by its writer
 * id instead. A join semilattice of its own: the join keeps, per transaction, the later time, then
 * the {@link #MAX} entries that are newest by (time, transaction id). Keeping the top of a union is
 * commutative, associative and idempotent because an entry dropped from one side had {@link #MAX}
 * newer entries of other transactions there, each of which the union holds at least as new, so the
 * union drops it too.
 *
 * @param stamps the write time (epoch millis) per transaction id, at most {@link #MAX} entries
 */
public record RecentWriters(Map<String, Long> stamps) {
  /**
   * How many writers a version keeps: a read looks up the commit record of each one it has not met
   * yet, so this bounds that work and the state's growth (about 40 bytes an entry), while covering
   * the atomic calls that write one key while the previous ones' applies are still reaching caches
   * (a few milliseconds each). A writer pushed out by {@code MAX} newer ones no longer binds
   * readers of the versions that follow.
   */
  public static final int MAX = 16;

  /** Tag of the trailing section (encodings before it end after the members or counts). */
  private static final byte SECTION = 1;

  private static final RecentWriters NONE = new RecentWriters(Map.of());

  private static final Comparator<Map.Entry<String, Long>> NEWEST_FIRST =
      Map.Entry.<String, Long>comparingByValue()
          .thenComparing(Map.Entry.comparingByKey())
          .reversed();

  public RecentWriters {
    TreeMap<String, Long> sorted = new TreeMap<>();
    if (stamps != null) {
      stamps.forEach(
          (txn, ts) -> {
            if (txn == null || ts == null) {
              throw new IllegalArgumentException("a writer needs a transaction and a time");
            }
            sorted.put(txn, ts);
          });
    }
    if (sorted.size() > MAX) {
      List<Map.Entry<String, Long>> all = new ArrayList<>(sorted.entrySet());
      all.sort(NEWEST_FIRST);
      for (Map.Entry<String, Long> dropped : all.subList(MAX, all.size())) {
        sorted.remove(dropped.getKey());
      }
    }
    stamps = Collections.unmodifiableMap(sorted);
  }

  /** No writers: a version no atomic call wrote (or whose writers are unknown). */
  public static RecentWriters none() {
    return NONE;
  }

  /** The single writer {@code txn} at {@code timestamp}. */
  public static RecentWriters of(String txn, long timestamp) {
    return new RecentWriters(Map.of(txn, timestamp));
  }

  public boolean isEmpty() {
    return stamps.isEmpty();
  }

  /** The join: per transaction the later time, then the {@link #MAX} newest. */
  public RecentWriters join(RecentWriters other) {
    if (other.stamps.isEmpty() || other.equals(this)) {
      return this;
    }
    if (stamps.isEmpty()) {
      return other;
    }
    TreeMap<String, Long> m = new TreeMap<>(stamps);
    other.stamps.forEach((txn, ts) -> m.merge(txn, ts, Math::max));
    return new RecentWriters(m);
  }

  /** The transaction ids, newest first. */
  public List<String> newestFirst() {
    List<Map.Entry<String, Long>> all = new ArrayList<>(stamps.entrySet());
    all.sort(NEWEST_FIRST);
    List<String> out = new ArrayList<>(all.size());
    for (Map.Entry<String, Long> e : all) {
      out.add(e.getKey());
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Appends the optional trailing section of a set or counter encoding: nothing when empty, so a
   * version no atomic call wrote keeps the encoding it always had.
   */
  void writeTo(LatticeCodec.Out out) {
    if (stamps.isEmpty()) {
      return;
    }
    out.write(SECTION);
    out.unsigned(stamps.size());
    for (Map.Entry<String, Long> e : stamps.entrySet()) {
      out.string(e.getKey());
      out.signed(e.getValue());
    }
  }

  /** Reads what {@link #writeTo} wrote, or none at the end of an encoding that has no section. */
  static RecentWriters readFrom(LatticeCodec.In in) {
    if (in.atEnd()) {
      return NONE;
    }
    byte section = in.read();
    if (section != SECTION) {
      throw new IllegalArgumentException("unknown lattice section " + section);
    }
    int n = in.count();
    Map<String, Long> m = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      m.put(in.string(), in.signed());
    }
    return new RecentWriters(m);
  }
}
