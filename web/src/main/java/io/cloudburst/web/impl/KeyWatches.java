package io.cloudburst.web.impl;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Keys;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.KvsRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What stands behind the bridges' key addresses ({@link Addresses#apiKeys}): for each key that has
 * listeners, the merged state the web front knows, read from the store under the web front's own
 * subscriber id and kept current from the store's pushed updates. A new listener is told the
 * current state ({@code {"key", "lattice", "value"}}, lattice and value null while absent); each
 * change is published to the key's address; the store is told to stop pushing when the last
 * listener goes. Confined to the web verticle's event loop.
 */
final class KeyWatches {
  private static final System.Logger log = System.getLogger(KeyWatches.class.getName());

  private final Vertx vertx;
  private final String subscriber;
  private final long kvsTimeoutMs;
  private final BridgeListeners listeners;
  private final Map<String, KeyWatch> watches = new HashMap<>();

  /** What the web front knows of one key that bridge clients listen on. */
  private static final class KeyWatch {
    /**
     * The merged state seen so far (from the store's answer and its pushed updates); null while
     * absent.
     */
    Lattice known;

    /** Whether {@link #known} has been read from the store (listeners have been told it). */
    boolean ready;

    /** Bumped by a delete, so an answer read before it is not taken as current. */
    long epoch;

    /** Listeners that registered before the first read came back: told the state once it does. */
    final Set<Object> waiting = Collections.newSetFromMap(new IdentityHashMap<>());
  }

  KeyWatches(Vertx vertx, String subscriber, long kvsTimeoutMs, BridgeListeners listeners) {
    this.vertx = vertx;
    this.subscriber = subscriber;
    this.kvsTimeoutMs = kvsTimeoutMs;
    this.listeners = listeners;
  }

  /**
   * Consumes the store's pushed updates (not local: the store may live on another node of a
   * cluster).
   */
  MessageConsumer<CacheEvent> consumeUpdates() {
    return vertx
        .eventBus()
        .<CacheEvent>consumer(
            Addresses.cacheUpdates(subscriber),
            m -> {
              if (m.body() instanceof CacheEvent.Update u) {
                onUpdate(u.key(), u.lattice());
              }
            });
  }

  /** Tells the store to stop pushing (best effort, no answer awaited). */
  void stop() {
    if (!watches.isEmpty()) {
      vertx
          .eventBus()
          .send(
              Addresses.KVS, new KvsRequest.Unsubscribe(subscriber, List.copyOf(watches.keySet())));
      watches.clear();
    }
  }

  /** A socket listens on {@code address}, the address of {@code key}: tell it the key's state. */
  void registered(Object socket, String address, String key) {
    try {
      Keys.requireUserKey(key);
    } catch (CloudburstException e) {
      Bridges.deliver(socket, address, new JsonObject().put("key", key).put("error", e.toJson()));
      return;
    }
    listeners.add(socket, address);
    KeyWatch w = watches.get(key);
    if (w != null && w.ready) {
      Bridges.deliver(socket, address, ApiJson.key(key, w.known));
      return;
    }
    boolean first = w == null;
    if (first) {
      w = new KeyWatch();
      watches.put(key, w);
    }
    w.waiting.add(socket);
    if (first) {
      read(key, w);
    }
  }

  /** The last listener of {@code key} went: stop watching it. */
  void lastListenerGone(String key) {
    if (watches.remove(key) != null) {
      // Sent after any read that subscribed, so the store handles it after that read.
      kvs(new KvsRequest.Unsubscribe(subscriber, List.of(key)))
          .onFailure(
              t ->
                  log.log(
                      System.Logger.Level.WARNING,
                      "could not unsubscribe the bridges from key '"
                          + key
                          + "': "
                          + t.getMessage()));
    }
  }

  /**
   * Reads the key from the store, subscribing this web front to its updates before the read runs.
   */
  private void read(String key, KeyWatch w) {
    long epoch = w.epoch;
    kvs(new KvsRequest.Get(key, subscriber))
        .onComplete(
            ar -> {
              if (watches.get(key) != w || w.epoch != epoch) {
                return; // nobody listens any more, or a delete came in between (it read again)
              }
              String address = Addresses.apiKeys(key);
              if (ar.failed()) {
                JsonObject error =
                    new JsonObject()
                        .put("key", key)
                        .put("error", CloudburstException.from(ar.cause()).toJson());
                w.waiting.forEach(s -> Bridges.deliver(s, address, error));
                w.waiting.clear();
                return;
              }
              Lattice merged = merge(w.known, ((KvsReply.Found) ar.result()).lattice());
              boolean changed = !Objects.equals(merged, w.known);
              boolean wasReady = w.ready;
              w.known = merged;
              w.ready = true;
              if (changed && wasReady) {
                vertx
                    .eventBus()
                    .publish(address, ApiJson.key(key, merged)); // reaches the waiting ones too
              } else {
                JsonObject current = ApiJson.key(key, merged);
                w.waiting.forEach(s -> Bridges.deliver(s, address, current));
              }
              w.waiting.clear();
            });
  }

  private void onUpdate(String key, Lattice lattice) {
    KeyWatch w = watches.get(key);
    if (w == null) {
      return; // pushed before our unsubscribe reached the store
    }
    String address = Addresses.apiKeys(key);
    if (lattice == null) {
      // Deleted: the store dropped every subscription of the key; subscribe again by reading.
      w.known = null;
      w.epoch++;
      if (w.ready) {
        vertx.eventBus().publish(address, ApiJson.key(key, null));
      }
      read(key, w);
      return;
    }
    Lattice merged = merge(w.known, lattice);
    if (!Objects.equals(merged, w.known)) {
      w.known = merged;
      if (w.ready) {
        vertx.eventBus().publish(address, ApiJson.key(key, merged));
      }
    }
  }

  private static Lattice merge(Lattice known, Lattice other) {
    if (known == null || other == null) {
      return other == null ? known : other;
    }
    try {
      return known.merge(other);
    } catch (CloudburstException e) {
      return other; // another kind: the key was deleted and written anew
    }
  }

  private Future<KvsReply> kvs(KvsRequest req) {
    return vertx
        .eventBus()
        .<KvsReply>request(Addresses.KVS, req, new DeliveryOptions().setSendTimeout(kvsTimeoutMs))
        .map(Message::body);
  }
}
