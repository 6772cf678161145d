package io.cloudburst.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.client.CloudburstClient;
import io.cloudburst.bus.codec.CloudburstCodecs;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.msg.ExecutorStatus;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.KvsRequest;
import io.cloudburst.bus.msg.SchedulerReply;
import io.cloudburst.bus.msg.SchedulerReply.DagInfo;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.cloudburst.kvs.KvsVerticle;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler's registry in the key-value store: a real store across a restart, and a fake one
 * that refuses or delays.
 */
@ExtendWith(VertxExtension.class)
class SchedulerPersistenceTest {
  private static final String NODE = "n1";
  private static final DeliveryOptions TIMEOUT = new DeliveryOptions().setSendTimeout(10_000);

  @TempDir Path dir;

  private Vertx vertx;
  private CloudburstClient client;
  private String storeId;
  private String schedulerId;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    CloudburstCodecs.register(vertx);
    client = new CloudburstClient(vertx);
  }

  @AfterEach
  void close(VertxTestContext ctx) {
    vertx.close().onComplete(ctx.succeedingThenComplete());
  }

  private static final String EXECUTOR = Addresses.executor(NODE, 0);

  /**
   * A fake executor that accepts every function version and answers calls with 0; announced by
   * {@link #deployScheduler}.
   */
  private Future<Void> fakeExecutor() {
    String address = EXECUTOR;
    var c =
        vertx
            .eventBus()
            .<ExecutorRequest>consumer(
                address,
                m -> {
                  switch (m.body()) {
                    case ExecutorRequest.Validate v -> m.reply(v.function());
                    case ExecutorRequest.Execute e ->
                        m.reply(
                            CallResult.done(e.callId(), e.function().name(), 0L, "", address, 1));
                    default -> m.reply(new SchedulerReply.Ack());
                  }
                });
    return c.completion();
  }

  private Future<Void> deployStore() {
    return vertx
        .deployVerticle(
            new KvsVerticle(),
            new DeploymentOptions()
                .setConfig(
                    new JsonObject()
                        .put("dataDir", dir.resolve("kvs").toString())
                        .put("nodeId", NODE)))
        .map(
            id -> {
              storeId = id;
              return null;
            });
  }

  private Future<Void> deployScheduler() {
    return vertx
        .deployVerticle(
            new SchedulerVerticle(),
            new DeploymentOptions()
                .setConfig(new JsonObject().put("nodeId", NODE).put("kvsTimeoutMs", 5_000)))
        .map(
            id -> {
              schedulerId = id;
              vertx
                  .eventBus()
                  .send(
                      Addresses.EXECUTOR_STATUS,
                      new ExecutorStatus(
                          NODE, EXECUTOR, 2, 0, 0, List.of(), System.currentTimeMillis(), false));
              return null;
            });
  }

  private Future<SchedulerReply> ask(SchedulerRequest r) {
    return vertx
        .eventBus()
        .<SchedulerReply>request(Addresses.SCHEDULER, r, TIMEOUT)
        .map(Message::body)
        .recover(t -> Future.failedFuture(CloudburstException.from(t)));
  }

  private Future<List<FunctionInfo>> versions(String name) {
    return ask(new SchedulerRequest.ListVersions(name))
        .map(r -> ((SchedulerReply.FunctionList) r).functions());
  }

  private Future<List<DagInfo>> dags() {
    return ask(new SchedulerRequest.ListDags()).map(r -> ((SchedulerReply.DagList) r).dags());
  }

  private static ErrorCode code(Throwable t) {
    return CloudburstException.from(t).code();
  }

  /** Completes once {@code condition} holds, polling every 10 ms; fails after {@code timeoutMs}. */
  private Future<Void> until(BooleanSupplier condition, long timeoutMs) {
    Promise<Void> p = Promise.promise();
    long deadline = System.currentTimeMillis() + timeoutMs;
    vertx.setPeriodic(
        10,
        id -> {
          if (condition.getAsBoolean()) {
            vertx.cancelTimer(id);
            p.tryComplete();
          } else if (System.currentTimeMillis() > deadline) {
            vertx.cancelTimer(id);
            p.tryFail("condition not met within " + timeoutMs + " ms");
          }
        });
    return p.future();
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void functionsWithTheirVersionsAndDagsSurviveARestartOfStoreAndScheduler(VertxTestContext ctx) {
    fakeExecutor()
        .compose(v -> deployStore())
        .compose(v -> deployScheduler())
        .compose(v -> client.register("sq", "python", "def sq(cb, x): return x * x"))
        .compose(f -> client.register("sq", "python", "def sq(cb, x): return x ** 2"))
        // New names registered at once: each must end up in the index.
        .compose(
            f ->
                Future.all(
                    client.register("a", "python", "def a(cb): return 1"),
                    client.register("b", "javascript", "function b(cb) { return 2; }"),
                    client.register("c", "python", "def c(cb): return 3"),
                    client.register("gone", "python", "def gone(cb): return 4")))
        .compose(
            v ->
                ask(
                    new SchedulerRequest.RegisterDag(
                        "d", List.of("sq", "a"), List.of(List.of("sq", "a")))))
        .compose(v -> ask(new SchedulerRequest.RegisterDag("d2", List.of("b"), List.of())))
        .compose(v -> ask(new SchedulerRequest.DeleteDag("d2")))
        .compose(v -> ask(new SchedulerRequest.DeleteFunction("gone")))
        .compose(v -> vertx.undeploy(schedulerId))
        .compose(v -> vertx.undeploy(storeId))
        .compose(v -> deployStore())
        .compose(v -> deployScheduler())
        .compose(v -> client.functions())
        .compose(
            fns -> {
              ctx.verify(
                  () -> {
                    assertThat(fns)
                        .extracting(FunctionInfo::versionKey)
                        .containsExactly("a@1", "b@1", "c@1", "sq@2");
                    assertThat(fns.get(1).language()).isEqualTo("javascript");
                  });
              return versions("sq");
            })
        .compose(
            sq -> {
              ctx.verify(
                  () ->
                      assertThat(sq)
                          .extracting(FunctionInfo::source)
                          .containsExactly(
                              "def sq(cb, x): return x * x", "def sq(cb, x): return x ** 2"));
              return ask(new SchedulerRequest.GetFunction("gone", 0))
                  .transform(ar -> Future.succeededFuture(ar));
            })
        .compose(
            gone -> {
              ctx.verify(
                  () -> {
                    assertThat(gone.failed()).isTrue();
                    assertThat(code(gone.cause())).isEqualTo(ErrorCode.FUNC_NOT_FOUND);
                  });
              return dags();
            })
        .compose(
            dags -> {
              ctx.verify(
                  () -> {
                    assertThat(dags).hasSize(1);
                    assertThat(dags.get(0).name()).isEqualTo("d");
                    assertThat(dags.get(0).functions()).containsExactly("sq", "a");
                    assertThat(dags.get(0).connections()).containsExactly(List.of("sq", "a"));
                  });
              // The records are where the layout says.
              return vertx
                  .eventBus()
                  .<KvsReply>request(
                      Addresses.KVS,
                      new KvsRequest.GetMany(
                          List.of(
                              "__cloudburst/index/functions",
                              "__cloudburst/index/dags",
                              "__cloudburst/functions/gone",
                              "__cloudburst/dags/d2"),
                          null),
                      TIMEOUT);
            })
        .compose(
            raw -> {
              ctx.verify(
                  () -> {
                    Map<String, ?> found = ((KvsReply.FoundMany) raw.body()).lattices();
                    assertThat(found.keySet())
                        .containsExactlyInAnyOrder(
                            "__cloudburst/index/functions", "__cloudburst/index/dags");
                    assertThat(
                            ((KvsReply.FoundMany) raw.body())
                                .lattices()
                                .get("__cloudburst/index/functions")
                                .value())
                        .isEqualTo(List.of("a", "b", "c", "sq"));
                    assertThat(
                            ((KvsReply.FoundMany) raw.body())
                                .lattices()
                                .get("__cloudburst/index/dags")
                                .value())
                        .isEqualTo(List.of("d"));
                  });
              // Version numbers go on from where they were, and the DAG still runs on the loaded
              // registry.
              return client.register("sq", "python", "def sq(cb, x): return x * x * 1");
            })
        .compose(
            f3 -> {
              ctx.verify(() -> assertThat(f3.version()).isEqualTo(3));
              return ask(new SchedulerRequest.DeleteFunction("a"))
                  .transform(ar -> Future.succeededFuture(ar));
            })
        .onComplete(
            ctx.succeeding(
                inUse ->
                    ctx.verify(
                        () -> {
                          assertThat(code(inUse.cause())).isEqualTo(ErrorCode.CONFLICT);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void withoutAStoreAPersistentSchedulerDoesNotStart(VertxTestContext ctx) {
    deployScheduler()
        .onComplete(
            ctx.failing(
                t ->
                    ctx.verify(
                        () -> {
                          assertThat(t.getMessage())
                              .contains("cannot start")
                              .contains("key-value store")
                              .contains("persistent=false");
                          ctx.completeNow();
                        })));
  }

  /** A store on the bus that holds nothing, and refuses writes while {@code refuse[0]}. */
  private Future<Void> fakeStore(boolean[] refuse, List<Message<KvsRequest>> held, boolean[] hold) {
    return vertx
        .eventBus()
        .<KvsRequest>consumer(
            Addresses.KVS,
            m -> {
              switch (m.body()) {
                case KvsRequest.GetMany g -> m.reply(new KvsReply.FoundMany(Map.of()));
                case KvsRequest.Put p when refuse[0] ->
                    m.fail(ErrorCode.INTERNAL.failureCode(), "disk is full");
                case KvsRequest.Delete d when refuse[0] ->
                    m.fail(ErrorCode.INTERNAL.failureCode(), "disk is full");
                case KvsRequest.Put p when hold[0] -> held.add(m);
                default -> answer(m);
              }
            })
        .completion();
  }

  private static void answer(Message<KvsRequest> m) {
    switch (m.body()) {
      case KvsRequest.Put p -> m.reply(new KvsReply.Stored(p.key(), p.lattice()));
      case KvsRequest.Delete d -> m.reply(new KvsReply.Deleted(d.key(), true));
      default -> m.fail(ErrorCode.BAD_REQUEST.failureCode(), "not faked");
    }
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aChangeTheStoreRefusesIsNotAppliedAndTheCallerGetsTheError(VertxTestContext ctx) {
    boolean[] refuse = {true};
    fakeExecutor()
        .compose(v -> fakeStore(refuse, new ArrayList<>(), new boolean[] {false}))
        .compose(v -> deployScheduler())
        .compose(
            v ->
                client
                    .register("f", "python", "def f(cb): return 1")
                    .transform(ar -> Future.succeededFuture(ar)))
        .compose(
            refused -> {
              ctx.verify(
                  () -> {
                    assertThat(code(refused.cause())).isEqualTo(ErrorCode.INTERNAL);
                    assertThat(refused.cause().getMessage())
                        .contains("function 'f'")
                        .contains("disk is full");
                  });
              return client.functions();
            })
        .compose(
            fns -> {
              ctx.verify(() -> assertThat(fns).isEmpty());
              refuse[0] = false;
              return client.register("f", "python", "def f(cb): return 1");
            })
        .compose(
            f -> {
              ctx.verify(
                  () -> assertThat(f.version()).isEqualTo(1)); // the refused version was not taken
              refuse[0] = true;
              return Future.all(
                  ask(new SchedulerRequest.DeleteFunction("f"))
                      .transform(ar -> Future.succeededFuture(ar.failed())),
                  ask(new SchedulerRequest.RegisterDag("d", List.of("f"), List.of()))
                      .transform(ar -> Future.succeededFuture(ar.failed())));
            })
        .compose(
            failed -> {
              ctx.verify(() -> assertThat(failed.<Boolean>list()).containsExactly(true, true));
              return client
                  .functions()
                  .compose(fns -> dags().map(ds -> List.of(fns.size(), ds.size())));
            })
        .onComplete(
            ctx.succeeding(
                sizes ->
                    ctx.verify(
                        () -> {
                          assertThat(sizes).containsExactly(1, 0);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aRegistrationIsAnsweredOnlyOnceTheStoreHasStoredIt(VertxTestContext ctx) {
    List<Message<KvsRequest>> held = new ArrayList<>();
    boolean[] hold = {true};
    AtomicReference<Future<FunctionInfo>> registration = new AtomicReference<>();
    fakeExecutor()
        .compose(v -> fakeStore(new boolean[] {false}, held, hold))
        .compose(v -> deployScheduler())
        .compose(
            v -> {
              registration.set(client.register("f", "python", "def f(cb): return 1"));
              return until(() -> !held.isEmpty(), 5_000);
            })
        .compose(v -> client.functions())
        .compose(
            fns -> {
              ctx.verify(
                  () -> {
                    assertThat(fns).isEmpty();
                    assertThat(registration.get().isComplete()).isFalse();
                    assertThat(((KvsRequest.Put) held.get(0).body()).key())
                        .isEqualTo("__cloudburst/functions/f");
                  });
              hold[0] = false;
              held.forEach(SchedulerPersistenceTest::answer);
              return registration.get();
            })
        .compose(f -> client.functions().map(fns -> List.of(f, fns)))
        .onComplete(
            ctx.succeeding(
                both ->
                    ctx.verify(
                        () -> {
                          assertThat(((FunctionInfo) both.get(0)).versionKey()).isEqualTo("f@1");
                          assertThat((List<?>) both.get(1)).hasSize(1);
                          ctx.completeNow();
                        })));
  }
}
