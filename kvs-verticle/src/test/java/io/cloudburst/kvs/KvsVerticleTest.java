package io.cloudburst.kvs;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.codec.CloudburstCodecs;
import io.cloudburst.bus.lattice.CausalLattice;
import io.cloudburst.bus.lattice.CounterLattice;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.lattice.SetLattice;
import io.cloudburst.bus.lattice.VectorClock;
import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.KvsRequest;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The store on a real RocksDB in a temporary directory. */
@ExtendWith(VertxExtension.class)
class KvsVerticleTest {
  private static final DeliveryOptions TIMEOUT = new DeliveryOptions().setSendTimeout(10_000);

  @TempDir Path dir;

  private Vertx vertx;
  private KvsVerticle kvs;
  private String deployment;

  @BeforeEach
  void deploy(VertxTestContext ctx) {
    vertx = Vertx.vertx();
    CloudburstCodecs.register(vertx);
    deployKvs().onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void close(VertxTestContext ctx) {
    vertx.close().onComplete(ctx.succeedingThenComplete());
  }

  private Future<String> deployKvs() {
    kvs = new KvsVerticle();
    JsonObject config =
        new JsonObject()
            .put("dataDir", dir.resolve("kvs").toString())
            .put("nodeId", "n0")
            .put("maxKeyBytes", 64)
            .put("maxValueBytes", 2048);
    return vertx
        .deployVerticle(kvs, new DeploymentOptions().setConfig(config))
        .onSuccess(id -> deployment = id);
  }

  private Future<KvsReply> request(KvsRequest r) {
    return vertx.eventBus().<KvsReply>request(Addresses.KVS, r, TIMEOUT).map(m -> m.body());
  }

  private Future<Lattice> put(String key, Lattice l) {
    return request(new KvsRequest.Put(key, l, null)).map(r -> ((KvsReply.Stored) r).lattice());
  }

  private Future<Lattice> get(String key) {
    return request(new KvsRequest.Get(key, null)).map(r -> ((KvsReply.Found) r).lattice());
  }

  private static ErrorCode code(Throwable t) {
    return ErrorCode.fromFailureCode(((ReplyException) t).failureCode());
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void putOfOlderTimestampDoesNotOverwrite(VertxTestContext ctx) {
    put("k", LwwLattice.of("new", 20, "a"))
        .compose(x -> put("k", LwwLattice.of("old", 10, "z")))
        .compose(
            merged -> {
              ctx.verify(() -> assertThat(merged.value()).isEqualTo("new"));
              return get("k");
            })
        .onComplete(
            ctx.succeeding(
                l ->
                    ctx.verify(
                        () -> {
                          assertThat(l.value()).isEqualTo("new");
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void setCounterAndCausalPutsMerge(VertxTestContext ctx) {
    CausalLattice base = CausalLattice.of(VectorClock.of("a", 1), "v0");
    put("s", SetLattice.of(List.of("x", "y")))
        .compose(x -> put("s", SetLattice.of(List.of("y", "z"))))
        .compose(x -> put("c", CounterLattice.of("a", 2)))
        .compose(x -> put("c", CounterLattice.of("b", 3)))
        .compose(x -> put("c", CounterLattice.of("a", 1)))
        .compose(x -> put("cz", base))
        .compose(x -> put("cz", base.write("a", "va")))
        .compose(x -> put("cz", base.write("b", "vb")))
        .compose(x -> request(new KvsRequest.GetMany(List.of("s", "c", "cz", "absent"), null)))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          Map<String, Lattice> found = ((KvsReply.FoundMany) r).lattices();
                          assertThat(found).containsOnlyKeys("s", "c", "cz");
                          assertThat(found.get("s").value()).isEqualTo(List.of("x", "y", "z"));
                          assertThat(found.get("c").value()).isEqualTo(5L);
                          assertThat(found.get("cz").value()).isEqualTo(List.of("va", "vb"));
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void putOfAnotherKindIsAConflictAndStoresNothing(VertxTestContext ctx) {
    put("k", LwwLattice.of("v", 1, "a"))
        .compose(x -> put("k", SetLattice.of(List.of("x"))))
        .onComplete(
            ctx.failing(
                t -> {
                  ctx.verify(() -> assertThat(code(t)).isEqualTo(ErrorCode.CONFLICT));
                  get("k")
                      .onComplete(
                          ctx.succeeding(
                              l ->
                                  ctx.verify(
                                      () -> {
                                        assertThat(l).isEqualTo(LwwLattice.of("v", 1, "a"));
                                        ctx.completeNow();
                                      })));
                }));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void keysAndValuesOverTheLimitsAreRejected(VertxTestContext ctx) {
    Checkpoint rejected = ctx.checkpoint(3);
    put("k".repeat(65), LwwLattice.of(1L, 1, "a"))
        .onComplete(
            ctx.failing(
                t ->
                    ctx.verify(
                        () -> {
                          assertThat(code(t)).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
                          rejected.flag();
                        })));
    put("big", LwwLattice.of("x".repeat(3000), 1, "a"))
        .onComplete(
            ctx.failing(
                t ->
                    ctx.verify(
                        () -> {
                          assertThat(code(t)).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
                          get("big")
                              .onComplete(
                                  ctx.succeeding(
                                      l ->
                                          ctx.verify(
                                              () -> {
                                                assertThat(l).isNull();
                                                rejected.flag();
                                              })));
                        })));
    // Each put is small, but the merged set would outgrow the limit: the second is refused whole.
    put("grows", SetLattice.of(List.of("a".repeat(1200))))
        .compose(x -> put("grows", SetLattice.of(List.of("b".repeat(1200)))))
        .onComplete(
            ctx.failing(
                t ->
                    ctx.verify(
                        () -> {
                          assertThat(code(t)).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
                          get("grows")
                              .onComplete(
                                  ctx.succeeding(
                                      l ->
                                          ctx.verify(
                                              () -> {
                                                assertThat((List<?>) l.value()).hasSize(1);
                                                rejected.flag();
                                              })));
                        })));
  }

  @Test
  @Timeout(value = 15, timeUnit = TimeUnit.SECONDS)
  void acknowledgedWritesSurviveUndeployAndRedeploy(VertxTestContext ctx) {
    put("k", CounterLattice.of("a", 7))
        .compose(x -> put("gone", LwwLattice.of(1L, 1, "a")))
        .compose(x -> request(new KvsRequest.Delete("gone")))
        .compose(x -> vertx.undeploy(deployment))
        .compose(x -> deployKvs())
        .compose(x -> request(new KvsRequest.GetMany(List.of("k", "gone"), null)))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          Map<String, Lattice> found = ((KvsReply.FoundMany) r).lattices();
                          assertThat(found).containsOnlyKeys("k");
                          assertThat(found.get("k").value()).isEqualTo(7L);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void mergedUpdatesArePushedToSubscribedCaches(VertxTestContext ctx) {
    List<CacheEvent.Update> seen = new ArrayList<>();
    MessageConsumer<CacheEvent> n1 =
        vertx
            .eventBus()
            .consumer(
                Addresses.cacheUpdates("n1"),
                m -> {
                  seen.add((CacheEvent.Update) m.body());
                  if (seen.size() == 2) {
                    ctx.verify(
                        () -> {
                          assertThat(seen.get(0).key()).isEqualTo("s");
                          assertThat(seen.get(0).lattice().value()).isEqualTo(List.of("a", "b"));
                          assertThat(seen.get(1).lattice()).isNull();
                          ctx.completeNow();
                        });
                  }
                });
    n1.completion()
        .compose(x -> put("s", SetLattice.of(List.of("a"))))
        .compose(x -> request(new KvsRequest.Get("s", "n1")))
        .compose(
            found -> {
              ctx.verify(
                  () -> assertThat(((KvsReply.Found) found).value()).isEqualTo(List.of("a")));
              return put("s", SetLattice.of(List.of("b")));
            })
        .compose(x -> request(new KvsRequest.Delete("s")))
        .onFailure(ctx::failNow);
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void unsubscribedCachesGetNoPushes(VertxTestContext ctx) {
    vertx
        .eventBus()
        .consumer(Addresses.cacheUpdates("n2"), m -> ctx.failNow("unexpected push " + m.body()));
    request(new KvsRequest.Subscribe("n2", List.of("k")))
        .compose(x -> request(new KvsRequest.Unsubscribe("n2", List.of("k"))))
        .compose(x -> put("k", LwwLattice.of(1L, 1, "a")))
        // A push would have been sent before the reply to the put; one more round trip to be sure.
        .compose(x -> get("k"))
        .onComplete(ctx.succeeding(x -> ctx.completeNow()));
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void concurrentPutsAreAllMergedInGroupCommits(VertxTestContext ctx) {
    int n = 200;
    long before = kvs.syncedBatches();
    List<Future<Lattice>> puts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      puts.add(put("counter", CounterLattice.of("n" + i, 1)));
      puts.add(put("set", SetLattice.of(List.of((long) i))));
    }
    Future.all(puts)
        .compose(x -> request(new KvsRequest.GetMany(List.of("counter", "set"), null)))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          Map<String, Lattice> found = ((KvsReply.FoundMany) r).lattices();
                          assertThat(found.get("counter").value()).isEqualTo((long) n);
                          assertThat((List<?>) found.get("set").value()).hasSize(n);
                          long batches = kvs.syncedBatches() - before;
                          assertThat(batches).isPositive().isLessThan(n);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void missingKeysAndLatticesAreBadRequests(VertxTestContext ctx) {
    Checkpoint bad = ctx.checkpoint(2);
    request(new KvsRequest.Get("", null))
        .onComplete(
            ctx.failing(
                t ->
                    ctx.verify(
                        () -> {
                          assertThat(code(t)).isEqualTo(ErrorCode.BAD_REQUEST);
                          bad.flag();
                        })));
    request(new KvsRequest.Put("k", null, null))
        .onComplete(
            ctx.failing(
                t ->
                    ctx.verify(
                        () -> {
                          assertThat(code(t)).isEqualTo(ErrorCode.BAD_REQUEST);
                          bad.flag();
                        })));
  }

  // ---- deletes are tombstones ----

  private static final SetLattice ONE_TWO = SetLattice.of(List.of(1L, 2L));

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aPutBasedOnStateFromBeforeADeleteIsRefusedAndStoresNothing(VertxTestContext ctx) {
    request(new KvsRequest.Put("s", ONE_TWO, null))
        .compose(
            stored -> {
              ctx.verify(() -> assertThat(stored).isEqualTo(new KvsReply.Stored("s", ONE_TWO, 0)));
              return request(new KvsRequest.Delete("s"));
            })
        .compose(
            deleted -> {
              ctx.verify(() -> assertThat(deleted).isEqualTo(new KvsReply.Deleted("s", true, 1)));
              // What a cache that read {1,2} before the delete would write back.
              return request(new KvsRequest.Put("s", SetLattice.of(List.of(1L, 2L, 3L)), null, 0));
            })
        .compose(
            stale -> {
              ctx.verify(() -> assertThat(stale).isEqualTo(new KvsReply.Stale("s", 1)));
              return request(new KvsRequest.Get("s", null));
            })
        .compose(
            found -> {
              ctx.verify(() -> assertThat(found).isEqualTo(new KvsReply.Found("s", null, 1)));
              return request(new KvsRequest.Put("s", SetLattice.of(List.of(3L)), null, 1));
            })
        .compose(
            stored -> {
              ctx.verify(
                  () ->
                      assertThat(stored)
                          .isEqualTo(new KvsReply.Stored("s", SetLattice.of(List.of(3L)), 1)));
              return request(new KvsRequest.GetMany(List.of("s"), null));
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          KvsReply.FoundMany found = (KvsReply.FoundMany) r;
                          assertThat(found.lattices())
                              .isEqualTo(Map.of("s", SetLattice.of(List.of(3L))));
                          assertThat(found.generation("s")).isEqualTo(1);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aRawPutAfterADeleteStoresOnlyTheNewLatticeAndDeletesCountGenerations(VertxTestContext ctx) {
    put("s", ONE_TWO)
        .compose(x -> request(new KvsRequest.Delete("s")))
        .compose(x -> request(new KvsRequest.Put("s", SetLattice.of(List.of(3L)), null)))
        .compose(
            stored -> {
              ctx.verify(
                  () ->
                      assertThat(stored)
                          .isEqualTo(new KvsReply.Stored("s", SetLattice.of(List.of(3L)), 1)));
              return request(new KvsRequest.Delete("s"));
            })
        .compose(
            deleted -> {
              ctx.verify(() -> assertThat(deleted).isEqualTo(new KvsReply.Deleted("s", true, 2)));
              return request(new KvsRequest.Delete("s"));
            })
        .compose(
            again -> {
              ctx.verify(
                  () ->
                      assertThat(again)
                          .as("nothing left to delete")
                          .isEqualTo(new KvsReply.Deleted("s", false, 2)));
              return request(new KvsRequest.Delete("never-written"));
            })
        .compose(
            never -> {
              ctx.verify(
                  () ->
                      assertThat(never).isEqualTo(new KvsReply.Deleted("never-written", false, 0)));
              return request(new KvsRequest.GetMany(List.of("s", "never-written"), null));
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          KvsReply.FoundMany found = (KvsReply.FoundMany) r;
                          assertThat(found.lattices()).isEmpty();
                          assertThat(found.generations()).isEqualTo(Map.of("s", 2L));
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void pushedUpdatesCarryTheGeneration(VertxTestContext ctx) {
    List<CacheEvent.Update> seen = new ArrayList<>();
    MessageConsumer<CacheEvent> n1 =
        vertx
            .eventBus()
            .consumer(
                Addresses.cacheUpdates("n1"),
                m -> {
                  seen.add((CacheEvent.Update) m.body());
                  if (seen.size() == 2) {
                    ctx.verify(
                        () -> {
                          assertThat(seen)
                              .containsExactly(
                                  new CacheEvent.Update("g", null, 1),
                                  new CacheEvent.Update("g", SetLattice.of(List.of(3L)), 1));
                          ctx.completeNow();
                        });
                  }
                });
    n1.completion()
        .compose(x -> put("g", ONE_TWO))
        .compose(x -> request(new KvsRequest.Get("g", "n1")))
        .compose(x -> request(new KvsRequest.Delete("g")))
        .compose(x -> request(new KvsRequest.Get("g", "n1")))
        .compose(x -> put("g", SetLattice.of(List.of(3L))))
        .onFailure(ctx::failNow);
  }

  @Test
  @Timeout(value = 15, timeUnit = TimeUnit.SECONDS)
  void aTombstoneSurvivesARestartAndStillRefusesStalePuts(VertxTestContext ctx) {
    put("t", ONE_TWO)
        .compose(x -> request(new KvsRequest.Delete("t")))
        .compose(x -> vertx.undeploy(deployment))
        .compose(x -> deployKvs())
        .compose(x -> request(new KvsRequest.Get("t", null)))
        .compose(
            found -> {
              ctx.verify(() -> assertThat(found).isEqualTo(new KvsReply.Found("t", null, 1)));
              return request(new KvsRequest.Put("t", SetLattice.of(List.of(1L, 2L, 3L)), null, 0));
            })
        .compose(
            stale -> {
              ctx.verify(() -> assertThat(stale).isEqualTo(new KvsReply.Stale("t", 1)));
              return get("t");
            })
        .onComplete(
            ctx.succeeding(
                l ->
                    ctx.verify(
                        () -> {
                          assertThat(l).isNull();
                          ctx.completeNow();
                        })));
  }
}
