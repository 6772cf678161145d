package io.cloudburst.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CacheView;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.codec.CloudburstCodecs;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LatticeKind;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.lattice.SetLattice;
import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.CacheRequest;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.KvsRequest;
import io.cloudburst.kvs.KvsVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A node's cache in front of a real store in the same Vert.x. */
@ExtendWith(VertxExtension.class)
class CacheVerticleTest {
  private static final String NODE = "n1";
  private static final DeliveryOptions TIMEOUT = new DeliveryOptions().setSendTimeout(10_000);

  @TempDir Path dir;

  private Vertx vertx;
  private CacheVerticle cache;
  private KvsVerticle kvs;

  @BeforeEach
  void deploy(VertxTestContext ctx) {
    vertx = Vertx.vertx();
    CloudburstCodecs.register(vertx);
    cache = new CacheVerticle();
    kvs = new KvsVerticle();
    vertx
        .deployVerticle(
            kvs, new DeploymentOptions().setConfig(new JsonObject().put("dataDir", dir.toString())))
        .compose(
            x ->
                vertx.deployVerticle(
                    cache,
                    new DeploymentOptions()
                        .setConfig(
                            new JsonObject()
                                .put("nodeId", NODE)
                                .put("maxBytes", 1000)
                                .put("reportIntervalMs", 50)
                                .put("fullReportIntervalMs", 60_000))))
        .onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void close(VertxTestContext ctx) {
    vertx.close().onComplete(ctx.succeedingThenComplete());
  }

  private Future<KvsReply> cache(CacheRequest r) {
    return vertx.eventBus().<KvsReply>request(Addresses.cache(NODE), r, TIMEOUT).map(m -> m.body());
  }

  private Future<KvsReply> kvs(KvsRequest r) {
    return vertx.eventBus().<KvsReply>request(Addresses.KVS, r, TIMEOUT).map(m -> m.body());
  }

  private Future<Object> cacheGet(String key) {
    return cache(new CacheRequest.Get(key)).map(r -> ((KvsReply.Found) r).value());
  }

  private Future<Lattice> kvsGet(String key) {
    return kvs(new KvsRequest.Get(key, null)).map(r -> ((KvsReply.Found) r).lattice());
  }

  /** Polls {@code probe} every 10 ms until {@code done} holds, failing after {@code maxTries}. */
  private <T> Future<T> eventually(Supplier<Future<T>> probe, Predicate<T> done, int maxTries) {
    Promise<T> p = Promise.promise();
    poll(probe, done, maxTries, p);
    return p.future();
  }

  private <T> void poll(Supplier<Future<T>> probe, Predicate<T> done, int triesLeft, Promise<T> p) {
    probe
        .get()
        .onComplete(
            ar -> {
              if (ar.succeeded() && done.test(ar.result())) {
                p.complete(ar.result());
              } else if (triesLeft <= 1) {
                p.fail(
                    ar.failed()
                        ? ar.cause()
                        : new AssertionError("condition not met, last: " + ar.result()));
              } else {
                vertx.setTimer(10, t -> poll(probe, done, triesLeft - 1, p));
              }
            });
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aMissReadsThroughAndTheNextReadIsAHit(VertxTestContext ctx) {
    kvs(new KvsRequest.Put("k", LwwLattice.of("v", 1, "x"), null))
        .compose(x -> cacheGet("k"))
        .compose(
            v -> {
              ctx.verify(() -> assertThat(v).isEqualTo("v"));
              return cacheGet("k");
            })
        .compose(v -> cacheGet("absent"))
        .onComplete(
            ctx.succeeding(
                v ->
                    ctx.verify(
                        () -> {
                          assertThat(v).isNull();
                          CacheStats s = cache.stats();
                          assertThat(s.hits()).isEqualTo(1);
                          assertThat(s.misses()).isEqualTo(2);
                          assertThat(s.keys()).isEqualTo(1);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aWriteIsInTheStoreWhenItIsAcknowledged(VertxTestContext ctx) {
    cache(new CacheRequest.Put("k", SetLattice.of(List.of("a"))))
        .compose(x -> kvsGet("k"))
        .compose(
            stored -> {
              ctx.verify(() -> assertThat(stored.value()).isEqualTo(List.of("a")));
              return cache(new CacheRequest.PutValue("k", null, "b"));
            })
        .compose(x -> kvsGet("k"))
        .compose(
            stored -> {
              ctx.verify(() -> assertThat(stored.value()).isEqualTo(List.of("a", "b")));
              return cacheGet("k");
            })
        .onComplete(
            ctx.succeeding(
                v ->
                    ctx.verify(
                        () -> {
                          assertThat(v).isEqualTo(List.of("a", "b"));
                          assertThat(cache.stats().hits()).isEqualTo(1);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void concurrentCounterIncrementsThroughTheCacheAreAllCounted(VertxTestContext ctx) {
    List<Future<KvsReply>> puts = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      puts.add(cache(new CacheRequest.PutValue("hits", LatticeKind.COUNTER, 2L)));
    }
    Future.all(puts)
        .compose(x -> kvsGet("hits"))
        .onComplete(
            ctx.succeeding(
                l ->
                    ctx.verify(
                        () -> {
                          assertThat(l.value()).isEqualTo(100L);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aPutOfAnotherKindIsAConflict(VertxTestContext ctx) {
    cache(new CacheRequest.PutValue("k", null, "lww by default"))
        .compose(x -> cache(new CacheRequest.PutValue("k", LatticeKind.SET, "x")))
        .onComplete(
            ctx.failing(
                t ->
                    ctx.verify(
                        () -> {
                          assertThat(ErrorCode.fromFailureCode(((ReplyException) t).failureCode()))
                              .isEqualTo(ErrorCode.CONFLICT);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aWriteToTheStoreFromElsewhereReachesTheCache(VertxTestContext ctx) {
    kvs(new KvsRequest.Put("k", LwwLattice.of("old", 1, "x"), null))
        .compose(x -> cacheGet("k"))
        .compose(x -> kvs(new KvsRequest.Put("k", LwwLattice.of("new", 2, "x"), null)))
        .compose(x -> eventually(() -> cacheGet("k"), "new"::equals, 200))
        .onComplete(
            ctx.succeeding(
                v ->
                    ctx.verify(
                        () -> {
                          // Served from the cache every time after the first read: the new value
                          // was pushed.
                          assertThat(cache.stats().misses()).isEqualTo(1);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aDeleteInTheStoreRemovesTheKeyFromTheCache(VertxTestContext ctx) {
    kvs(new KvsRequest.Put("k", LwwLattice.of("v", 1, "x"), null))
        .compose(x -> cacheGet("k"))
        .compose(x -> kvs(new KvsRequest.Delete("k")))
        .compose(
            x -> eventually(() -> Future.succeededFuture(cache.stats().keys()), n -> n == 0, 200))
        .compose(x -> cacheGet("k"))
        .onComplete(
            ctx.succeeding(
                v ->
                    ctx.verify(
                        () -> {
                          assertThat(v).isNull();
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void entriesAreEvictedByBytesLeastRecentlyUsedFirst(VertxTestContext ctx) {
    // Each entry takes about 64 + 300 bytes; the cache holds 1000.
    String big = "x".repeat(300);
    cache(new CacheRequest.PutValue("a", null, big))
        .compose(x -> cache(new CacheRequest.PutValue("b", null, big)))
        .compose(x -> cacheGet("a"))
        .compose(x -> cache(new CacheRequest.PutValue("c", null, big)))
        .compose(
            x -> {
              ctx.verify(
                  () -> {
                    CacheStats s = cache.stats();
                    assertThat(s.evictions()).isEqualTo(1);
                    assertThat(s.keys()).isEqualTo(2);
                    assertThat(s.bytes()).isLessThanOrEqualTo(1000);
                  });
              long misses = cache.stats().misses();
              // "b" was least recently used: reading it again is a miss, served from the store.
              return cacheGet("b")
                  .map(
                      v -> {
                        ctx.verify(
                            () -> {
                              assertThat(v).isEqualTo(big);
                              assertThat(cache.stats().misses()).isEqualTo(misses + 1);
                            });
                        return v;
                      });
            })
        .onComplete(ctx.succeeding(v -> ctx.completeNow()));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void getManyMixesHitsAndReadThroughs(VertxTestContext ctx) {
    kvs(new KvsRequest.Put("x", LwwLattice.of(1L, 1, "n"), null))
        .compose(x -> kvs(new KvsRequest.Put("y", LwwLattice.of(2L, 1, "n"), null)))
        .compose(x -> cacheGet("x"))
        .compose(x -> cache(new CacheRequest.GetMany(List.of("x", "y", "z"))))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          Map<String, Lattice> found = ((KvsReply.FoundMany) r).lattices();
                          assertThat(found).containsOnlyKeys("x", "y");
                          assertThat(found.get("y").value()).isEqualTo(2L);
                          CacheStats s = cache.stats();
                          assertThat(s.hits()).isEqualTo(1);
                          assertThat(s.misses()).isEqualTo(3);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void theKeySetIsReportedWhenItChanges(VertxTestContext ctx) {
    vertx
        .eventBus()
        .<CacheEvent>consumer(
            Addresses.CACHE_REPORT,
            m -> {
              CacheEvent.Report r = (CacheEvent.Report) m.body();
              if (r.keys().size() == 2) {
                ctx.verify(
                    () -> {
                      assertThat(r.nodeId()).isEqualTo(NODE);
                      assertThat(r.keys()).containsExactlyInAnyOrder("r1", "r2");
                      assertThat(r.misses()).isEqualTo(1);
                      ctx.completeNow();
                    });
              }
            })
        .completion()
        .compose(x -> cache(new CacheRequest.PutValue("r1", null, 1L)))
        .compose(x -> kvs(new KvsRequest.Put("r2", LwwLattice.of(2L, 1, "n"), null)))
        .compose(x -> cacheGet("r2"))
        .onFailure(ctx::failNow);
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void theStorePushesOnlyTheKeysTheCacheHolds(VertxTestContext ctx) {
    String big = "x".repeat(300);
    cache(new CacheRequest.PutValue("a", null, big))
        .compose(x -> cache(new CacheRequest.PutValue("b", null, big)))
        .compose(x -> cache(new CacheRequest.PutValue("c", null, big)))
        .compose(x -> cacheGet("absent"))
        .compose(x -> cache(new CacheRequest.GetMany(List.of("absent2", "a"))))
        // Evictions and absent reads unsubscribe; the store's subscriptions converge on the held
        // keys.
        .compose(
            x ->
                eventually(
                    () -> Future.succeededFuture(kvs.subscriptionCount()),
                    n -> n == cache.stats().keys(),
                    200))
        .onComplete(
            ctx.succeeding(
                n ->
                    ctx.verify(
                        () -> {
                          assertThat(n).isEqualTo(2);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void theReadViewMirrorsHeldEntriesAndTouchesKeepThemRecent(VertxTestContext ctx) {
    CacheView view = CacheView.of(vertx, NODE);
    String big = "x".repeat(300);
    cache(new CacheRequest.PutValue("a", null, big))
        .compose(
            x -> {
              ctx.verify(
                  () ->
                      assertThat(view.get("a").value())
                          .as("visible once acknowledged")
                          .isEqualTo(big));
              return cache(new CacheRequest.PutValue("b", null, big));
            })
        .compose(
            x -> {
              // A reader hit "a" through the view: the touch makes "b" the least recently used.
              vertx
                  .eventBus()
                  .send(Addresses.cache(NODE), new CacheRequest.Touch(java.util.List.of("a"), 5));
              return cache(new CacheRequest.PutValue("c", null, big));
            })
        .compose(
            x ->
                kvs(
                    new KvsRequest.Put(
                        "a", LwwLattice.of("pushed", Long.MAX_VALUE / 2, "x"), null)))
        .compose(
            x ->
                eventually(
                    () -> Future.succeededFuture(view.get("a")),
                    l -> l != null && "pushed".equals(l.value()),
                    200))
        .onComplete(
            ctx.succeeding(
                v ->
                    ctx.verify(
                        () -> {
                          assertThat(view.get("b")).as("evicted entries leave the view").isNull();
                          assertThat(view.get("c")).isNotNull();
                          assertThat(cache.stats().hits()).isGreaterThanOrEqualTo(5);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aPinnedVersionOutlivesNewerWritesUntilItsSessionEnds(VertxTestContext ctx) {
    LwwLattice first = LwwLattice.of("first", 1, "x");
    cache(new CacheRequest.Put("k", first))
        .compose(
            x -> {
              // What an executor of this node does when a session read k.
              io.cloudburst.bus.PinnedVersions.of(vertx, NODE)
                  .pin("call#0", Map.of("k", first), System.currentTimeMillis() + 60_000);
              return cache(new CacheRequest.PutValue("k", null, "second"));
            })
        .compose(x -> cache(new CacheRequest.GetPinned("call#0", "k")))
        .compose(
            pinned -> {
              ctx.verify(() -> assertThat(((KvsReply.Found) pinned).lattice()).isEqualTo(first));
              return cacheGet("k");
            })
        .compose(
            now -> {
              ctx.verify(() -> assertThat(now).isEqualTo("second"));
              vertx.eventBus().send(Addresses.cache(NODE), new CacheRequest.EndSession("call#0"));
              return cache(new CacheRequest.GetPinned("call#0", "k"));
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(((KvsReply.Found) r).lattice()).isNull();
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aCausalWriteFollowsTheHeldVersionAndRecordsItsDependencies(VertxTestContext ctx) {
    var deps = Map.of("x", io.cloudburst.bus.lattice.VectorClock.of("n9", 3));
    cache(new CacheRequest.PutCausal("y", "v1", Map.of()))
        .compose(x -> cache(new CacheRequest.PutCausal("y", "v2", deps)))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          var stored =
                              (io.cloudburst.bus.lattice.MultiKeyCausalLattice)
                                  ((KvsReply.Stored) r).lattice();
                          assertThat(stored.value()).isEqualTo("v2");
                          assertThat(stored.clock())
                              .isEqualTo(io.cloudburst.bus.lattice.VectorClock.of(NODE, 2));
                          assertThat(stored.dependencies()).isEqualTo(deps);
                          ctx.completeNow();
                        })));
  }

  // ---- deletes the cache has not heard of yet ----

  /** Drops the store's pushed deletes to this node's cache, as if they were still on their way. */
  private void holdBackPushedDeletes() {
    vertx
        .eventBus()
        .addInboundInterceptor(
            dc -> {
              if (dc.message().address().equals(Addresses.cacheUpdates(NODE))
                  && dc.body() instanceof CacheEvent.Update u
                  && u.lattice() == null) {
                return;
              }
              dc.next();
            });
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aSetWriteAfterADeleteTheCacheMissedStoresOnlyTheNewMember(VertxTestContext ctx) {
    kvs(new KvsRequest.Put("s", SetLattice.of(List.of(1L, 2L)), null))
        .compose(x -> cacheGet("s"))
        .compose(
            held -> {
              ctx.verify(() -> assertThat(held).isEqualTo(List.of(1L, 2L)));
              holdBackPushedDeletes();
              return kvs(new KvsRequest.Delete("s"));
            })
        .compose(x -> cache(new CacheRequest.PutValue("s", LatticeKind.SET, 3L)))
        .compose(
            stored -> {
              ctx.verify(
                  () ->
                      assertThat(((KvsReply.Stored) stored).lattice().value())
                          .isEqualTo(List.of(3L)));
              return cacheGet("s");
            })
        .compose(
            cached -> {
              ctx.verify(() -> assertThat(cached).isEqualTo(List.of(3L)));
              return kvsGet("s");
            })
        .onComplete(
            ctx.succeeding(
                l ->
                    ctx.verify(
                        () -> {
                          assertThat(l.value()).isEqualTo(List.of(3L));
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aCounterIncrementAfterADeleteTheCacheMissedStartsFromZero(VertxTestContext ctx) {
    cache(new CacheRequest.PutValue("c", LatticeKind.COUNTER, 5L))
        .compose(
            x -> {
              holdBackPushedDeletes();
              return kvs(new KvsRequest.Delete("c"));
            })
        .compose(x -> cache(new CacheRequest.PutValue("c", LatticeKind.COUNTER, 2L)))
        .compose(
            stored -> {
              ctx.verify(
                  () -> assertThat(((KvsReply.Stored) stored).lattice().value()).isEqualTo(2L));
              return kvsGet("c");
            })
        .compose(
            l -> {
              ctx.verify(
                  () -> assertThat(l.value()).as("the old count does not come back").isEqualTo(2L));
              return cacheGet("c");
            })
        .onComplete(
            ctx.succeeding(
                v ->
                    ctx.verify(
                        () -> {
                          assertThat(v).isEqualTo(2L);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void anLwwValueDeletedBehindTheCacheDoesNotComeBack(VertxTestContext ctx) {
    kvs(new KvsRequest.Put("w", LwwLattice.of("old", 100, "x"), null))
        .compose(x -> cacheGet("w"))
        .compose(
            x -> {
              holdBackPushedDeletes();
              return kvs(new KvsRequest.Delete("w"));
            })
        // A lattice written with an older timestamp than the deleted value's: it is the key's value
        // now.
        .compose(x -> cache(new CacheRequest.Put("w", LwwLattice.of("new", 50, "y"))))
        .compose(
            stored -> {
              ctx.verify(
                  () -> assertThat(((KvsReply.Stored) stored).lattice().value()).isEqualTo("new"));
              return cacheGet("w");
            })
        .compose(
            cached -> {
              ctx.verify(() -> assertThat(cached).isEqualTo("new"));
              return kvs(new KvsRequest.Delete("w"));
            })
        .compose(x -> cache(new CacheRequest.PutValue("w", null, "newest")))
        .compose(x -> cacheGet("w"))
        .compose(
            cached -> {
              ctx.verify(() -> assertThat(cached).isEqualTo("newest"));
              return kvsGet("w");
            })
        .onComplete(
            ctx.succeeding(
                l ->
                    ctx.verify(
                        () -> {
                          assertThat(l.value()).isEqualTo("newest");
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aWriteWhoseBaseIsDeletedAgainAndAgainFailsWithConflictAfterBoundedRetries(
      VertxTestContext ctx) {
    List<KvsRequest.Put> based = new ArrayList<>();
    // A store that refuses every write built on a read state, as if the key were deleted each time.
    vertx
        .eventBus()
        .addInboundInterceptor(
            dc -> {
              if (dc.message().address().equals(Addresses.KVS)
                  && dc.body() instanceof KvsRequest.Put p
                  && p.baseGeneration() >= 0) {
                based.add(p);
                dc.message().reply(new KvsReply.Stale(p.key(), p.baseGeneration() + 1));
                return;
              }
              dc.next();
            });
    cache(new CacheRequest.PutValue("x", null, "v"))
        .onComplete(
            ctx.failing(
                t ->
                    ctx.verify(
                        () -> {
                          assertThat(ErrorCode.fromFailureCode(((ReplyException) t).failureCode()))
                              .isEqualTo(ErrorCode.CONFLICT);
                          assertThat(based).hasSize(CacheVerticle.MAX_STALE_RETRIES + 1);
                          kvsGet("x")
                              .onComplete(
                                  ctx.succeeding(
                                      l ->
                                          ctx.verify(
                                              () -> {
                                                assertThat(l).isNull();
                                                ctx.completeNow();
                                              })));
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void readsThroughTheCacheTellTheGenerationOfDeletedKeys(VertxTestContext ctx) {
    kvs(new KvsRequest.Put("d", LwwLattice.of("v", 1, "x"), null))
        .compose(x -> kvs(new KvsRequest.Delete("d")))
        .compose(x -> cache(new CacheRequest.Get("d")))
        .compose(
            found -> {
              ctx.verify(() -> assertThat(found).isEqualTo(new KvsReply.Found("d", null, 1)));
              return cache(new CacheRequest.PutValue("d", null, "again"));
            })
        .compose(x -> cache(new CacheRequest.GetMany(List.of("d", "other"))))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          KvsReply.FoundMany many = (KvsReply.FoundMany) r;
                          assertThat(many.lattices().keySet()).containsExactly("d");
                          assertThat(many.generations()).isEqualTo(Map.of("d", 1L));
                          ctx.completeNow();
                        })));
  }
}
