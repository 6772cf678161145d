package io.cloudburst.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.codec.CloudburstCodecs;
import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.msg.ExecutorStatus;
import io.cloudburst.bus.msg.SchedulerReply;
import io.cloudburst.bus.msg.SchedulerReply.DagInfo;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.cloudburst.bus.value.Ref;
import io.cloudburst.kvs.KvsVerticle;
import io.cloudburst.scheduler.impl.KvsRegistryStore;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two schedulers of different nodes on one local Vert.x, sharing one key-value store, as the
 * schedulers of a cluster share the cluster-wide store: shared registries, results asked of the
 * node that holds them, a node that leaves, hot-function replication. Each scheduler is reached at
 * its own {@link Addresses#scheduler} address (the node-local one would be shared here).
 */
@ExtendWith(VertxExtension.class)
class SchedulerClusterTest {
  /** Node ids with '-' in them, as call ids are prefixed with the node id and '-'. */
  private static final String N1 = "n1";

  private static final String N2 = "n2-x";
  private static final DeliveryOptions TIMEOUT = new DeliveryOptions().setSendTimeout(10_000);

  @TempDir Path dir;

  private Vertx vertx;
  private final List<String> executedOn = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    CloudburstCodecs.register(vertx);
  }

  @AfterEach
  void close(VertxTestContext ctx) {
    vertx.close().onComplete(ctx.succeedingThenComplete());
  }

  private Future<Void> deployStore() {
    return vertx
        .deployVerticle(
            new KvsVerticle(),
            new DeploymentOptions()
                .setConfig(
                    new JsonObject()
                        .put("dataDir", dir.resolve("kvs").toString())
                        .put("nodeId", "store")))
        .mapEmpty();
  }

  private Future<Void> deployScheduler(String node, JsonObject extra) {
    return vertx
        .deployVerticle(
            new SchedulerVerticle(),
            new DeploymentOptions()
                .setConfig(
                    new JsonObject().put("nodeId", node).put("kvsTimeoutMs", 5_000).mergeIn(extra)))
        .mapEmpty();
  }

  /** The store and the schedulers of both nodes. */
  private Future<Void> deployBoth() {
    return deployStore()
        .compose(v -> deployScheduler(N1, new JsonObject()))
        .compose(v -> deployScheduler(N2, new JsonObject()));
  }

  /**
   * A fake executor that squares its first argument (null for a reference), or never answers calls
   * when {@code silent}; its status is published, as real executors do, so every scheduler sees it.
   */
  private Future<Void> fakeExecutor(String node, String address, boolean silent) {
    var c =
        vertx
            .eventBus()
            .<ExecutorRequest>consumer(
                address,
                m -> {
                  switch (m.body()) {
                    case ExecutorRequest.Validate v -> m.reply(v.function());
                    case ExecutorRequest.Execute e -> {
                      executedOn.add(address);
                      if (!silent) {
                        Object square = e.args().get(0) instanceof Long x ? (Object) (x * x) : null;
                        m.reply(
                            CallResult.done(
                                e.callId(), e.function().name(), square, "", address, 1));
                      }
                    }
                    default -> m.reply(new SchedulerReply.Ack());
                  }
                });
    return c.completion()
        .map(
            v -> {
              announce(node, address, 0, List.of());
              return null;
            });
  }

  private void announce(String node, String address, int busy, List<String> warm) {
    vertx
        .eventBus()
        .publish(
            Addresses.EXECUTOR_STATUS,
            new ExecutorStatus(node, address, 2, busy, 0, warm, System.currentTimeMillis(), false));
  }

  private Future<SchedulerReply> ask(String node, SchedulerRequest r) {
    return vertx
        .eventBus()
        .<SchedulerReply>request(Addresses.scheduler(node), r, TIMEOUT)
        .map(Message::body)
        .recover(t -> Future.failedFuture(CloudburstException.from(t)));
  }

  private Future<FunctionInfo> register(String node, String name, String source) {
    return ask(node, new SchedulerRequest.RegisterFunction(name, "python", source, null))
        .map(FunctionInfo.class::cast);
  }

  private Future<CallResult> invoke(String node, String name, Object arg, long timeoutMs) {
    return ask(
            node,
            SchedulerRequest.InvokeFunction.builder(name)
                .args(java.util.Arrays.asList(arg))
                .timeoutMs(timeoutMs)
                .build())
        .map(CallResult.class::cast);
  }

  private Future<List<String>> current(String node) {
    return ask(node, new SchedulerRequest.ListFunctions())
        .map(
            r ->
                ((SchedulerReply.FunctionList) r)
                    .functions().stream().map(FunctionInfo::versionKey).toList());
  }

  private Future<List<String>> dagNames(String node) {
    return ask(node, new SchedulerRequest.ListDags())
        .map(r -> ((SchedulerReply.DagList) r).dags().stream().map(DagInfo::name).toList());
  }

  private static ErrorCode code(Throwable t) {
    return CloudburstException.from(t).code();
  }

  /**
   * Completes once {@code probe} yields {@code expected}, asking every 20 ms; fails after {@code
   * timeoutMs}.
   */
  private <T> Future<T> eventually(Supplier<Future<T>> probe, T expected, long timeoutMs) {
    Promise<T> p = Promise.promise();
    long deadline = System.currentTimeMillis() + timeoutMs;
    poll(probe, expected, deadline, p);
    return p.future();
  }

  private <T> void poll(Supplier<Future<T>> probe, T expected, long deadline, Promise<T> p) {
    probe
        .get()
        .onComplete(
            ar -> {
              if (ar.succeeded() && expected.equals(ar.result())) {
                p.complete(ar.result());
              } else if (System.currentTimeMillis() > deadline) {
                p.fail(
                    "expected "
                        + expected
                        + ", last saw "
                        + (ar.succeeded() ? ar.result() : ar.cause()));
              } else {
                vertx.setTimer(20, t -> poll(probe, expected, deadline, p));
              }
            });
  }

  // ---- shared registries ----

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void registryChangesOnOneNodeReachTheOther(VertxTestContext ctx) {
    deployBoth()
        .compose(v -> fakeExecutor(N1, "e1", false))
        .compose(v -> register(N1, "sq", "def sq(cb, x): return x * x"))
        // Listing does not read the store on a miss: only the notice can bring sq to n2.
        .compose(f -> eventually(() -> current(N2), List.of("sq@1"), 5_000))
        .compose(l -> register(N2, "sq", "def sq(cb, x): return x ** 2"))
        .compose(
            f2 -> {
              ctx.verify(() -> assertThat(f2.version()).isEqualTo(2));
              return eventually(() -> current(N1), List.of("sq@2"), 5_000);
            })
        .compose(l -> ask(N1, new SchedulerRequest.RegisterDag("d", List.of("sq"), List.of())))
        .compose(d -> eventually(() -> dagNames(N2), List.of("d"), 5_000))
        .compose(
            l ->
                ask(N2, new SchedulerRequest.RegisterDag("d", List.of("sq"), List.of()))
                    .transform(Future::succeededFuture))
        .compose(
            dup -> {
              ctx.verify(
                  () -> assertThat(code(dup.cause())).isEqualTo(ErrorCode.DAG_ALREADY_EXISTS));
              return ask(N2, new SchedulerRequest.DeleteDag("d"));
            })
        .compose(ack -> eventually(() -> dagNames(N1), List.of(), 5_000))
        .compose(l -> ask(N1, new SchedulerRequest.DeleteFunction("sq")))
        .compose(ack -> eventually(() -> current(N2), List.of(), 5_000))
        .compose(
            l ->
                ask(N2, new SchedulerRequest.GetFunction("sq", 0))
                    .transform(Future::succeededFuture))
        .onComplete(
            ctx.succeeding(
                gone ->
                    ctx.verify(
                        () -> {
                          assertThat(code(gone.cause())).isEqualTo(ErrorCode.FUNC_NOT_FOUND);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aLookupThatMissesReadsTheStoreBeforeAnsweringNotFound(VertxTestContext ctx) {
    // A third writer stores entries without any notice (as if n2 had missed them).
    KvsRegistryStore silentWriter = new KvsRegistryStore(vertx.eventBus(), "n3", 5_000);
    FunctionInfo ghost =
        new FunctionInfo("ghost", "python", 1, "def ghost(cb, x): return x", "ghost", 1L);
    deployBoth()
        .compose(v -> fakeExecutor(N1, "e1", false))
        .compose(v -> silentWriter.putFunction("ghost", List.of(ghost)))
        .compose(v -> silentWriter.putDag(new DagInfo("ghosts", List.of("ghost"), List.of(), 1L)))
        .compose(v -> current(N2))
        .compose(
            before -> {
              ctx.verify(() -> assertThat(before).isEmpty());
              return invoke(N2, "ghost", 7L, 2_000);
            })
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.result()).isEqualTo(49L));
              return ask(N1, new SchedulerRequest.ListVersions("ghost"));
            })
        .compose(
            versions -> {
              ctx.verify(
                  () ->
                      assertThat(((SchedulerReply.FunctionList) versions).functions())
                          .containsExactly(ghost));
              return ask(N1, new SchedulerRequest.GetDag("ghosts"));
            })
        .compose(
            dag -> {
              ctx.verify(() -> assertThat(((DagInfo) dag).functions()).containsExactly("ghost"));
              return ask(N2, new SchedulerRequest.GetFunction("nowhere", 0))
                  .transform(Future::succeededFuture);
            })
        .onComplete(
            ctx.succeeding(
                missing ->
                    ctx.verify(
                        () -> {
                          assertThat(code(missing.cause())).isEqualTo(ErrorCode.FUNC_NOT_FOUND);
                          ctx.completeNow();
                        })));
  }

  // ---- results ----

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aResultIsAnsweredByAnyNodesScheduler(VertxTestContext ctx) {
    deployBoth()
        .compose(v -> fakeExecutor(N1, "e1", false))
        .compose(v -> fakeExecutor(N2, "e2", false))
        // A node "n2" without a scheduler: its id also prefixes n2-x's call ids, but the node of a
        // call
        // is everything before the id's last '-' (the random part has none), so n2 is never asked.
        .compose(v -> fakeExecutor("n2", "e3", false))
        .compose(v -> register(N1, "sq", "def sq(cb, x): return x * x"))
        .compose(f -> eventually(() -> current(N2), List.of("sq@1"), 5_000))
        .compose(l -> invoke(N2, "sq", 6L, 2_000))
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.id()).matches(N2 + "-[0-9a-f]{32}"));
              return ask(N1, new SchedulerRequest.GetResult(r.id()))
                  .map(CallResult.class::cast)
                  .map(fromN1 -> List.of(r, fromN1));
            })
        .compose(
            both -> {
              ctx.verify(
                  () -> {
                    assertThat(both.get(1).id()).isEqualTo(both.get(0).id());
                    assertThat(both.get(1).result()).isEqualTo(36L);
                  });
              return invoke(N1, "sq", 5L, 2_000);
            })
        .compose(r -> ask(N2, new SchedulerRequest.GetResult(r.id())).map(CallResult.class::cast))
        .compose(
            fromN2 -> {
              ctx.verify(() -> assertThat(fromN2.result()).isEqualTo(25L));
              long t0 = System.nanoTime();
              // An id of n1's form that n1 does not hold: n1 is asked and answers not found.
              return ask(N2, new SchedulerRequest.GetResult(N1 + "-" + "0".repeat(32)))
                  .transform(
                      ar -> {
                        ctx.verify(
                            () -> {
                              assertThat(code(ar.cause())).isEqualTo(ErrorCode.RESULT_NOT_FOUND);
                              assertThat((System.nanoTime() - t0) / 1_000_000)
                                  .isLessThan(io.cloudburst.bus.Deadlines.FORWARD_MS + 1_000);
                            });
                        return ask(N1, new SchedulerRequest.GetResult("elsewhere-1"))
                            .transform(Future::succeededFuture);
                      });
            })
        .onComplete(
            ctx.succeeding(
                unknownNode ->
                    ctx.verify(
                        () -> {
                          assertThat(code(unknownNode.cause()))
                              .isEqualTo(ErrorCode.RESULT_NOT_FOUND);
                          ctx.completeNow();
                        })));
  }

  // ---- node failure ----

  private Future<List<String>> nodesInStatus(String node) {
    return ask(node, new SchedulerRequest.GetStatus())
        .map(
            r ->
                ((SchedulerReply.Status) r)
                    .nodes().stream().map(SchedulerReply.NodeInfo::nodeId).toList());
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void whenANodeLeavesItsCallsRunElsewhereAndItsCachedKeysStopDrawingCalls(VertxTestContext ctx) {
    deployBoth()
        .compose(v -> fakeExecutor("A", "a", true))
        .compose(v -> register(N1, "sq", "def sq(cb, x): return x * x"))
        .compose(
            f -> {
              Future<CallResult> call = invoke(N1, "sq", 3L, 5_000);
              return eventually(() -> Future.succeededFuture(executedOn.contains("a")), true, 5_000)
                  .compose(v -> fakeExecutor("B", "b", false))
                  .compose(
                      v -> {
                        vertx
                            .eventBus()
                            .publish(
                                Addresses.CACHE_REPORT,
                                new CacheEvent.Report(
                                    "A", List.of("k"), 1, 0, 0, 0, System.currentTimeMillis()));
                        return eventually(() -> nodesInStatus(N1), List.of("A", "B"), 5_000);
                      })
                  .compose(
                      v -> {
                        // The node module of n1's node tells that node A left the cluster.
                        vertx
                            .eventBus()
                            .publish(
                                Addresses.NODE_LEFT,
                                new io.cloudburst.bus.msg.NodeEvent.NodeLeft("A"));
                        return call;
                      });
            })
        .compose(
            r -> {
              ctx.verify(
                  () -> {
                    assertThat(r.status()).isEqualTo(CallResult.Status.DONE);
                    assertThat(r.result()).isEqualTo(9L);
                    assertThat(r.executor()).isEqualTo("b");
                  });
              // A status A sent before it left, late on the way, does not bring it back.
              vertx
                  .eventBus()
                  .publish(
                      Addresses.EXECUTOR_STATUS,
                      new ExecutorStatus(
                          "A",
                          "a",
                          2,
                          0,
                          0,
                          List.of(),
                          System.currentTimeMillis() - 60_000,
                          false));
              return nodesInStatus(N1);
            })
        .compose(
            nodes -> {
              ctx.verify(() -> assertThat(nodes).containsExactly("B"));
              executedOn.clear();
              return invoke(N1, "sq", new Ref("k"), 2_000);
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(executedOn).containsExactly("b");
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void executorsThatFallSilentAreDroppedAndTheirCallsRunElsewhere(VertxTestContext ctx) {
    // No NODE_LEFT: a node that vanished is noticed by its executors' silence (2 x 200 ms here).
    deployStore()
        .compose(v -> deployScheduler(N1, new JsonObject().put("executorStaleMs", 200)))
        .compose(v -> fakeExecutor("A", "a", true))
        .compose(
            v -> {
              // "a" reports until the call is on it, then falls silent.
              long alive = vertx.setPeriodic(50, t -> announce("A", "a", 0, List.of()));
              return register(N1, "sq", "def sq(cb, x): return x * x").map(alive);
            })
        .compose(
            alive -> {
              Future<CallResult> call = invoke(N1, "sq", 4L, 10_000);
              return eventually(() -> Future.succeededFuture(executedOn.contains("a")), true, 5_000)
                  .andThen(ar -> vertx.cancelTimer(alive))
                  .compose(v -> fakeExecutor("B", "b", false))
                  .compose(
                      v -> {
                        long timer = vertx.setPeriodic(50, t -> announce("B", "b", 0, List.of()));
                        return call.andThen(ar -> vertx.cancelTimer(timer));
                      });
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.result()).isEqualTo(16L);
                          assertThat(r.executor()).isEqualTo("b");
                          ctx.completeNow();
                        })));
  }

  // ---- hot-function replication ----

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aCallReplicatesAHotFunctionOntoAColdExecutorWhenEveryWarmOneIsSaturated(
      VertxTestContext ctx) {
    deployBoth()
        .compose(v -> fakeExecutor("A", "hot", false))
        .compose(v -> register(N1, "sq", "def sq(cb, x): return x * x"))
        .compose(
            f -> {
              announce("A", "hot", 2, List.of(f.contextKey())); // 2 busy of 2 threads: saturated
              return fakeExecutor("B", "cold", false).map(f);
            })
        .compose(f -> eventually(() -> nodesInStatus(N1), List.of("A", "B"), 5_000))
        .compose(v -> invoke(N1, "sq", 2L, 2_000))
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.executor()).isEqualTo("cold"));
              // "cold" is warm now: the next call is no replication.
              return invoke(N1, "sq", 3L, 2_000);
            })
        .compose(r -> ask(N1, new SchedulerRequest.GetStatus()))
        .onComplete(
            ctx.succeeding(
                st ->
                    ctx.verify(
                        () -> {
                          assertThat(((SchedulerReply.Status) st).replications()).isEqualTo(1);
                          assertThat(executedOn).containsExactly("cold", "cold");
                          ctx.completeNow();
                        })));
  }
}
