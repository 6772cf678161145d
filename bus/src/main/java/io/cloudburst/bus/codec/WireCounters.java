package io.cloudburst.bus.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many bus records this JVM wrote for another node, and how many bytes, per record type:
 * counted in the codecs' wire encoding, which only a hop to another node uses (a local hop passes
 * the record itself). Bytes are the encoded record's, not Vert.x's envelope (address, headers).
 * Process-wide: one node per JVM, as nodes run; several nodes in one test JVM share the counts.
 */
public final class WireCounters {
  private static final Map<Class<?>, LongAdder[]> COUNTS = new ConcurrentHashMap<>();

  private WireCounters() {}

  static void count(Class<?> type, int bytes) {
    LongAdder[] c =
        COUNTS.computeIfAbsent(type, t -> new LongAdder[] {new LongAdder(), new LongAdder()});
    c[0].increment();
    c[1].add(bytes);
  }

  /** Records of {@code type} written for another node so far. */
  public static long messages(Class<?> type) {
    LongAdder[] c = COUNTS.get(type);
    return c == null ? 0 : c[0].sum();
  }

  /** Encoded bytes of the records of {@code type} written for another node so far. */
  public static long bytes(Class<?> type) {
    LongAdder[] c = COUNTS.get(type);
    return c == null ? 0 : c[1].sum();
  }

  /** Every concrete record type of every bus family (what {@link #messages} may count). */
  public static List<Class<?>> recordTypes() {
    List<Class<?>> out = new ArrayList<>();
    for (Class<?> family : CloudburstCodecs.families()) {
      collect(family, out);
    }
    return out;
  }

  private static void collect(Class<?> type, List<Class<?>> out) {
    if (type.isSealed()) {
      for (Class<?> sub : type.getPermittedSubclasses()) {
        collect(sub, out);
      }
    } else if (type.isRecord() && !out.contains(type)) {
      out.add(type);
    }
  }
}
