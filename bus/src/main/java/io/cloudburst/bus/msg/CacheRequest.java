package io.cloudburst.bus.msg;

import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LatticeKind;
import java.util.List;

/**
 * Requests to one node's cache at {@link io.cloudburst.bus.Addresses#cache}: what an executor or
 * the web front of that node uses for {@code get} and {@code put}, one local request each. Reads
 * are served from the cache when it holds the key and read through from the store otherwise; writes
 * are acknowledged only once the store has made them durable. Replies are {@link KvsReply}s;
 * failures as for {@link KvsRequest}, plus TIMEOUT when the store does not answer in time.
 */
public sealed interface CacheRequest extends BusMessage {

  /** Reply: {@link KvsReply.Found}, whose lattice is null when the key is absent. */
  record Get(String key) implements CacheRequest {}

  /** Reply: {@link KvsReply.FoundMany} with the keys that are present. */
  record GetMany(List<String> keys) implements CacheRequest {
    public GetMany {
      keys = List.copyOf(keys);
    }
  }

  /** Merges a lattice into the key. Reply: {@link KvsReply.Stored} with the merged state. */
  record Put(String key, Lattice lattice) implements CacheRequest {}

  /**
   * Writes a plain user value as {@link io.cloudburst.bus.lattice.Lattices#write} describes: a
   * last-writer-wins write, a set addition, a counter increment or a new causal version, on top of
   * the newest state the cache has. {@code kind} null means the key's own kind (lww for a new key).
   * Writes of one key through one cache are applied one after another, so concurrent counter
   * increments are never lost. Reply: {@link KvsReply.Stored}.
   */
  record PutValue(String key, LatticeKind kind, Object value) implements CacheRequest {}

  /**
   * Keys a reader served from the {@link io.cloudburst.bus.CacheView} since its last touch, and how
   * many such hits it had: keeps the LRU order and the hit count true. No reply.
   */
  record Touch(List<String> keys, long hits) implements CacheRequest {
    public Touch {
      keys = List.copyOf(keys);
    }
  }

  /** Deletes the key in the store and here. Reply: {@link KvsReply.Deleted}. */
  record Delete(String key) implements CacheRequest {}

  /**
   * A causal-mode write of a plain value: a new {@link
   * io.cloudburst.bus.lattice.MultiKeyCausalLattice} version that follows every version this cache
   * has and records {@code dependencies} (what the writer's session had read); a key of another
   * kind is written as its own kind. Reply: {@link KvsReply.Stored}.
   */
  record PutCausal(
      String key,
      Object value,
      java.util.Map<String, io.cloudburst.bus.lattice.VectorClock> dependencies)
      implements CacheRequest {
    public PutCausal {
      dependencies = dependencies == null ? java.util.Map.of() : java.util.Map.copyOf(dependencies);
    }
  }

  /**
   * Reply: {@link KvsReply.Found} with the state {@code session} pinned for the key on this node
   * ({@link io.cloudburst.bus.PinnedVersions}, where the node's executors pin what a session read),
   * lattice null when none.
   */
  record GetPinned(String session, String key) implements CacheRequest {}

  /** The DAG call {@code session} has ended: drops what it pinned. No reply. */
  record EndSession(String session) implements CacheRequest {}
}
