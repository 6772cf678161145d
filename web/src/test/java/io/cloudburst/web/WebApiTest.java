package io.cloudburst.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.codec.CloudburstCodecs;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP contract of the web front against a fake scheduler: shapes, status codes and the error
 * JSON for bad input. The real scheduler and executors are covered end to end in the node module.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebApiTest {
  private Vertx vertx;
  private WebClient client;
  private final List<SchedulerRequest> seen = new ArrayList<>();
  private int port;

  @BeforeAll
  void deploy(VertxTestContext ctx) {
    vertx = Vertx.vertx();
    CloudburstCodecs.register(vertx);
    vertx
        .eventBus()
        .<SchedulerRequest>consumer(
            Addresses.SCHEDULER,
            m -> {
              seen.add(m.body());
              switch (m.body()) {
                case SchedulerRequest.RegisterFunction r ->
                    m.reply(new FunctionInfo(r.name(), "python", 1, r.source(), r.name(), 0));
                case SchedulerRequest.InvokeFunction r when r.name().equals("sq") ->
                    m.reply(
                        r.awaitResult()
                            ? CallResult.done(
                                "c1",
                                "sq",
                                ((Long) r.args().get(0)) * ((Long) r.args().get(0)),
                                "",
                                "e",
                                5)
                            : CallResult.pending("c1", "sq"));
                case SchedulerRequest.InvokeFunction r when r.name().equals("boom") ->
                    m.reply(
                        CallResult.failed(
                            "c2",
                            "boom",
                            CloudburstException.executionError(
                                "Traceback (most recent call last):\nZeroDivisionError"),
                            "",
                            "e",
                            5));
                case SchedulerRequest.GetResult r when r.id().equals("c1") ->
                    m.reply(CallResult.done("c1", "sq", 4L, "", "e", 5));
                case SchedulerRequest.GetResult r ->
                    m.fail(
                        ErrorCode.RESULT_NOT_FOUND.failureCode(),
                        "no call with id '" + r.id() + "'");
                default -> m.fail(ErrorCode.FUNC_NOT_FOUND.failureCode(), "no function named 'x'");
              }
            });
    WebVerticle web = new WebVerticle();
    vertx
        .deployVerticle(
            web,
            new io.vertx.core.DeploymentOptions()
                .setConfig(new JsonObject().put("port", 0).put("maxBodyBytes", 1 << 20)))
        .onComplete(
            ctx.succeeding(
                id -> {
                  port = web.actualPort();
                  client =
                      WebClient.create(
                          vertx,
                          new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
                  ctx.completeNow();
                }));
  }

  @AfterAll
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void close(VertxTestContext ctx) {
    client.close();
    vertx.close().onComplete(ctx.succeedingThenComplete());
  }

  private Future<HttpResponse<Buffer>> post(String path, String body) {
    return client
        .post(path)
        .putHeader("content-type", "application/json")
        .sendBuffer(Buffer.buffer(body));
  }

  private static void assertError(HttpResponse<Buffer> r, int status, ErrorCode code) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    JsonObject err = r.bodyAsJsonObject().getJsonObject("error");
    assertThat(err.getString("code")).isEqualTo(code.name());
    assertThat(err.getString("message")).isNotBlank();
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void registerAnswers201WithNameAndVersion(VertxTestContext ctx) {
    post(
            "/v1/functions",
            "{\"name\":\"sq\",\"language\":\"python\",\"source\":\"def sq(cb,x): return x*x\"}")
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.statusCode()).isEqualTo(201);
                          assertThat(r.bodyAsJsonObject().getString("name")).isEqualTo("sq");
                          assertThat(r.bodyAsJsonObject().getInteger("version")).isEqualTo(1);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aKnownPathWithAnotherMethodIs405AndAnUnknownPathIs404BothWithTheJsonError(
      VertxTestContext ctx) {
    Future.all(
            client.request(io.vertx.core.http.HttpMethod.PATCH, "/v1/functions").send(),
            client.put("/health").send(),
            client.delete("/v1/results/x").send(),
            client.get("/v1/nothing-here").send(),
            client.get("/no-such-file.js").send())
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          for (int i = 0; i < 3; i++) {
                            HttpResponse<Buffer> r = all.resultAt(i);
                            assertError(r, 405, ErrorCode.BAD_REQUEST);
                            assertThat(
                                    r.bodyAsJsonObject()
                                        .getJsonObject("error")
                                        .getString("message"))
                                .contains("not allowed");
                          }
                          for (int i = 3; i < 5; i++) {
                            HttpResponse<Buffer> r = all.resultAt(i);
                            assertError(r, 404, ErrorCode.BAD_REQUEST);
                            assertThat(
                                    r.bodyAsJsonObject()
                                        .getJsonObject("error")
                                        .getString("message"))
                                .contains("no such endpoint");
                          }
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void malformedJsonIsBadRequest(VertxTestContext ctx) {
    post("/v1/functions", "{\"name\": ")
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertError(r, 400, ErrorCode.BAD_REQUEST);
                          assertThat(
                                  r.bodyAsJsonObject().getJsonObject("error").getString("message"))
                              .contains("malformed JSON");
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void wrongTypesAreBadRequestNamingTheField(VertxTestContext ctx) {
    Future.all(
            post("/v1/functions", "{\"name\":42,\"language\":\"python\",\"source\":\"x\"}"),
            post("/v1/functions/sq/invoke", "{\"args\": 2}"),
            post("/v1/functions/sq/invoke", "{\"args\": [2], \"wait\": \"yes\"}"),
            post("/v1/functions/sq/invoke", "{\"args\": [2], \"timeout_ms\": -5}"),
            post("/v1/functions", "[1,2]"),
            post("/v1/functions/sq/invoke", "{\"args\": [{\"$bytes\": \"***\"}]}"))
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          String[] fields = {
                            "name", "args", "wait", "timeout_ms", "JSON object", "base64"
                          };
                          for (int i = 0; i < fields.length; i++) {
                            HttpResponse<Buffer> r = all.resultAt(i);
                            assertError(r, 400, ErrorCode.BAD_REQUEST);
                            assertThat(
                                    r.bodyAsJsonObject()
                                        .getJsonObject("error")
                                        .getString("message"))
                                .contains(fields[i]);
                          }
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void argumentsADoubleCannotHoldAreBadRequestAndNeverReachTheScheduler(VertxTestContext ctx) {
    Future.all(
            post("/v1/functions/sq/invoke", "{\"args\": [1e999]}"),
            post("/v1/functions/sq/invoke", "{\"args\": [{\"x\": [-1e999]}]}"),
            post("/v1/dags/pipe/invoke", "{\"args\": {\"a\": [1e400]}}"))
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          for (int i = 0; i < 3; i++) {
                            HttpResponse<Buffer> r = all.resultAt(i);
                            assertError(r, 400, ErrorCode.BAD_REQUEST);
                            assertThat(
                                    r.bodyAsJsonObject()
                                        .getJsonObject("error")
                                        .getString("message"))
                                .contains("'args'");
                          }
                          assertThat(seen)
                              .noneMatch(
                                  q ->
                                      q instanceof SchedulerRequest.InvokeDag d
                                          && d.name().equals("pipe"));
                          assertThat(seen).noneMatch(q -> q.toString().contains("Infinity"));
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void missingRequiredFieldIsBadRequest(VertxTestContext ctx) {
    post("/v1/functions", "{\"name\":\"sq\",\"lang\":\"python\",\"source\":\"x\"}")
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertError(r, 400, ErrorCode.BAD_REQUEST);
                          assertThat(
                                  r.bodyAsJsonObject().getJsonObject("error").getString("message"))
                              .contains("'language'");
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void aBodyOverTheLimitIsPayloadTooLarge(VertxTestContext ctx) {
    String big =
        "{\"name\":\"sq\",\"language\":\"python\",\"source\":\"" + "x".repeat(10 << 20) + "\"}";
    post("/v1/functions", big)
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertError(r, 413, ErrorCode.PAYLOAD_TOO_LARGE);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void invokeWithWaitGives200AndTheResult(VertxTestContext ctx) {
    post("/v1/functions/sq/invoke", "{\"args\": [3]}")
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.statusCode()).isEqualTo(200);
                          assertThat(r.bodyAsJsonObject().getString("status")).isEqualTo("done");
                          assertThat(r.bodyAsJsonObject().getLong("result")).isEqualTo(9L);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void invokeWithoutWaitGives202AndAnIdThatReadsBack(VertxTestContext ctx) {
    post("/v1/functions/sq/invoke", "{\"args\": [2], \"wait\": false}")
        .compose(
            r -> {
              ctx.verify(
                  () -> {
                    assertThat(r.statusCode()).isEqualTo(202);
                    assertThat(r.bodyAsJsonObject().getString("status")).isEqualTo("pending");
                  });
              return client.get("/v1/results/" + r.bodyAsJsonObject().getString("id")).send();
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.statusCode()).isEqualTo(200);
                          assertThat(r.bodyAsJsonObject().getLong("result")).isEqualTo(4L);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aFailedCallCarriesItsCodeAndStatus(VertxTestContext ctx) {
    post("/v1/functions/boom/invoke", "{}")
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertError(r, 422, ErrorCode.EXECUTION_ERROR);
                          assertThat(r.bodyAsJsonObject().getString("status")).isEqualTo("failed");
                          assertThat(
                                  r.bodyAsJsonObject().getJsonObject("error").getString("message"))
                              .contains("Traceback");
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void unknownResultAndUnknownRouteAreClearErrors(VertxTestContext ctx) {
    Future.all(
            client.get("/v1/results/nope").send(),
            client.get("/v1/nothing-here").send(),
            post("/v1/functions/x/invoke", "{}"))
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          assertError(all.resultAt(0), 404, ErrorCode.RESULT_NOT_FOUND);
                          assertThat(((HttpResponse<Buffer>) all.resultAt(1)).statusCode())
                              .isEqualTo(404);
                          assertError(all.resultAt(2), 404, ErrorCode.FUNC_NOT_FOUND);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void echoReturnsTheBody(VertxTestContext ctx) {
    post("/v1/echo", "{\"a\":[1,2]}")
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.bodyAsJsonObject())
                              .isEqualTo(new JsonObject().put("a", new JsonArray().add(1).add(2)));
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void webSocketPushesAFinishedResultAndAnswersBadFramesWithErrors(VertxTestContext ctx) {
    WebSocketClient ws = vertx.createWebSocketClient();
    List<JsonObject> frames = new ArrayList<>();
    ws.connect(port, "127.0.0.1", "/v1/futures")
        .onComplete(
            ctx.succeeding(
                socket -> {
                  socket.textMessageHandler(
                      t -> {
                        frames.add(new JsonObject(t));
                        if (frames.size() == 3) {
                          ctx.verify(
                              () -> {
                                assertThat(frames.get(0).containsKey("id")).isFalse();
                                assertThat(frames.get(0).getJsonObject("error").getString("code"))
                                    .isEqualTo("BAD_REQUEST");
                                JsonObject madeUp =
                                    frames.stream()
                                        .filter(f -> "made-up".equals(f.getString("id")))
                                        .findFirst()
                                        .orElseThrow();
                                assertThat(madeUp.getJsonObject("error").getString("code"))
                                    .isEqualTo("RESULT_NOT_FOUND");
                                JsonObject c1 =
                                    frames.stream()
                                        .filter(f -> "c1".equals(f.getString("id")))
                                        .findFirst()
                                        .orElseThrow();
                                assertThat(c1.getString("status")).isEqualTo("done");
                                assertThat(c1.getLong("result")).isEqualTo(4L);
                              });
                          socket
                              .close()
                              .compose(v -> ws.close())
                              .onComplete(ctx.succeedingThenComplete());
                        }
                      });
                  socket
                      .writeTextMessage("not json")
                      .compose(v -> socket.writeTextMessage("{\"subscribe\":\"made-up\"}"))
                      .compose(v -> socket.writeTextMessage("{\"subscribe\":\"c1\"}"));
                }));
  }
}
