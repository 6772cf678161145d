package io.cloudburst.cache;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.KeyedSequencer;
import io.cloudburst.bus.CacheView;
import io.cloudburst.bus.PinnedVersions;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Replies;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.Lattices;
import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.CacheRequest;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.KvsRequest;
import io.cloudburst.cache.impl.LruCache;
import io.cloudburst.bus.lattice.CausalLattice;
import io.cloudburst.bus.lattice.MultiKeyCausalLattice;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One node's cache of hot keys, at {@link Addresses#cache} ({@link CacheRequest}), in front of the
 * store at {@link Addresses#KVS}.
 *
 * <ul>
 *   <li>Reads of a held key are answered locally (a hit); a miss reads through from the store,
 *       subscribing this node to the key's updates in the same request, and keeps the answer.
 *       Concurrent misses of one key share one store request.
 *   <li>Writes go to the store and are acknowledged once it has made them durable; the merged
 *       state it answers is then merged in here. A plain-value write ({@link CacheRequest.PutValue})
 *       is built on the newest state this cache has, one write of a key at a time.
 *   <li>Updates the store pushes to {@link Addresses#cacheUpdates} are merged into held keys.
 *   <li>Entries are bounded by bytes (their encoded size), least recently used evicted first; an
 *       evicted key is unsubscribed from the store.
 *   <li>The key set is published to {@link Addresses#CACHE_REPORT} when it changes (at most once
 *       per {@link CacheOptions#reportIntervalMs()}) and every {@link
 *       CacheOptions#fullReportIntervalMs()}, with the hit, miss and eviction counters ({@link
 *       #stats()} gives them too).
 * </ul>
 *
 * All state is confined to the verticle's event loop, except the counters behind {@link #stats()}.
 */
public final class CacheVerticle extends VerticleBase {
  private static final System.Logger log = System.getLogger(CacheVerticle.class.getName());
  /** Bytes counted per entry beyond its encoded lattice and key (map entry, record headers). */
  static final int ENTRY_OVERHEAD = 64;

  private CacheOptions options;
  private DeliveryOptions kvsDelivery;
  private LruCache<Lattice> lru;
  private final Map<String, Load> loading = new HashMap<>();
  /** Store requests in flight per key that carry this node as subscriber. */
  private final Map<String, Integer> inFlight = new HashMap<>();
  /** Writes of plain values, one at a time per key. */
  private final KeyedSequencer sequencer = new KeyedSequencer();
  private final Set<String> toUnsubscribe = new LinkedHashSet<>();
  private boolean unsubscribeScheduled;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private volatile CacheStats snapshot = new CacheStats(0, 0, 0, 0, 0);
  private long reportTimer = -1;
  private long periodicReport = -1;
  /** The executors' read view of the held entries; changed only here, before the reply that follows. */
  private CacheView view;
  private long lastReportAt;
  /** States read by live repeatable-read and causal sessions, pinned by this node's executors. */
  private PinnedVersions pins;
  private long pinSweep = -1;

  /** A read-through in flight: pushed updates that arrive meanwhile are kept and merged in. */
  private static final class Load {
    final Promise<Lattice> promise = Promise.promise();
    Lattice pushed;
    boolean deleted;
  }

  @Override
  public Future<?> start() {
    options = CacheOptions.fromJson(config());
    kvsDelivery = new DeliveryOptions().setSendTimeout(options.kvsTimeoutMs());
    lru = new LruCache<>(options.maxBytes());
    view = CacheView.of(vertx, options.nodeId());
    view.clear();
    pins = PinnedVersions.of(vertx, options.nodeId());
    pins.clear();
    MessageConsumer<CacheRequest> requests = vertx.eventBus().consumer(Addresses.cache(options.nodeId()), this::handle);
    MessageConsumer<CacheEvent> updates = vertx.eventBus().consumer(Addresses.cacheUpdates(options.nodeId()), m -> {
      if (m.body() instanceof CacheEvent.Update u) {
        onUpdate(u);
      }
    });
    periodicReport = vertx.setPeriodic(options.fullReportIntervalMs(), t -> report());
    pinSweep = vertx.setPeriodic(1_000, t -> pins.expire(System.currentTimeMillis()));
    return Future.all(requests.completion(), updates.completion());
  }

  /** Unsubscribes every held key from the store (best effort) so it stops pushing to this node. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(periodicReport);
    vertx.cancelTimer(reportTimer);
    vertx.cancelTimer(pinSweep);
    view.clear();
    pins.clear();
    List<String> held = lru.keys();
    if (held.isEmpty()) {
      return Future.succeededFuture();
    }
    return vertx.eventBus().request(Addresses.KVS, new KvsRequest.Unsubscribe(options.nodeId(), held), kvsDelivery)
        .otherwiseEmpty();
  }

  /** Hits, misses, evictions, bytes and keys; safe to call from any thread. */
  public CacheStats stats() {
    return snapshot;
  }

  private void handle(Message<CacheRequest> m) {
    try {
      switch (m.body()) {
        case CacheRequest.Get g -> {
          checkKey(g.key());
          Lattice held = lru.get(g.key());
          if (held != null) {
            hits.incrementAndGet();
            updateStats();
            m.reply(new KvsReply.Found(g.key(), held));
          } else {
            misses.incrementAndGet();
            updateStats();
            Replies.answer(m, load(List.of(g.key())).map(found -> new KvsReply.Found(g.key(), found.get(g.key()))));
          }
        }
        case CacheRequest.GetMany g -> {
          Map<String, Lattice> found = new LinkedHashMap<>();
          List<String> missing = new ArrayList<>();
          for (String k : g.keys()) {
            checkKey(k);
            Lattice held = lru.get(k);
            if (held != null) {
              found.put(k, held);
            } else if (!missing.contains(k)) {
              missing.add(k);
            }
          }
          hits.addAndGet(found.size());
          misses.addAndGet(missing.size());
          updateStats();
          Replies.answer(m, load(missing).map(loaded -> {
            Map<String, Lattice> all = new LinkedHashMap<>();
            for (String k : g.keys()) {
              Lattice l = found.containsKey(k) ? found.get(k) : loaded.get(k);
              if (l != null) {
                all.put(k, l);
              }
            }
            return new KvsReply.FoundMany(all);
          }));
        }
        case CacheRequest.Put p -> {
          checkKey(p.key());
          if (p.lattice() == null) {
            throw CloudburstException.badRequest("put of '" + p.key() + "' has no lattice");
          }
          Replies.answer(m, put(p.key(), p.lattice()));
        }
        case CacheRequest.PutValue p -> {
          checkKey(p.key());
          Replies.answer(m, serialized(p.key(), () -> base(p.key()).compose(base ->
              put(p.key(), Lattices.write(base, p.kind(), p.value(), options.nodeId(), System.currentTimeMillis())))));
        }
        case CacheRequest.Touch t -> {
          for (String k : t.keys()) {
            lru.get(k); // recency only
          }
          hits.addAndGet(t.hits());
          updateStats();
        }
        case CacheRequest.Delete d -> {
          checkKey(d.key());
          Replies.answer(m, delete(d.key()));
        }
        case CacheRequest.PutCausal p -> {
          checkKey(p.key());
          Replies.answer(m, serialized(p.key(), () -> base(p.key()).compose(base -> put(p.key(), causalWrite(base, p)))));
        }
        case CacheRequest.GetPinned g -> m.reply(new KvsReply.Found(g.key(), pins.get(g.session(), g.key())));
        case CacheRequest.EndSession e -> pins.end(e.session());
      }
    } catch (RuntimeException e) {
      Replies.failed(m, e, log, "cache");
    }
  }

  private static void checkKey(String key) {
    if (key == null || key.isEmpty()) {
      throw CloudburstException.badRequest("key is missing");
    }
  }


  private <T> Future<T> kvs(KvsRequest r, Class<T> reply) {
    return vertx.eventBus().<KvsReply>request(Addresses.KVS, r, kvsDelivery)
        .map(msg -> reply.cast(msg.body()))
        .recover(t -> Future.failedFuture(CloudburstException.from(t)));
  }

  // ---- reads ----

  /** The states of {@code keys} from the store (absent keys left out), sharing loads in flight. */
  private Future<Map<String, Lattice>> load(List<String> keys) {
    Map<String, Future<Lattice>> futures = new LinkedHashMap<>();
    List<String> fresh = new ArrayList<>();
    for (String k : keys) {
      Load l = loading.get(k);
      if (l == null) {
        l = new Load();
        loading.put(k, l);
        track(k);
        fresh.add(k);
      }
      futures.put(k, l.promise.future());
    }
    if (fresh.size() == 1) {
      String k = fresh.getFirst();
      kvs(new KvsRequest.Get(k, options.nodeId()), KvsReply.Found.class)
          .onComplete(ar -> loaded(fresh, ar.map(f -> f.lattice() == null ? Map.of() : Map.of(k, f.lattice()))));
    } else if (!fresh.isEmpty()) {
      kvs(new KvsRequest.GetMany(fresh, options.nodeId()), KvsReply.FoundMany.class)
          .onComplete(ar -> loaded(fresh, ar.map(KvsReply.FoundMany::lattices)));
    }
    return Future.all(new ArrayList<>(futures.values())).map(all -> {
      Map<String, Lattice> out = new LinkedHashMap<>();
      futures.forEach((k, f) -> {
        if (f.result() != null) {
          out.put(k, f.result());
        }
      });
      return out;
    });
  }

  private void loaded(List<String> keys, io.vertx.core.AsyncResult<Map<String, Lattice>> ar) {
    for (String k : keys) {
      Load l = loading.remove(k);
      if (ar.failed()) {
        l.promise.fail(ar.cause());
      } else {
        Lattice read = ar.result().get(k);
        Lattice state = l.pushed == null ? read : read == null ? l.pushed : merge(read, l.pushed);
        if (state != null && !l.deleted) {
          state = install(k, state);
        }
        l.promise.complete(state);
      }
      untrack(k);
    }
  }

  /** The newest state this cache can get for a write: held, else read through (no stats). */
  private Future<Lattice> base(String key) {
    Lattice held = lru.peek(key);
    return held != null ? Future.succeededFuture(held) : load(List.of(key)).map(found -> found.get(key));
  }

  // ---- writes ----

  private Future<KvsReply.Stored> put(String key, Lattice lattice) {
    Lattice held = lru.peek(key);
    if (held != null && held.kind() != lattice.kind()) {
      return Future.failedFuture(Lattices.conflict(held.kind(), lattice.kind()));
    }
    track(key);
    return kvs(new KvsRequest.Put(key, lattice, options.nodeId()), KvsReply.Stored.class)
        .map(stored -> new KvsReply.Stored(key, install(key, stored.lattice())))
        .andThen(ar -> untrack(key));
  }

  /** A causal session's write: a multi-key causal version with its dependencies; other kinds keep their own write. */
  private Lattice causalWrite(Lattice base, CacheRequest.PutCausal p) {
    return switch (base) {
      case null -> MultiKeyCausalLattice.of(
          io.cloudburst.bus.lattice.VectorClock.of(options.nodeId(), 1), p.dependencies(), p.value());
      case MultiKeyCausalLattice mk -> mk.write(options.nodeId(), p.dependencies(), p.value());
      case CausalLattice c -> c.write(options.nodeId(), p.value());
      default -> Lattices.write(base, null, p.value(), options.nodeId(), System.currentTimeMillis());
    };
  }

  private Future<KvsReply.Deleted> delete(String key) {
    track(key);
    return kvs(new KvsRequest.Delete(key), KvsReply.Deleted.class)
        .andThen(ar -> {
          if (ar.succeeded() && lru.remove(key)) {
            view.remove(key);
            changed();
          }
          Load l = loading.get(key);
          if (ar.succeeded() && l != null) {
            l.deleted = true;
          }
          untrack(key);
        });
  }

  private <T> Future<T> serialized(String key, java.util.function.Supplier<Future<T>> work) {
    return sequencer.run(key, work);
  }


  // ---- pushed updates ----

  private void onUpdate(CacheEvent.Update u) {
    Load l = loading.get(u.key());
    if (l != null) {
      if (u.lattice() == null) {
        l.deleted = true;
        l.pushed = null;
      } else {
        l.pushed = l.pushed == null ? u.lattice() : merge(l.pushed, u.lattice());
      }
    } else if (lru.contains(u.key())) {
      if (u.lattice() == null) {
        lru.remove(u.key());
        view.remove(u.key());
        changed();
      } else {
        install(u.key(), u.lattice());
      }
    } else if (u.lattice() != null) {
      // A subscription this cache no longer wants (e.g. a key read as absent, or a race with an eviction).
      unsubscribeLater(u.key());
    }
  }

  /** Merges two states of a key; a state of another kind (the key was deleted and rewritten) wins. */
  private static Lattice merge(Lattice a, Lattice b) {
    return a.kind() == b.kind() ? a.merge(b) : b;
  }

  /** Merges {@code state} into the held entry (or adds it) and returns the key's state now. */
  private Lattice install(String key, Lattice state) {
    Lattice held = lru.peek(key);
    Lattice merged = held == null ? state : merge(held, state);
    long size = merged.encode().length + key.getBytes(StandardCharsets.UTF_8).length + ENTRY_OVERHEAD;
    for (String evicted : lru.put(key, merged, size)) {
      view.remove(evicted);
      unsubscribeLater(evicted);
    }
    if (lru.contains(key)) {
      view.put(key, merged);
    }
    changed();
    return merged;
  }

  // ---- subscriptions ----

  // An Unsubscribe is sent only while no request naming this node as subscriber is in flight
  // for the key: the store then handles it after every such subscription, never before one.
  private void track(String key) {
    inFlight.merge(key, 1, Integer::sum);
  }

  private void untrack(String key) {
    inFlight.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
    unsubscribeLater(key);
  }

  private void unsubscribeLater(String key) {
    toUnsubscribe.add(key);
    if (!unsubscribeScheduled) {
      unsubscribeScheduled = true;
      vertx.runOnContext(v -> flushUnsubscribes());
    }
  }

  private void flushUnsubscribes() {
    unsubscribeScheduled = false;
    List<String> keys = new ArrayList<>();
    for (String k : toUnsubscribe) {
      if (!lru.contains(k) && !inFlight.containsKey(k) && !loading.containsKey(k)) {
        keys.add(k);
      }
    }
    toUnsubscribe.clear();
    if (!keys.isEmpty()) {
      kvs(new KvsRequest.Unsubscribe(options.nodeId(), keys), KvsReply.Ack.class)
          .onFailure(t -> log.log(System.Logger.Level.WARNING, "cache " + options.nodeId() + " could not unsubscribe " + keys.size() + " keys: " + t.getMessage()));
    }
  }

  // ---- reports ----

  private void changed() {
    updateStats();
    if (reportTimer != -1) {
      return;
    }
    long wait = lastReportAt + options.reportIntervalMs() - System.currentTimeMillis();
    if (wait <= 0) {
      // Let changes of the same burst join this report.
      reportTimer = vertx.setTimer(1, t -> report());
    } else {
      reportTimer = vertx.setTimer(wait, t -> report());
    }
  }

  private void report() {
    vertx.cancelTimer(reportTimer);
    reportTimer = -1;
    lastReportAt = System.currentTimeMillis();
    CacheStats s = snapshot;
    vertx.eventBus().publish(Addresses.CACHE_REPORT,
        new CacheEvent.Report(options.nodeId(), lru.keys(), s.bytes(), s.hits(), s.misses(), s.evictions(), lastReportAt));
  }

  private void updateStats() {
    snapshot = new CacheStats(hits.get(), misses.get(), lru.evictions(), lru.bytes(), lru.size());
  }
}
