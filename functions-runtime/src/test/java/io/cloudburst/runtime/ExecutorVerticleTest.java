package io.cloudburst.runtime;

import static io.cloudburst.runtime.ExecutorHarness.fn;
import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.DagEvent;
import io.cloudburst.bus.msg.DagSchedule;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.msg.ExecutorStatus;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.cloudburst.bus.value.Bytes;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The executor verticle alone, with real GraalPy and GraalJS, driven by bus messages. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ExecutorVerticleTest {
  private static ExecutorHarness h;

  @BeforeAll
  static void deploy() throws Exception {
    h = ExecutorHarness.start(new JsonObject().put("maxLogBytes", 1000));
    h.deployStore();
  }

  @AfterAll
  static void close() throws Exception {
    h.close();
  }

  @Test
  @SuppressWarnings("unchecked")
  void pythonAndJavascriptResultsKeepTheirTypes(VertxTestContext tc) {
    FunctionInfo py =
        fn(
            "types_py",
            "python",
            "def types_py(cb, x):\n    return [x * x, x / 2, str(x), x > 1, None, {'b': b'\\x00\\x01'}]\n");
    FunctionInfo js =
        fn(
            "types_js",
            "javascript",
            "function types_js(cb, x) { return [x * x, x / 4, String(x), x > 1, null, new Uint8Array([0, 1])] }");
    h.execute(py, 10_000, 4L)
        .compose(
            r -> {
              tc.verify(
                  () ->
                      assertThat((List<Object>) r.result())
                          .containsExactly(
                              16L,
                              2.0,
                              "4",
                              true,
                              null,
                              Map.of("b", new Bytes(new byte[] {0, 1}))));
              return h.execute(js, 10_000, 2L);
            })
        .onSuccess(
            r ->
                tc.verify(
                    () -> {
                      assertThat((List<Object>) r.result())
                          .containsExactly(4L, 0.5, "2", true, null, new Bytes(new byte[] {0, 1}));
                      tc.completeNow();
                    }))
        .onFailure(tc::failNow);
  }

  @Test
  void aRunawayCallTimesOutAndTheNextCallOfTheSameFunctionWorks(VertxTestContext tc) {
    FunctionInfo f =
        fn(
            "runaway",
            "python",
            "def runaway(cb, spin):\n    while spin:\n        pass\n    return 'ok'\n");
    long t0 = System.nanoTime();
    h.execute(f, 500, true)
        .compose(
            r -> {
              long ms = (System.nanoTime() - t0) / 1_000_000;
              tc.verify(
                  () -> {
                    assertThat(r.status()).isEqualTo(CallResult.Status.FAILED);
                    assertThat(r.code()).isEqualTo(ErrorCode.TIMEOUT);
                    assertThat(ms).isGreaterThanOrEqualTo(500);
                  });
              return h.execute(f, 10_000, false);
            })
        .onSuccess(
            r ->
                tc.verify(
                    () -> {
                      assertThat(r.result()).isEqualTo("ok");
                      tc.completeNow();
                    }))
        .onFailure(tc::failNow);
  }

  @Test
  void printedOutputIsKeptPerCallAndCut(VertxTestContext tc) {
    FunctionInfo f =
        fn("chatty", "python", "def chatty(cb, n):\n    print('x' * n)\n    return n\n");
    h.execute(f, 10_000, 5000L)
        .compose(
            r -> {
              tc.verify(
                  () ->
                      assertThat(r.logs())
                          .startsWith("xxx")
                          .contains("more bytes of output cut")
                          .hasSizeLessThan(1100));
              return h.execute(f, 10_000, 3L);
            })
        .onSuccess(
            r ->
                tc.verify(
                    () -> {
                      assertThat(r.logs()).isEqualTo("xxx\n");
                      tc.completeNow();
                    }))
        .onFailure(tc::failNow);
  }

  @Test
  void sourcesThatDoNotLoadAreRefusedWithTheReason(VertxTestContext tc) {
    h.validate(
            fn(
                "raises_at_load",
                "python",
                "x = 1\nraise ValueError('broken module')\ndef raises_at_load(cb): return 1\n"))
        .onSuccess(v -> tc.failNow("a module that raises must be refused"))
        .onFailure(
            t ->
                tc.verify(
                    () -> {
                      assertThat(((ReplyException) t).failureCode())
                          .isEqualTo(ErrorCode.BAD_REQUEST.failureCode());
                      assertThat(t.getMessage()).contains("broken module").contains("line 2");
                    }))
        .compose(
            x -> null, t -> h.validate(fn("not_callable", "javascript", "var not_callable = 3;")))
        .onSuccess(v -> tc.failNow("a non-function entrypoint must be refused"))
        .onFailure(
            t ->
                tc.verify(
                    () -> {
                      assertThat(t.getMessage()).contains("not_callable");
                      tc.completeNow();
                    }));
  }

  @Test
  void statusReportsTheWarmVersions(VertxTestContext tc) {
    FunctionInfo f = fn("warm_me", "javascript", "function warm_me(cb) { return 1 }");
    MessageConsumer<ExecutorStatus> c = h.vertx.eventBus().consumer(Addresses.EXECUTOR_STATUS);
    c.handler(
        m -> {
          if (m.body().warm().contains(f.contextKey())) {
            tc.verify(
                () -> {
                  assertThat(m.body().address()).isEqualTo(h.address);
                  assertThat(m.body().threads()).isEqualTo(2);
                });
            c.unregister();
            tc.completeNow();
          }
        });
    h.validate(f).onFailure(tc::failNow);
  }

  private static DagSchedule schedule(
      String id,
      Map<String, FunctionInfo> fns,
      Map<String, List<String>> up,
      Map<String, List<String>> down,
      Map<String, List<Object>> args,
      List<String> sinks,
      String done) {
    Map<String, String> placement = new LinkedHashMap<>();
    fns.keySet().forEach(k -> placement.put(k, h.address));
    return new DagSchedule(
        id,
        "d",
        fns,
        placement,
        up,
        down,
        args,
        sinks,
        done,
        System.currentTimeMillis() + 20_000,
        0,
        io.cloudburst.bus.Consistency.NORMAL,
        null,
        null);
  }

  @Test
  void dagStepsPassResultsDownstreamAndTheSinkReportsCompletion(VertxTestContext tc) {
    Map<String, FunctionInfo> fns = new LinkedHashMap<>();
    fns.put("incr", fn("incr", "python", "def incr(cb, x): return x + 1"));
    fns.put("sq", fn("sq", "javascript", "function sq(cb, x) { return x * x }"));
    String done = "test.done." + System.nanoTime();
    h.vertx
        .eventBus()
        .<DagEvent>consumer(
            done,
            m ->
                tc.verify(
                    () -> {
                      DagEvent.StepDone d = (DagEvent.StepDone) m.body();
                      assertThat(d.function()).isEqualTo("sq");
                      assertThat(d.callId()).isEqualTo("dag1#0");
                      assertThat(d.result().result()).isEqualTo(16L);
                      tc.completeNow();
                    }))
        .completion()
        .onSuccess(
            v ->
                h.vertx
                    .eventBus()
                    .request(
                        h.address,
                        new ExecutorRequest.RunDag(
                            schedule(
                                "dag1#0",
                                fns,
                                Map.of("sq", List.of("incr")),
                                Map.of("incr", List.of("sq")),
                                Map.of("incr", List.of(3L)),
                                List.of("sq"),
                                done))));
  }

  @Test
  void sendReachesAnotherInvocationOfTheSameDagCallAndStrangersAreRefused(VertxTestContext tc) {
    Map<String, FunctionInfo> fns = new LinkedHashMap<>();
    fns.put(
        "talker",
        fn(
            "talker",
            "python",
            """
        def talker(cb):
            me = cb.id()
            cb.send(me[:me.rindex('/')] + '/listener', b'hello')
            try:
                cb.send('someone-else#0/listener', b'sneaky')
                return 'sent to a stranger'
            except cb.Error as e:
                return e.code
        """));
    fns.put(
        "listener",
        fn(
            "listener",
            "python",
            """
        def listener(cb):
            got = cb.recv()
            while not got:
                got = cb.recv()
            return [[s, m] for s, m in got]
        """));
    String done = "test.done." + System.nanoTime();
    Map<String, Object> results = new LinkedHashMap<>();
    h.vertx
        .eventBus()
        .<DagEvent>consumer(
            done,
            m -> {
              DagEvent.StepDone d = (DagEvent.StepDone) m.body();
              results.put(d.function(), d.result().result());
              if (results.size() == 2) {
                tc.verify(
                    () -> {
                      assertThat(results.get("talker")).isEqualTo("BAD_REQUEST");
                      assertThat(results.get("listener"))
                          .isEqualTo(
                              List.of(List.of("dag2#0/talker", new Bytes("hello".getBytes()))));
                    });
                tc.completeNow();
              }
            })
        .completion()
        .onSuccess(
            v ->
                h.vertx
                    .eventBus()
                    .request(
                        h.address,
                        new ExecutorRequest.RunDag(
                            schedule(
                                "dag2#0",
                                fns,
                                Map.of(),
                                Map.of(),
                                Map.of(),
                                List.of("talker", "listener"),
                                done))));
  }

  @Test
  void aNestedCallGoesThroughTheSchedulerOneLevelDeeper(VertxTestContext tc) {
    MessageConsumer<SchedulerRequest> scheduler =
        h.vertx
            .eventBus()
            .consumer(
                Addresses.SCHEDULER,
                m -> {
                  SchedulerRequest.InvokeFunction r = (SchedulerRequest.InvokeFunction) m.body();
                  tc.verify(
                      () -> {
                        assertThat(r.name()).isEqualTo("sq");
                        assertThat(r.depth()).isEqualTo(1);
                        assertThat(r.args()).containsExactly(5L);
                        assertThat(r.timeoutMs()).isPositive();
                      });
                  long x = (Long) r.args().get(0);
                  m.reply(CallResult.done("nested", "sq", x * x, null, null, 1));
                });
    FunctionInfo outer = fn("outer", "python", "def outer(cb, x): return cb.call('sq', x) + 1");
    Promise<Void> registered = Promise.promise();
    scheduler.completion().onComplete(registered);
    registered
        .future()
        .compose(v -> h.execute(outer, 10_000, 5L))
        .onSuccess(
            r ->
                tc.verify(
                    () -> {
                      assertThat(r.result()).as(String.valueOf(r)).isEqualTo(26L);
                      scheduler.unregister();
                      tc.completeNow();
                    }))
        .onFailure(tc::failNow);
  }

  @Test
  void aPythonPrivateValueIsRefusedToJavascript(VertxTestContext tc) {
    FunctionInfo js = fn("js_echo", "javascript", "function js_echo(cb, v) { return v }");
    h.execute(js, 10_000, new io.cloudburst.bus.value.Pickled(new byte[] {1, 2}))
        .onSuccess(
            r ->
                tc.verify(
                    () -> {
                      assertThat(r.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                      assertThat(r.errorMessage()).contains("pickled");
                      tc.completeNow();
                    }))
        .onFailure(tc::failNow);
  }

  @Test
  @Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
  void aMessageToAnUnreachableExecutorWaitsInTheStoreMailbox(VertxTestContext tc) throws Exception {
    String other = h.deployExecutor(1, new JsonObject());
    Map<String, FunctionInfo> fns = new LinkedHashMap<>();
    fns.put(
        "sender",
        fn(
            "sender",
            "python",
            """
        def sender(cb):
            me = cb.id()
            cb.send(me[:me.rindex('/')] + '/receiver', b'via the store')
            return 'sent'
        """));
    fns.put(
        "receiver",
        fn(
            "receiver",
            "javascript",
            """
        function receiver(cb) {
          let got = cb.recv();
          while (got.length === 0) got = cb.recv();
          return got.map(([from, data]) => [from, String.fromCharCode(...data)]);
        }
        """));
    String done = "test.done." + System.nanoTime();
    long deadline = System.currentTimeMillis() + 60_000;
    // The sender is told the receiver runs at an address nobody serves; the receiver runs on
    // "other".
    DagSchedule toSender =
        new DagSchedule(
            "dag3#0",
            "d",
            fns,
            Map.of("sender", h.address, "receiver", "cloudburst.executor.t.99"),
            Map.of(),
            Map.of(),
            Map.of(),
            List.of("sender", "receiver"),
            done,
            deadline,
            0,
            io.cloudburst.bus.Consistency.NORMAL,
            null,
            null);
    DagSchedule toReceiver =
        new DagSchedule(
            "dag3#0",
            "d",
            fns,
            Map.of("sender", "cloudburst.executor.t.98", "receiver", other),
            Map.of(),
            Map.of(),
            Map.of(),
            List.of("sender", "receiver"),
            done,
            deadline,
            0,
            io.cloudburst.bus.Consistency.NORMAL,
            null,
            null);
    Map<String, Object> results = new java.util.concurrent.ConcurrentHashMap<>();
    h.vertx
        .eventBus()
        .<DagEvent>consumer(
            done,
            m -> {
              DagEvent.StepDone d = (DagEvent.StepDone) m.body();
              results.put(
                  d.function(),
                  d.result().status() == CallResult.Status.DONE
                      ? d.result().result()
                      : d.result().errorMessage());
              if (results.size() == 2) {
                tc.verify(
                    () -> {
                      assertThat(results.get("sender")).isEqualTo("sent");
                      assertThat(results.get("receiver"))
                          .isEqualTo(List.of(List.of("dag3#0/sender", "via the store")));
                    });
                // The receiver got its letter through the store, so its store mailbox is dropped
                // when its run ends.
                awaitAbsent(io.cloudburst.bus.Keys.system("mailbox", "dag3#0/receiver"), 200, tc);
              }
            })
        .completion()
        .onSuccess(
            v -> {
              h.vertx.eventBus().request(other, new ExecutorRequest.RunDag(toReceiver));
              h.vertx.eventBus().request(h.address, new ExecutorRequest.RunDag(toSender));
            });
  }

  /**
   * Polls the store every 20 ms until {@code key} is absent, then completes; fails after {@code
   * tries}.
   */
  private static void awaitAbsent(String key, int tries, VertxTestContext tc) {
    h.vertx
        .eventBus()
        .<io.cloudburst.bus.msg.KvsReply>request(
            Addresses.KVS, new io.cloudburst.bus.msg.KvsRequest.Get(key, null))
        .onFailure(tc::failNow)
        .onSuccess(
            m -> {
              if (((io.cloudburst.bus.msg.KvsReply.Found) m.body()).lattice() == null) {
                tc.completeNow();
              } else if (tries <= 1) {
                tc.failNow("store mailbox " + key + " was not dropped");
              } else {
                h.vertx.setTimer(20, t -> awaitAbsent(key, tries - 1, tc));
              }
            });
  }
}
