package io.cloudburst.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.client.CloudburstClient;
import io.cloudburst.bus.codec.CloudburstCodecs;
import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.DagEvent;
import io.cloudburst.bus.msg.DagSchedule;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.msg.ExecutorStatus;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.cloudburst.bus.value.Ref;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The scheduler against fake executors on the bus: registration, placement, retries, deadlines. */
@ExtendWith(VertxExtension.class)
class SchedulerVerticleTest {
  private Vertx vertx;
  private CloudburstClient client;
  private final List<String> executedOn = new CopyOnWriteArrayList<>();

  @BeforeEach
  void deploy(VertxTestContext ctx) {
    vertx = Vertx.vertx();
    CloudburstCodecs.register(vertx);
    client = new CloudburstClient(vertx);
    // The registry is kept in memory here; SchedulerPersistenceTest runs the scheduler on a real
    // store.
    vertx
        .deployVerticle(
            new SchedulerVerticle(),
            new DeploymentOptions()
                .setConfig(new JsonObject().put("maxCallDepth", 3).put("persistent", false)))
        .onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void close(VertxTestContext ctx) {
    vertx.close().onComplete(ctx.succeedingThenComplete());
  }

  /**
   * A fake executor of node "n" that squares its first argument, or never answers when {@code
   * silent}.
   */
  private Future<MessageConsumer<ExecutorRequest>> fakeExecutor(String address, boolean silent) {
    return fakeExecutor("n", address, silent);
  }

  /** A fake executor of a node; a first argument that is not a number (a reference) gives null. */
  private Future<MessageConsumer<ExecutorRequest>> fakeExecutor(
      String node, String address, boolean silent) {
    MessageConsumer<ExecutorRequest> c =
        vertx
            .eventBus()
            .consumer(
                address,
                m -> {
                  switch (m.body()) {
                    case ExecutorRequest.Validate v -> {
                      if (v.function().source().contains("syntax error")) {
                        m.fail(ErrorCode.BAD_REQUEST.failureCode(), "line 1: invalid syntax");
                      } else {
                        m.reply(v.function());
                      }
                    }
                    case ExecutorRequest.Execute e -> {
                      executedOn.add(address);
                      if (!silent) {
                        Object square = e.args().get(0) instanceof Long x ? (Object) (x * x) : null;
                        m.reply(
                            CallResult.done(
                                e.callId(), e.function().name(), square, "", address, 1));
                      }
                    }
                    case ExecutorRequest.RunDag r -> {
                      // Acknowledge, then square the arguments of every source placed here and
                      // report it as done.
                      m.reply(new io.cloudburst.bus.msg.SchedulerReply.Ack());
                      executedOn.add(address);
                      if (!silent) {
                        DagSchedule s = r.schedule();
                        s.placement()
                            .forEach(
                                (fn, addr) -> {
                                  if (addr.equals(address) && s.upstreams().get(fn).isEmpty()) {
                                    long x = (Long) s.args().get(fn).get(0);
                                    vertx
                                        .eventBus()
                                        .send(
                                            s.completionAddress(),
                                            new DagEvent.StepDone(
                                                s.callId(),
                                                fn,
                                                CallResult.done(
                                                    s.callId(), fn, x * x, "", address, 1)));
                                  }
                                });
                      }
                    }
                    case ExecutorRequest.Trigger t -> {}
                    case ExecutorRequest.Direct d -> {}
                  }
                });
    return c.completion()
        .map(
            v -> {
              announce(node, address, List.of());
              return c;
            });
  }

  private void announce(String node, String address, List<String> warm) {
    vertx
        .eventBus()
        .send(
            Addresses.EXECUTOR_STATUS,
            new ExecutorStatus(node, address, 2, 0, 0, warm, System.currentTimeMillis(), false),
            new DeliveryOptions());
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void registersValidatesAndRunsTheNewestVersion(VertxTestContext ctx) {
    fakeExecutor("e1", false)
        .compose(c -> client.register("sq", "python", "def sq(cb, x): return x * x"))
        .compose(f1 -> client.register("sq", "python", "def sq(cb, x): return x * x  # v2"))
        .compose(
            f2 -> {
              ctx.verify(() -> assertThat(f2.version()).isEqualTo(2));
              return client.invoke("sq", List.of(5L), 1_000);
            })
        .compose(
            r -> {
              ctx.verify(
                  () -> {
                    assertThat(r.status()).isEqualTo(CallResult.Status.DONE);
                    assertThat(r.result()).isEqualTo(25L);
                  });
              return client.result(r.id());
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.result()).isEqualTo(25L);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void callIdsNameTheNodeAndAreOtherwiseRandom(VertxTestContext ctx) {
    fakeExecutor("e1", false)
        .compose(c -> client.register("sq", "python", "def sq(cb, x): return x * x"))
        .compose(
            f ->
                Future.all(
                    client.invoke("sq", List.of(2L), 1_000),
                    client.invoke("sq", List.of(3L), 1_000)))
        .onComplete(
            ctx.succeeding(
                both ->
                    ctx.verify(
                        () -> {
                          String first = both.<CallResult>resultAt(0).id();
                          String second = both.<CallResult>resultAt(1).id();
                          assertThat(first).matches("local-[0-9a-f]{32}");
                          assertThat(second).matches("local-[0-9a-f]{32}").isNotEqualTo(first);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aSourceTheExecutorRefusesIsNotRegistered(VertxTestContext ctx) {
    fakeExecutor("e1", false)
        .compose(c -> client.register("bad", "python", "syntax error here"))
        .onComplete(
            ctx.failing(
                t ->
                    ctx.verify(
                        () -> {
                          assertThat(((CloudburstException) t).code())
                              .isEqualTo(ErrorCode.BAD_REQUEST);
                          assertThat(t.getMessage()).contains("line 1");
                          client
                              .functions()
                              .onComplete(
                                  ctx.succeeding(
                                      l ->
                                          ctx.verify(
                                              () -> {
                                                assertThat(l).isEmpty();
                                                ctx.completeNow();
                                              })));
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void invalidRegistrationsAreBadRequests(VertxTestContext ctx) {
    Future.all(
            List.of(
                client.register("", "python", "x"),
                client.register("x".repeat(200), "python", "x"),
                client.register("a b", "python", "x"),
                client.register("ok", "cobol", "x"),
                client.register("ok", "python", "   ")))
        .onComplete(
            ctx.failing(
                t ->
                    ctx.verify(
                        () -> {
                          assertThat(((CloudburstException) t).code())
                              .isEqualTo(ErrorCode.BAD_REQUEST);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void unknownFunctionIsFuncNotFoundAndNoExecutorIsNoResources(VertxTestContext ctx) {
    client
        .invoke("nope", List.of(), 1_000)
        .onComplete(
            ctx.failing(
                t ->
                    ctx.verify(
                        () -> {
                          assertThat(((CloudburstException) t).code())
                              .isEqualTo(ErrorCode.FUNC_NOT_FOUND);
                          client
                              .register("sq", "python", "def sq(cb,x): return x")
                              .onComplete(
                                  ctx.failing(
                                      t2 ->
                                          ctx.verify(
                                              () -> {
                                                assertThat(((CloudburstException) t2).code())
                                                    .isEqualTo(ErrorCode.NO_RESOURCES);
                                                ctx.completeNow();
                                              })));
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aCallToAVanishedExecutorIsPlacedElsewhere(VertxTestContext ctx) {
    fakeExecutor("gone", false)
        .compose(
            gone -> client.register("sq", "python", "def sq(cb, x): return x * x").map(f -> gone))
        .compose(gone -> gone.unregister())
        .compose(v -> fakeExecutor("e2", false))
        .compose(c -> client.invoke("sq", List.of(3L), 1_000))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.result()).isEqualTo(9L);
                          assertThat(r.executor()).isEqualTo("e2");
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aStalledExecutorGivesTimeoutWithinTheDeadline(VertxTestContext ctx) {
    long t0 = System.nanoTime();
    fakeExecutor("slow", true)
        .compose(c -> client.register("sq", "python", "def sq(cb, x): return x * x"))
        .compose(f -> client.invoke("sq", List.of(3L), 300))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.status()).isEqualTo(CallResult.Status.FAILED);
                          assertThat(r.code()).isEqualTo(ErrorCode.TIMEOUT);
                          assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void pendingCallsPublishTheirCompletion(VertxTestContext ctx) {
    vertx
        .eventBus()
        .<CallResult>consumer(
            Addresses.RESULTS,
            m ->
                ctx.verify(
                    () -> {
                      assertThat(m.body().result()).isEqualTo(16L);
                      ctx.completeNow();
                    }));
    fakeExecutor("e1", false)
        .compose(c -> client.register("sq", "python", "def sq(cb, x): return x * x"))
        .compose(f -> client.submit("sq", List.of(4L), 1_000))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(() -> assertThat(r.status()).isEqualTo(CallResult.Status.PENDING))));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void nestedCallsBeyondTheDepthLimitFailClearly(VertxTestContext ctx) {
    fakeExecutor("e1", false)
        .compose(c -> client.register("sq", "python", "def sq(cb, x): return x * x"))
        .compose(
            f ->
                vertx
                    .eventBus()
                    .request(
                        Addresses.SCHEDULER,
                        SchedulerRequest.InvokeFunction.builder("sq")
                            .args(List.of(2L))
                            .timeoutMs(1_000)
                            .caller("parent", 4)
                            .build()))
        .onComplete(
            ctx.failing(
                t ->
                    ctx.verify(
                        () -> {
                          assertThat(CloudburstException.from(t).code())
                              .isEqualTo(ErrorCode.BAD_REQUEST);
                          assertThat(t.getMessage()).contains("depth");
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void callsPreferTheExecutorWithAWarmContext(VertxTestContext ctx) {
    // "warm" validates the function (and so holds a warm context); "cold" joins afterwards.
    fakeExecutor("warm", false)
        .compose(c -> client.register("sq", "python", "def sq(cb, x): return x * x"))
        .compose(f -> fakeExecutor("cold", false).map(c -> f))
        .compose(
            f -> {
              executedOn.clear();
              return client
                  .invoke("sq", List.of(1L), 1_000)
                  .compose(r -> client.invoke("sq", List.of(2L), 1_000))
                  .compose(r -> client.invoke("sq", List.of(3L), 1_000));
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.result()).isEqualTo(9L);
                          assertThat(executedOn).containsExactly("warm", "warm", "warm");
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void versionsCanBeListedAndRestored(VertxTestContext ctx) {
    fakeExecutor("e1", false)
        .compose(c -> client.register("f", "python", "def f(cb, x): return 1"))
        .compose(f -> client.register("f", "python", "def f(cb, x): return 2"))
        .compose(
            f ->
                vertx
                    .eventBus()
                    .<FunctionInfo>request(
                        Addresses.SCHEDULER, new SchedulerRequest.RestoreFunction("f", 1)))
        .onComplete(
            ctx.succeeding(
                m ->
                    ctx.verify(
                        () -> {
                          assertThat(m.body().version()).isEqualTo(3);
                          assertThat(m.body().source()).isEqualTo("def f(cb, x): return 1");
                          ctx.completeNow();
                        })));
  }

  private Future<io.cloudburst.bus.msg.SchedulerReply> dag(SchedulerRequest r) {
    return vertx
        .eventBus()
        .<io.cloudburst.bus.msg.SchedulerReply>request(Addresses.SCHEDULER, r)
        .map(m -> m.body())
        .recover(t -> Future.failedFuture(CloudburstException.from(t)));
  }

  private static SchedulerRequest.InvokeDag invokeDag(
      String name, java.util.Map<String, List<Object>> args, long timeoutMs) {
    return SchedulerRequest.InvokeDag.builder(name).args(args).timeoutMs(timeoutMs).build();
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aDagWithSeveralSinksAnswersAnObjectKeyedBySink(VertxTestContext ctx) {
    fakeExecutor("e1", false)
        .compose(c -> client.register("a", "python", "def a(cb, x): return x * x"))
        .compose(f -> client.register("b", "python", "def b(cb, x): return x * x"))
        .compose(f -> dag(new SchedulerRequest.RegisterDag("two", List.of("a", "b"), List.of())))
        .compose(
            d -> dag(invokeDag("two", java.util.Map.of("a", List.of(3L), "b", List.of(4L)), 2_000)))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          CallResult res = (CallResult) r;
                          assertThat(res.status()).isEqualTo(CallResult.Status.DONE);
                          assertThat(res.result()).isEqualTo(java.util.Map.of("a", 9L, "b", 16L));
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void dagRegistryRefusesDuplicatesAndProtectsItsFunctions(VertxTestContext ctx) {
    fakeExecutor("e1", false)
        .compose(c -> client.register("a", "python", "def a(cb, x): return x"))
        .compose(f -> dag(new SchedulerRequest.RegisterDag("d", List.of("a"), List.of())))
        .compose(
            d ->
                dag(new SchedulerRequest.RegisterDag("d", List.of("a"), List.of()))
                    .transform(
                        ar -> {
                          ctx.verify(
                              () ->
                                  assertThat(((CloudburstException) ar.cause()).code())
                                      .isEqualTo(ErrorCode.DAG_ALREADY_EXISTS));
                          return dag(new SchedulerRequest.DeleteFunction("a"));
                        }))
        .transform(
            ar -> {
              ctx.verify(
                  () ->
                      assertThat(((CloudburstException) ar.cause()).code())
                          .isEqualTo(ErrorCode.CONFLICT));
              return dag(invokeDag("missing", java.util.Map.of(), 1_000));
            })
        .transform(
            ar -> {
              ctx.verify(
                  () ->
                      assertThat(((CloudburstException) ar.cause()).code())
                          .isEqualTo(ErrorCode.DAG_NOT_FOUND));
              return dag(invokeDag("d", java.util.Map.of("zzz", List.of(1L)), 1_000));
            })
        .transform(
            ar -> {
              ctx.verify(
                  () -> {
                    assertThat(((CloudburstException) ar.cause()).code())
                        .isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(ar.cause().getMessage()).contains("zzz");
                  });
              // An unknown level cannot reach the scheduler: the request's enum is parsed at the
              // front door.
              return Future.succeededFuture()
                  .map(x -> io.cloudburst.bus.Consistency.parse("serializable"));
            })
        .onComplete(
            ar ->
                ctx.verify(
                    () -> {
                      assertThat(((CloudburstException) ar.cause()).code())
                          .isEqualTo(ErrorCode.BAD_REQUEST);
                      assertThat(ar.cause().getMessage()).contains("consistency");
                      ctx.completeNow();
                    }));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aDagWhoseExecutorLeavesIsReRunElsewhere(VertxTestContext ctx) {
    fakeExecutor("stuck", true)
        .compose(c -> client.register("a", "python", "def a(cb, x): return x * x"))
        .compose(f -> dag(new SchedulerRequest.RegisterDag("d", List.of("a"), List.of())))
        .compose(
            d -> {
              Future<io.cloudburst.bus.msg.SchedulerReply> call =
                  dag(invokeDag("d", java.util.Map.of("a", List.of(5L)), 5_000));
              // Once the stuck executor has the schedule, it leaves and a healthy one appears.
              vertx.setTimer(
                  200,
                  t -> {
                    vertx
                        .eventBus()
                        .send(
                            Addresses.EXECUTOR_STATUS,
                            new ExecutorStatus("n", "stuck", 2, 0, 0, List.of(), 0, true));
                  });
              return fakeExecutor("healthy", false).compose(c -> call);
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(((CallResult) r).result()).isEqualTo(25L);
                          assertThat(executedOn).contains("stuck", "healthy");
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aStalledDagFailsWithTimeoutWithinItsDeadline(VertxTestContext ctx) {
    fakeExecutor("stuck", true)
        .compose(c -> client.register("a", "python", "def a(cb, x): return x * x"))
        .compose(f -> dag(new SchedulerRequest.RegisterDag("d", List.of("a"), List.of())))
        .compose(d -> dag(invokeDag("d", java.util.Map.of("a", List.of(5L)), 300)))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(((CallResult) r).code()).isEqualTo(ErrorCode.TIMEOUT);
                          ctx.completeNow();
                        })));
  }

  // ---- cache-aware placement ----

  /**
   * Executors "a" on node A and "b" on node B, both warm for sq@1; then {@code calls} calls of sq
   * on a reference to "k".
   */
  private Future<List<String>> callsOnARefFromTwoWarmNodes(
      java.util.function.Consumer<FunctionInfo> beforeCalls, int calls) {
    return fakeExecutor("A", "a", false)
        .compose(c -> fakeExecutor("B", "b", false))
        .compose(c -> client.register("sq", "python", "def sq(cb, x): return x"))
        .compose(
            f -> {
              announce("A", "a", List.of(f.contextKey()));
              announce("B", "b", List.of(f.contextKey()));
              beforeCalls.accept(f);
              executedOn.clear();
              Future<CallResult> chain = Future.succeededFuture();
              for (int i = 0; i < calls; i++) {
                chain = chain.compose(r -> client.invoke("sq", List.of(new Ref("k")), 1_000));
              }
              return chain.map(r -> List.copyOf(executedOn));
            });
  }

  private void reportCached(String node, String... keys) {
    vertx
        .eventBus()
        .publish(
            Addresses.CACHE_REPORT,
            new CacheEvent.Report(node, List.of(keys), 100, 0, 0, 0, System.currentTimeMillis()));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void callsReferencingAKeyANodeCachesLandOnThatNode(VertxTestContext ctx) {
    callsOnARefFromTwoWarmNodes(f -> reportCached("A", "k", "other"), 20)
        .onComplete(
            ctx.succeeding(
                on ->
                    ctx.verify(
                        () -> {
                          assertThat(on).hasSize(20);
                          assertThat(on.stream().filter("a"::equals).count())
                              .isGreaterThanOrEqualTo(16);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void withoutACacheReportCallsReferencingAKeySpread(VertxTestContext ctx) {
    callsOnARefFromTwoWarmNodes(f -> reportCached("B", "unrelated"), 20)
        .onComplete(
            ctx.succeeding(
                on ->
                    ctx.verify(
                        () -> {
                          assertThat(on).hasSize(20);
                          assertThat(on.stream().filter("a"::equals).count()).isBetween(6L, 14L);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aNodesCachedKeysAreForgottenWhenItsExecutorsLeave(VertxTestContext ctx) {
    callsOnARefFromTwoWarmNodes(
            f -> {
              reportCached("A", "k");
              // A's only executor leaves and comes back: what A's cache reported no longer counts.
              vertx
                  .eventBus()
                  .send(
                      Addresses.EXECUTOR_STATUS,
                      new ExecutorStatus("A", "a", 2, 0, 0, List.of(), 0, true));
              announce("A", "a", List.of(f.contextKey()));
            },
            20)
        .onComplete(
            ctx.succeeding(
                on ->
                    ctx.verify(
                        () -> {
                          assertThat(on.stream().filter("a"::equals).count()).isBetween(6L, 14L);
                          ctx.completeNow();
                        })));
  }

  // ---- idempotency keys ----

  private Future<CallResult> invokeOnce(String fn, long x, String requestId, boolean await) {
    return vertx
        .eventBus()
        .<CallResult>request(
            Addresses.SCHEDULER,
            SchedulerRequest.InvokeFunction.builder(fn)
                .args(List.of(x))
                .timeoutMs(2_000)
                .awaitResult(await)
                .requestId(requestId)
                .build(),
            new DeliveryOptions().setSendTimeout(5_000))
        .map(m -> m.body());
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aRepeatedRequestIdRunsOnceAndAnswersTheFirstOutcome(VertxTestContext ctx) {
    fakeExecutor("e", false)
        .compose(c -> client.register("sq", "python", "def sq(cb, x): return x * x"))
        .compose(f -> client.register("other", "python", "def other(cb, x): return x"))
        .compose(f -> invokeOnce("sq", 3, "req-1", true))
        .compose(first -> invokeOnce("sq", 3, "req-1", true).map(again -> List.of(first, again)))
        .compose(
            both ->
                invokeOnce("sq", 3, "req-1", false)
                    .map(
                        pending -> {
                          ctx.verify(
                              () -> {
                                assertThat(both.get(0).result()).isEqualTo(9L);
                                assertThat(both.get(1).id()).isEqualTo(both.get(0).id());
                                assertThat(both.get(1).result()).isEqualTo(9L);
                                assertThat(pending.id()).isEqualTo(both.get(0).id());
                                assertThat(executedOn).as("one run for one key").hasSize(1);
                              });
                          return pending;
                        }))
        .compose(v -> invokeOnce("other", 3, "req-1", true))
        .onComplete(
            ar ->
                ctx.verify(
                    () -> {
                      assertThat(ar.failed()).isTrue();
                      assertThat(
                              ErrorCode.fromFailureCode(
                                  ((io.vertx.core.eventbus.ReplyException) ar.cause())
                                      .failureCode()))
                          .isEqualTo(ErrorCode.CONFLICT);
                      ctx.completeNow();
                    }));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aCallWithARequestIdIsNotRunAgainWhenItsExecutorLeaves(VertxTestContext ctx) {
    fakeExecutor("A", "stuck", true)
        .compose(c -> client.register("sq", "python", "def sq(cb, x): return x * x"))
        .compose(
            f -> {
              Future<CallResult> call = invokeOnce("sq", 3, "req-2", true);
              // The call is on "stuck" (the only executor); a healthy one joins, then "stuck"
              // leaves.
              return fakeExecutor("B", "healthy", false)
                  .compose(
                      c -> {
                        vertx
                            .eventBus()
                            .send(
                                Addresses.EXECUTOR_STATUS,
                                new ExecutorStatus("A", "stuck", 2, 1, 0, List.of(), 0, true));
                        return call;
                      });
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.status()).isEqualTo(CallResult.Status.FAILED);
                          assertThat(r.code()).isEqualTo(ErrorCode.NO_RESOURCES);
                          assertThat(r.errorMessage()).contains("at most once");
                          assertThat(executedOn).containsExactly("stuck");
                          ctx.completeNow();
                        })));
  }
}
