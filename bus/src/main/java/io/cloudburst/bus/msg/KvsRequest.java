package io.cloudburst.bus.msg;

import io.cloudburst.bus.lattice.Lattice;
import java.util.List;

/**
 * Requests to the key-value store at {@link io.cloudburst.bus.Addresses#KVS}. Failures: BAD_REQUEST
 * (missing key), PAYLOAD_TOO_LARGE (key or value over its limit), CONFLICT (a put of another
 * lattice kind), NO_RESOURCES (too many writes queued), INTERNAL (the disk failed).
 *
 * <p>{@code subscriber}, where present, is a node id whose cache holds (or is about to hold) the
 * key(s): the store registers it (before a read runs; when a write is answered), so every later
 * merged update of those keys is pushed to {@link io.cloudburst.bus.Addresses#cacheUpdates} of that
 * node as a {@link CacheEvent.Update}, with no gap after the answer. The subscription stays, even
 * for a key read as absent, until {@link Unsubscribe} or a delete of the key. Null registers
 * nothing.
 *
 * <p><b>Generations.</b> Every key has a generation, 0 until its first delete. A delete keeps a
 * tombstone at the next generation instead of forgetting the key: reads of it are absent (and
 * report its generation), and a write computed from state read before the delete can be told apart
 * and refused ({@link Put#baseGeneration()}), so a delete is never undone by a stale write.
 */
public sealed interface KvsRequest extends BusMessage {

  /**
   * Merges {@code lattice} into what the key holds (or stores it for a new or deleted key). Reply,
   * once the merged state is durable on disk: {@link KvsReply.Stored} with the merged state and the
   * key's generation.
   *
   * @param baseGeneration the generation of the state {@code lattice} was computed from (a cache's
   *     write built on the state it holds or read), or -1 for a lattice that does not derive from a
   *     read state (merged into the key at whatever generation it has). When it is below the key's
   *     generation, the key was deleted after that state was read: nothing is stored and the reply
   *     is {@link KvsReply.Stale}; the writer re-reads and writes again.
   */
  record Put(String key, Lattice lattice, String subscriber, long baseGeneration)
      implements KvsRequest {
    /** A put whose lattice is not derived from a read state (base generation -1). */
    public Put(String key, Lattice lattice, String subscriber) {
      this(key, lattice, subscriber, -1);
    }
  }

  /** Reply: {@link KvsReply.Found}, whose lattice is null when the key is absent (or deleted). */
  record Get(String key, String subscriber) implements KvsRequest {}

  /** Reply: {@link KvsReply.FoundMany} with the keys that are present. */
  record GetMany(List<String> keys, String subscriber) implements KvsRequest {
    public GetMany {
      keys = List.copyOf(keys);
    }
  }

  /**
   * Removes a key's value (not a lattice operation: a later put of any kind starts afresh) by
   * leaving a tombstone at the next generation. Reply, once durable: {@link KvsReply.Deleted}.
   * Subscribers receive an update with a null lattice and the tombstone's generation and are
   * unsubscribed from the key.
   */
  record Delete(String key) implements KvsRequest {}

  /**
   * Registers {@code nodeId}'s cache for pushed updates of {@code keys}. Reply: {@link
   * KvsReply.Ack}.
   */
  record Subscribe(String nodeId, List<String> keys) implements KvsRequest {
    public Subscribe {
      keys = List.copyOf(keys);
    }
  }

  /** Stops pushing updates of {@code keys} to {@code nodeId}. Reply: {@link KvsReply.Ack}. */
  record Unsubscribe(String nodeId, List<String> keys) implements KvsRequest {
    public Unsubscribe {
      keys = List.copyOf(keys);
    }
  }
}
