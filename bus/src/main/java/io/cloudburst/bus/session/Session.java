package io.cloudburst.bus.session;

import io.cloudburst.bus.lattice.VectorClock;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one DAG call in repeatable-read or causal mode has read (and written) so far; it travels
 * with every {@link io.cloudburst.bus.msg.ExecutorRequest.Trigger} so a later function of the call,
 * on any executor, sees the same versions (repeatable read) or versions at least as new as what the
 * call depends on (causal). Immutable.
 *
 * @param id the session: the DAG call attempt whose reads caches pin ({@code callId})
 * @param causal true in causal mode, false in repeatable-read mode
 * @param reads per key, the version the call fixed and the node whose cache pinned it
 * @param dependencies causal mode: per key, the clock every later read of it must dominate (the
 *     clocks read and written, joined with the dependencies of the versions read); empty otherwise
 */
public record Session(
    String id, boolean causal, Map<String, Read> reads, Map<String, VectorClock> dependencies) {

  /**
   * One key's fixed version.
   *
   * @param version the version read or written
   * @param node the node id of the cache that pinned it ({@link io.cloudburst.bus.Addresses#cache})
   */
  public record Read(Version version, String node) {
    public Read {
      Objects.requireNonNull(version, "version");
      Objects.requireNonNull(node, "node");
    }
  }

  public Session {
    Objects.requireNonNull(id, "id");
    reads = reads == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(reads));
    dependencies =
        dependencies == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(dependencies));
  }

  /** A session that has read nothing yet. */
  public static Session start(String id, boolean causal) {
    return new Session(id, causal, Map.of(), Map.of());
  }

  /**
   * The session of a function with several upstreams: every key read on any path, and the
   * dependencies joined. A key fixed on two paths keeps the first path's version (parallel branches
   * may each have fixed their own first read; the first upstream in connection order wins).
   */
  public static Session merge(String id, boolean causal, List<Session> upstream) {
    TreeMap<String, Read> reads = new TreeMap<>();
    TreeMap<String, VectorClock> deps = new TreeMap<>();
    for (Session s : upstream) {
      if (s == null) {
        continue;
      }
      s.reads.forEach(reads::putIfAbsent);
      s.dependencies.forEach((k, c) -> deps.merge(k, c, VectorClock::merge));
    }
    return new Session(id, causal, reads, deps);
  }
}
