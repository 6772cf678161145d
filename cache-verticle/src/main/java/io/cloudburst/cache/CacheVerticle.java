// Over 400 lines: every piece of the cache's state (entries, loads, in-flight requests, known
// deletes, subscriptions, reports) is confined to this verticle's event loop and changed together;
// the pure parts live in impl (LruCache, Versioned).
package io.cloudburst.cache;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CacheView;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.KeyedSequencer;
import io.cloudburst.bus.PinnedVersions;
import io.cloudburst.bus.Replies;
import io.cloudburst.bus.lattice.CausalLattice;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.Lattices;
import io.cloudburst.bus.lattice.MultiKeyCausalLattice;
import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.CacheRequest;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.KvsRequest;
import io.cloudburst.cache.impl.LruCache;
import io.cloudburst.cache.impl.Versioned;
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
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One node's cache of hot keys, at {@link Addresses#cache} ({@link CacheRequest}), in front of the
 * store at {@link Addresses#KVS}.
 *
 * <ul>
 *   <li>Reads of a held key are answered locally (a hit); a miss reads through from the store,
 *       subscribing this node to the key's updates in the same request, and keeps the answer.
 *       Concurrent misses of one key share one store request.
 *   <li>Writes go to the store and are acknowledged once it has made them durable; the merged state
 *       it answers is then merged in here. A plain-value write ({@link CacheRequest.PutValue}) is
 *       built on the newest state this cache has, one write of a key at a time.
 *   <li>Every state is held with the key's generation in the store, which a delete raises (see
 *       {@link KvsRequest}); a state of a higher generation replaces one of a lower ({@link
 *       Versioned#combine}). A write built on a held or read state tells the store that state's
 *       generation; when the key was deleted since ({@link KvsReply.Stale}, e.g. the pushed delete
 *       has not arrived yet), the cache drops the entry, reads the key again and rebuilds the
 *       write, at most {@value #MAX_STALE_RETRIES} more times, so a deleted state never comes back
 *       through a write of this cache.
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

  /** Rebuilds of one write whose base was deleted meanwhile, before it fails with CONFLICT. */
  static final int MAX_STALE_RETRIES = 3;

  private CacheOptions options;
  private DeliveryOptions kvsDelivery;
  private LruCache<Versioned> lru;
  private final Map<String, Load> loading = new HashMap<>();

  /** Store requests in flight per key that carry this node as subscriber. */
  private final Map<String, Integer> inFlight = new HashMap<>();

  /**
   * The newest delete generation learned for keys with requests in flight, so an answer read or
   * written before the delete is not installed after it; forgotten with the last request.
   */
  private final Map<String, Long> tombstones = new HashMap<>();

  /** Writes of plain values, one at a time per key. */
  private final KeyedSequencer sequencer = new KeyedSequencer();

  private final Set<String> toUnsubscribe = new LinkedHashSet<>();
  private boolean unsubscribeScheduled;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private volatile CacheStats snapshot = new CacheStats(0, 0, 0, 0, 0);
  private long reportTimer = -1;
  private long periodicReport = -1;

  /**
   * The executors' read view of the held entries; changed only here, before the reply that follows.
   */
  private CacheView view;

  private long lastReportAt;

  /** States read by live repeatable-read and causal sessions, pinned by this node's executors. */
  private PinnedVersions pins;

  private long pinSweep = -1;

  /** A read-through in flight: pushed updates that arrive meanwhile are kept and combined in. */
  private static final class Load {
    final Promise<Versioned> promise = Promise.promise();
    Versioned pushed;
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
    MessageConsumer<CacheRequest> requests =
        vertx.eventBus().consumer(Addresses.cache(options.nodeId()), this::handle);
    MessageConsumer<CacheEvent> updates =
        vertx
            .eventBus()
            .consumer(
                Addresses.cacheUpdates(options.nodeId()),
                m -> {
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
    return vertx
        .eventBus()
        .request(Addresses.KVS, new KvsRequest.Unsubscribe(options.nodeId(), held), kvsDelivery)
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
          Versioned held = lru.get(g.key());
          if (held != null) {
            hits.incrementAndGet();
            updateStats();
            m.reply(new KvsReply.Found(g.key(), held.lattice(), held.generation()));
          } else {
            misses.incrementAndGet();
            updateStats();
            Replies.answer(
                m,
                load(List.of(g.key()))
                    .map(
                        found -> {
                          Versioned v = found.get(g.key());
                          return new KvsReply.Found(g.key(), v.lattice(), v.generation());
                        }));
          }
        }
        case CacheRequest.GetMany g -> {
          Map<String, Versioned> found = new LinkedHashMap<>();
          List<String> missing = new ArrayList<>();
          for (String k : g.keys()) {
            checkKey(k);
            Versioned held = lru.get(k);
            if (held != null) {
              found.put(k, held);
            } else if (!missing.contains(k)) {
              missing.add(k);
            }
          }
          hits.addAndGet(found.size());
          misses.addAndGet(missing.size());
          updateStats();
          Replies.answer(
              m,
              load(missing)
                  .map(
                      loaded -> {
                        Map<String, Lattice> all = new LinkedHashMap<>();
                        Map<String, Long> generations = new LinkedHashMap<>();
                        for (String k : g.keys()) {
                          Versioned v = found.containsKey(k) ? found.get(k) : loaded.get(k);
                          if (v.lattice() != null) {
                            all.put(k, v.lattice());
                          }
                          if (v.generation() != 0) {
                            generations.put(k, v.generation());
                          }
                        }
                        return new KvsReply.FoundMany(all, generations);
                      }));
        }
        case CacheRequest.Put p -> {
          checkKey(p.key());
          if (p.lattice() == null) {
            throw CloudburstException.badRequest("put of '" + p.key() + "' has no lattice");
          }
          Replies.answer(
              m,
              store(p.key(), p.lattice(), -1)
                  .map(
                      reply -> {
                        if (reply instanceof KvsReply.Stored stored) {
                          return stored;
                        }
                        throw CloudburstException.internal(
                            "the store answered a put of '" + p.key() + "' with " + reply);
                      }));
        }
        case CacheRequest.PutValue p -> {
          checkKey(p.key());
          Replies.answer(
              m,
              writeOnBase(
                  p.key(),
                  base ->
                      Lattices.write(
                          base,
                          p.kind(),
                          p.value(),
                          options.nodeId(),
                          System.currentTimeMillis())));
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
          Replies.answer(m, writeOnBase(p.key(), base -> causalWrite(base, p)));
        }
        case CacheRequest.GetPinned g ->
            m.reply(new KvsReply.Found(g.key(), pins.get(g.session(), g.key())));
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
    // A reply of another type fails as INTERNAL (ClassCastException), never goes unanswered.
    return vertx
        .eventBus()
        .<KvsReply>request(Addresses.KVS, r, kvsDelivery)
        .map(msg -> reply.cast(msg.body()))
        .recover(t -> Future.failedFuture(CloudburstException.from(t)));
  }

  // ---- reads ----

  /**
   * The states of {@code keys} from the store (each key present, absent ones as such), sharing
   * loads in flight.
   */
  private Future<Map<String, Versioned>> load(List<String> keys) {
    Map<String, Future<Versioned>> futures = new LinkedHashMap<>();
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
          .onComplete(
              ar ->
                  loaded(
                      fresh, ar.map(f -> Map.of(k, new Versioned(f.lattice(), f.generation())))));
    } else if (!fresh.isEmpty()) {
      kvs(new KvsRequest.GetMany(fresh, options.nodeId()), KvsReply.FoundMany.class)
          .onComplete(
              ar ->
                  loaded(
                      fresh,
                      ar.map(
                          found -> {
                            Map<String, Versioned> out = new LinkedHashMap<>();
                            for (String k : fresh) {
                              out.put(
                                  k, new Versioned(found.lattices().get(k), found.generation(k)));
                            }
                            return out;
                          })));
    }
    return Future.all(new ArrayList<>(futures.values()))
        .map(
            all -> {
              Map<String, Versioned> out = new LinkedHashMap<>();
              futures.forEach((k, f) -> out.put(k, f.result()));
              return out;
            });
  }

  private void loaded(List<String> keys, io.vertx.core.AsyncResult<Map<String, Versioned>> ar) {
    for (String k : keys) {
      Load l = loading.remove(k);
      if (ar.failed()) {
        l.promise.fail(ar.cause());
      } else {
        Versioned state = Versioned.combine(ar.result().get(k), l.pushed);
        l.promise.complete(install(k, state));
      }
      untrack(k);
    }
  }

  /** The newest state this cache can get for a write: held, else read through (no stats). */
  private Future<Versioned> base(String key) {
    Versioned held = lru.peek(key);
    return held != null
        ? Future.succeededFuture(held)
        : load(List.of(key)).map(found -> found.get(key));
  }

  // ---- writes ----

  /**
   * Writes {@code write(base)}, base being the newest state this cache has of the key, one such
   * write of a key at a time; rebuilt on a fresh read when the key was deleted since the base.
   */
  private Future<KvsReply.Stored> writeOnBase(String key, Function<Lattice, Lattice> write) {
    return serialized(key, () -> writeOnBase(key, write, 0));
  }

  private Future<KvsReply.Stored> writeOnBase(
      String key, Function<Lattice, Lattice> write, int retries) {
    return base(key)
        .compose(base -> store(key, write.apply(base.lattice()), base.generation()))
        .compose(
            reply ->
                switch (reply) {
                  case KvsReply.Stored stored -> Future.succeededFuture(stored);
                  // store() dropped the pre-delete entry: base() reads the key afresh.
                  case KvsReply.Stale stale when retries < MAX_STALE_RETRIES ->
                      writeOnBase(key, write, retries + 1);
                  default ->
                      Future.failedFuture(
                          CloudburstException.of(
                              ErrorCode.CONFLICT,
                              "'"
                                  + key
                                  + "' was deleted while each of "
                                  + (retries + 1)
                                  + " writes of it was being made; try again"));
                });
  }

  /**
   * Sends a put based on a state of {@code baseGeneration} (-1: none). Answers the store's {@link
   * KvsReply.Stored}, with its state installed here, or its {@link KvsReply.Stale}, with the held
   * state it was built on dropped.
   */
  private Future<KvsReply> store(String key, Lattice lattice, long baseGeneration) {
    Versioned held = lru.peek(key);
    if (held != null && held.lattice().kind() != lattice.kind()) {
      return Future.failedFuture(Lattices.conflict(held.lattice().kind(), lattice.kind()));
    }
    track(key);
    return kvs(new KvsRequest.Put(key, lattice, options.nodeId(), baseGeneration), KvsReply.class)
        .<KvsReply>map(
            reply ->
                switch (reply) {
                  case KvsReply.Stored s -> {
                    Versioned now = install(key, new Versioned(s.lattice(), s.generation()));
                    // Deleted again already (pushed before this answer): the put's own state is
                    // still its answer.
                    yield new KvsReply.Stored(
                        key, now.lattice() != null ? now.lattice() : s.lattice(), s.generation());
                  }
                  case KvsReply.Stale st -> {
                    noteTombstone(key, st.generation());
                    install(key, Versioned.absent(st.generation()));
                    yield st;
                  }
                  default ->
                      throw CloudburstException.internal(
                          "the store answered a put of '" + key + "' with " + reply);
                })
        .andThen(ar -> untrack(key));
  }

  /**
   * A causal session's write: a multi-key causal version with its dependencies; other kinds keep
   * their own write.
   */
  private Lattice causalWrite(Lattice base, CacheRequest.PutCausal p) {
    return switch (base) {
      case null ->
          MultiKeyCausalLattice.of(
              io.cloudburst.bus.lattice.VectorClock.of(options.nodeId(), 1),
              p.dependencies(),
              p.value());
      case MultiKeyCausalLattice mk -> mk.write(options.nodeId(), p.dependencies(), p.value());
      case CausalLattice c -> c.write(options.nodeId(), p.value());
      default ->
          Lattices.write(base, null, p.value(), options.nodeId(), System.currentTimeMillis());
    };
  }

  private Future<KvsReply.Deleted> delete(String key) {
    track(key);
    return kvs(new KvsRequest.Delete(key), KvsReply.Deleted.class)
        .andThen(
            ar -> {
              if (ar.succeeded()) {
                if (lru.remove(key)) {
                  view.remove(key);
                  changed();
                }
                noteTombstone(key, ar.result().generation());
                Load l = loading.get(key);
                if (l != null) {
                  l.pushed =
                      Versioned.combine(l.pushed, Versioned.absent(ar.result().generation()));
                }
              }
              untrack(key);
            });
  }

  private <T> Future<T> serialized(String key, Supplier<Future<T>> work) {
    return sequencer.run(key, work);
  }

  // ---- pushed updates ----

  private void onUpdate(CacheEvent.Update u) {
    Versioned v = new Versioned(u.lattice(), u.generation());
    if (u.lattice() == null) {
      noteTombstone(u.key(), u.generation());
    }
    Load l = loading.get(u.key());
    if (l != null) {
      l.pushed = Versioned.combine(l.pushed, v);
    } else if (lru.contains(u.key())) {
      install(u.key(), v);
    } else if (u.lattice() != null) {
      // A subscription this cache no longer wants (e.g. a key read as absent, or a race with an
      // eviction).
      unsubscribeLater(u.key());
    }
  }

  /**
   * Combines {@code state} with the held entry (and any delete learned meanwhile) and keeps the
   * result: held when it is a value, dropped when it is a tombstone. Returns the key's state now.
   */
  private Versioned install(String key, Versioned state) {
    Versioned merged = withTombstone(key, Versioned.combine(lru.peek(key), state));
    if (merged.lattice() == null) {
      if (lru.remove(key)) {
        view.remove(key);
        changed();
      }
      return merged;
    }
    long size =
        merged.lattice().encode().length
            + key.getBytes(StandardCharsets.UTF_8).length
            + ENTRY_OVERHEAD;
    for (String evicted : lru.put(key, merged, size)) {
      view.remove(evicted);
      unsubscribeLater(evicted);
    }
    if (lru.contains(key)) {
      view.put(key, merged.lattice());
    }
    changed();
    return merged;
  }

  private Versioned withTombstone(String key, Versioned state) {
    Long deleted = tombstones.get(key);
    return deleted == null ? state : Versioned.combine(state, Versioned.absent(deleted));
  }

  /** Remembers a delete of a key with requests in flight, whose answers may predate it. */
  private void noteTombstone(String key, long generation) {
    if (inFlight.containsKey(key)) {
      tombstones.merge(key, generation, Math::max);
    }
  }

  // ---- subscriptions ----

  // An Unsubscribe is sent only while no request naming this node as subscriber is in flight
  // for the key: the store then handles it after every such subscription, never before one.
  private void track(String key) {
    inFlight.merge(key, 1, Integer::sum);
  }

  private void untrack(String key) {
    if (inFlight.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1) == null) {
      tombstones.remove(key);
    }
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
          .onFailure(
              t ->
                  log.log(
                      System.Logger.Level.WARNING,
                      "cache "
                          + options.nodeId()
                          + " could not unsubscribe "
                          + keys.size()
                          + " keys: "
                          + t.getMessage()));
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
    vertx
        .eventBus()
        .publish(
            Addresses.CACHE_REPORT,
            new CacheEvent.Report(
                options.nodeId(),
                lru.keys(),
                s.bytes(),
                s.hits(),
                s.misses(),
                s.evictions(),
                lastReportAt));
  }

  private void updateStats() {
    snapshot = new CacheStats(hits.get(), misses.get(), lru.evictions(), lru.bytes(), lru.size());
  }
}
