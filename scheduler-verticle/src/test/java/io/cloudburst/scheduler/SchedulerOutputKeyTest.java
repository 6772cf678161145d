package io.cloudburst.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Consistency;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.codec.CloudburstCodecs;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LatticeKind;
import io.cloudburst.bus.lattice.MultiKeyCausalLattice;
import io.cloudburst.bus.lattice.VectorClock;
import io.cloudburst.bus.msg.CacheRequest;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.DagEvent;
import io.cloudburst.bus.msg.DagSchedule;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.msg.ExecutorStatus;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.SchedulerReply;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.cloudburst.bus.session.Session;
import io.cloudburst.cache.CacheVerticle;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code output_key} of a DAG call against a real store and cache: the result is stored under the
 * key before the call is reported done, last writer wins or (causal) a multi-key causal version
 * with the call's dependencies; a bad key is refused before the call runs; a failed write fails the
 * call with the write's code.
 */
@ExtendWith(VertxExtension.class)
class SchedulerOutputKeyTest {
  private static final String NODE = "n1";
  private static final String EXECUTOR = Addresses.executor(NODE, 0);
  private static final DeliveryOptions TIMEOUT = new DeliveryOptions().setSendTimeout(10_000);

  /** What the fake executor's sink reports a causal client session depends on. */
  private static final Map<String, VectorClock> DEPS =
      Map.of("read-before", VectorClock.of("n9", 3));

  @TempDir Path dir;

  private Vertx vertx;
  private final List<String> schedules = new CopyOnWriteArrayList<>();

  /**
   * For the first result published at RESULTS: the output key's value read right then (or
   * "absent").
   */
  private final Promise<Object> readAtPublish = Promise.promise();

  @BeforeEach
  void setUp(VertxTestContext ctx) {
    vertx = Vertx.vertx();
    CloudburstCodecs.register(vertx);
    vertx
        .deployVerticle(
            new KvsVerticle(),
            new DeploymentOptions()
                .setConfig(
                    new JsonObject()
                        .put("dataDir", dir.resolve("kvs").toString())
                        .put("nodeId", NODE)))
        .compose(
            id ->
                vertx.deployVerticle(
                    new CacheVerticle(),
                    new DeploymentOptions().setConfig(new JsonObject().put("nodeId", NODE))))
        .compose(
            id ->
                vertx.deployVerticle(
                    new SchedulerVerticle(),
                    new DeploymentOptions()
                        .setConfig(new JsonObject().put("nodeId", NODE).put("persistent", false))))
        .compose(id -> fakeExecutor())
        .compose(
            v ->
                ask(
                    new SchedulerRequest.RegisterFunction(
                        "sq", "python", "def sq(cb, x): return x * x", null)))
        .compose(v -> ask(new SchedulerRequest.RegisterDag("d", List.of("sq"), List.of())))
        .onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void close(VertxTestContext ctx) {
    vertx.close().onComplete(ctx.succeedingThenComplete());
  }

  /**
   * An executor that runs DAG "d" by squaring sq's argument and reporting it as the sink's result
   * (with a client session depending on {@link #DEPS} when the call has one).
   */
  private Future<Void> fakeExecutor() {
    var c =
        vertx
            .eventBus()
            .<ExecutorRequest>consumer(
                EXECUTOR,
                m -> {
                  switch (m.body()) {
                    case ExecutorRequest.Validate v -> m.reply(v.function());
                    case ExecutorRequest.RunDag r -> {
                      m.reply(new SchedulerReply.Ack());
                      DagSchedule s = r.schedule();
                      schedules.add(s.callId());
                      long x = (Long) s.args().get("sq").get(0);
                      Session carried =
                          s.clientSession() == null
                              ? null
                              : new Session(s.callId(), true, Map.of(), DEPS);
                      vertx
                          .eventBus()
                          .send(
                              s.completionAddress(),
                              new DagEvent.StepDone(
                                  s.callId(),
                                  "sq",
                                  CallResult.done(s.callId(), "sq", x * x, "", EXECUTOR, 1),
                                  carried));
                    }
                    default -> m.reply(new SchedulerReply.Ack());
                  }
                });
    var results =
        vertx
            .eventBus()
            .<CallResult>consumer(
                Addresses.RESULTS,
                m ->
                    get("o")
                        .onComplete(
                            ar ->
                                readAtPublish.tryComplete(
                                    ar.succeeded() && ar.result() != null
                                        ? ar.result().value()
                                        : "absent")));
    return Future.all(c.completion(), results.completion())
        .map(
            v -> {
              vertx
                  .eventBus()
                  .send(
                      Addresses.EXECUTOR_STATUS,
                      new ExecutorStatus(
                          NODE, EXECUTOR, 2, 0, 0, List.of(), System.currentTimeMillis(), false));
              return null;
            });
  }

  private Future<Object> ask(SchedulerRequest r) {
    return vertx
        .eventBus()
        .request(Addresses.SCHEDULER, r, TIMEOUT)
        .map(Message::body)
        .recover(t -> Future.failedFuture(CloudburstException.from(t)));
  }

  private Future<CallResult> invoke(SchedulerRequest.InvokeDag.Builder b) {
    return ask(b.args(Map.of("sq", List.of(7L))).timeoutMs(5_000).build())
        .map(CallResult.class::cast);
  }

  /** The key's state through this node's cache (null when absent). */
  private Future<Lattice> get(String key) {
    return vertx
        .eventBus()
        .<KvsReply>request(Addresses.cache(NODE), new CacheRequest.Get(key), TIMEOUT)
        .map(m -> ((KvsReply.Found) m.body()).lattice());
  }

  private static ErrorCode code(Throwable t) {
    return CloudburstException.from(t).code();
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void theResultIsStoredUnderTheOutputKeyBeforeTheCallIsReportedDone(VertxTestContext ctx) {
    invoke(SchedulerRequest.InvokeDag.builder("d").outputKey("o"))
        .compose(
            r -> {
              ctx.verify(() -> assertThat(r.result()).isEqualTo(49L));
              return get("o");
            })
        .compose(
            stored -> {
              ctx.verify(
                  () -> {
                    assertThat(stored.kind()).isEqualTo(LatticeKind.LWW);
                    assertThat(stored.value()).isEqualTo(49L);
                  });
              return readAtPublish.future();
            })
        .onComplete(
            ctx.succeeding(
                read ->
                    ctx.verify(
                        () -> {
                          // The publication's consumer read the key as soon as it heard of the
                          // result: already there.
                          assertThat(read).isEqualTo(49L);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void aCausalCallStoresAMultiKeyCausalVersionWithItsDependencies(VertxTestContext ctx) {
    invoke(
            SchedulerRequest.InvokeDag.builder("d")
                .outputKey("o")
                .consistency(Consistency.CAUSAL)
                .clientId("c1"))
        .compose(r -> get("o"))
        .onComplete(
            ctx.succeeding(
                stored ->
                    ctx.verify(
                        () -> {
                          assertThat(stored).isInstanceOf(MultiKeyCausalLattice.class);
                          assertThat(stored.value()).isEqualTo(49L);
                          assertThat(((MultiKeyCausalLattice) stored).dependencies())
                              .containsEntry("read-before", VectorClock.of("n9", 3));
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void aReservedOrEmptyOutputKeyIsRefusedBeforeTheCallRuns(VertxTestContext ctx) {
    invoke(SchedulerRequest.InvokeDag.builder("d").outputKey("__cloudburst/functions/sq"))
        .transform(
            ar -> {
              ctx.verify(() -> assertThat(code(ar.cause())).isEqualTo(ErrorCode.BAD_REQUEST));
              return invoke(
                  SchedulerRequest.InvokeDag.builder("d").outputKey("").awaitResult(false));
            })
        .transform(
            ar -> {
              ctx.verify(() -> assertThat(code(ar.cause())).isEqualTo(ErrorCode.BAD_REQUEST));
              return invoke(SchedulerRequest.InvokeDag.builder("d").outputKey("k".repeat(2_000)));
            })
        .onComplete(
            ar ->
                ctx.verify(
                    () -> {
                      assertThat(code(ar.cause())).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
                      assertThat(schedules).isEmpty();
                      ctx.completeNow();
                    }));
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void aWriteTheStoreRefusesFailsTheCallWithItsCode(VertxTestContext ctx) {
    vertx
        .eventBus()
        .request(
            Addresses.cache(NODE),
            new CacheRequest.PutValue("o", LatticeKind.SET, "member"),
            TIMEOUT)
        .compose(v -> invoke(SchedulerRequest.InvokeDag.builder("d").outputKey("o")))
        .compose(
            r -> {
              ctx.verify(
                  () -> {
                    assertThat(r.status()).isEqualTo(CallResult.Status.FAILED);
                    assertThat(r.code()).isEqualTo(ErrorCode.CONFLICT);
                    assertThat(r.errorMessage()).contains("output_key 'o'");
                  });
              return ask(new SchedulerRequest.GetResult(r.id())).map(CallResult.class::cast);
            })
        .compose(
            held -> {
              ctx.verify(() -> assertThat(held.code()).isEqualTo(ErrorCode.CONFLICT));
              return get("o");
            })
        .onComplete(
            ctx.succeeding(
                stored ->
                    ctx.verify(
                        () -> {
                          assertThat(stored.kind()).isEqualTo(LatticeKind.SET);
                          ctx.completeNow();
                        })));
  }
}
