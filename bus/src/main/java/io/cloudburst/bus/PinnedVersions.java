package io.cloudburst.bus;

import io.cloudburst.bus.lattice.Lattice;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.HashMap;
import java.util.Map;

/**
 * The exact states that live repeatable-read and causal sessions read on one node, kept apart from
 * the cache (which moves on to newer versions and evicts) until the session's DAG call ends or its
 * deadline passes, so later functions of the call, on any node, can read the same versions.
 *
 * <p>Like {@link CacheView}, a Vert.x local map shared by the node's executors and cache: an
 * executor pins what a function read before its results go downstream, with no event-bus hop (a
 * message per step cost an event-loop wake-up, a quarter of a small DAG call's time); the cache
 * answers other nodes' {@link io.cloudburst.bus.msg.CacheRequest.GetPinned} from it, drops a
 * session at {@link io.cloudburst.bus.msg.CacheRequest.EndSession} and expires the rest.
 */
public final class PinnedVersions {
  /** One session's pinned states (immutable) and its deadline. */
  private record Entry(Map<String, Lattice> versions, long expiresAt) implements Shareable {}

  private final LocalMap<String, Entry> map;

  private PinnedVersions(LocalMap<String, Entry> map) {
    this.map = map;
  }

  /** The pinned versions of {@code nodeId} on this Vert.x instance. */
  public static PinnedVersions of(Vertx vertx, String nodeId) {
    return new PinnedVersions(
        vertx.sharedData().getLocalMap("cloudburst.pinned-versions." + nodeId));
  }

  /**
   * Keeps {@code versions} for {@code session} until {@code expiresAt}; a key pinned before keeps
   * its first state.
   */
  public void pin(String session, Map<String, Lattice> versions, long expiresAt) {
    map.merge(
        session,
        new Entry(Map.copyOf(versions), expiresAt),
        (old, add) -> {
          Map<String, Lattice> all = new HashMap<>(add.versions());
          all.putAll(old.versions());
          return new Entry(Map.copyOf(all), Math.max(old.expiresAt(), add.expiresAt()));
        });
  }

  /** The state {@code session} pinned for {@code key}, or null. */
  public Lattice get(String session, String key) {
    Entry e = map.get(session);
    return e == null ? null : e.versions().get(key);
  }

  /** Drops what {@code session} pinned. */
  public void end(String session) {
    map.remove(session);
  }

  /** Drops every session whose deadline is before {@code now}; returns how many. */
  public int expire(long now) {
    int n = 0;
    for (String s : map.keySet()) {
      Entry e = map.get(s);
      if (e != null && e.expiresAt() < now && map.removeIfPresent(s, e)) {
        n++;
      }
    }
    return n;
  }

  /** Live sessions. */
  public int size() {
    return map.size();
  }

  /** For the cache verticle only (start and stop). */
  public void clear() {
    map.clear();
  }
}
