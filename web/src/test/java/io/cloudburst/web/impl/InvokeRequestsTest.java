package io.cloudburst.web.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Consistency;
import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.cloudburst.bus.value.Bytes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InvokeRequestsTest {
  private static void assertBadRequestNaming(Runnable parse, String field) {
    assertThatThrownBy(parse::run)
        .isInstanceOfSatisfying(
            CloudburstException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
              assertThat(e.getMessage()).contains(field);
            });
  }

  @Test
  void anEmptyFunctionCallTakesTheDefaults() {
    SchedulerRequest.InvokeFunction f = InvokeRequests.function("sq", new JsonObject());
    assertThat(f.name()).isEqualTo("sq");
    assertThat(f.args()).isEmpty();
    assertThat(f.version()).isZero();
    assertThat(f.timeoutMs()).isZero();
    assertThat(f.awaitResult()).isTrue();
    assertThat(f.awaitRefsMs()).isZero();
    assertThat(f.requestId()).isNull();
    assertThat(f.callerCallId()).isNull();
    assertThat(InvokeRequests.busTimeout(f)).isEqualTo(Deadlines.frontWait(0, true));
  }

  @Test
  void aFunctionCallCarriesEveryFieldAsTheModelValue() {
    JsonObject b =
        new JsonObject()
            .put(
                "args", new JsonArray().add(1).add("x").add(new JsonObject().put("$bytes", "AAE=")))
            .put("version", 3)
            .put("timeout_ms", 1500)
            .put("wait", false)
            .put("await_refs_ms", 200)
            .put("request_id", "r-1");
    SchedulerRequest.InvokeFunction f = InvokeRequests.function("sq", b);
    assertThat(f.args()).containsExactly(1L, "x", new Bytes(new byte[] {0, 1}));
    assertThat(f.version()).isEqualTo(3);
    assertThat(f.timeoutMs()).isEqualTo(1500);
    assertThat(f.awaitResult()).isFalse();
    assertThat(f.awaitRefsMs()).isEqualTo(200);
    assertThat(f.requestId()).isEqualTo("r-1");
    // Not waiting: the scheduler answers a pending id at once.
    assertThat(InvokeRequests.busTimeout(f)).isEqualTo(Deadlines.REQUEST_MS);
  }

  @Test
  void wrongTypesOfAFunctionCallAreBadRequestNamingTheField() {
    assertBadRequestNaming(
        () -> InvokeRequests.function("f", new JsonObject().put("args", "x")), "'args'");
    assertBadRequestNaming(
        () -> InvokeRequests.function("f", new JsonObject().put("wait", "yes")), "'wait'");
    assertBadRequestNaming(
        () -> InvokeRequests.function("f", new JsonObject().put("timeout_ms", -1)), "'timeout_ms'");
    assertBadRequestNaming(
        () -> InvokeRequests.function("f", new JsonObject().put("timeout_ms", 1.5)),
        "'timeout_ms'");
    assertBadRequestNaming(
        () -> InvokeRequests.function("f", new JsonObject().put("version", "2")), "'version'");
    assertBadRequestNaming(
        () -> InvokeRequests.function("f", new JsonObject().put("await_refs_ms", true)),
        "'await_refs_ms'");
    assertBadRequestNaming(
        () -> InvokeRequests.function("f", new JsonObject().put("request_id", 7)), "'request_id'");
    assertBadRequestNaming(
        () ->
            InvokeRequests.function(
                "f",
                new JsonObject()
                    .put(
                        "args",
                        new JsonArray().add(new JsonObject().put("$bytes", "not base64!")))),
        "$bytes");
    assertBadRequestNaming(
        () ->
            InvokeRequests.function(
                "f", new JsonObject().put("args", new JsonArray().add(Double.POSITIVE_INFINITY))),
        "'args'");
    assertBadRequestNaming(
        () ->
            InvokeRequests.function(
                "f",
                new JsonObject()
                    .put("args", new JsonArray().add(new JsonObject().put("x", Double.NaN)))),
        "'args'");
  }

  @Test
  void aDagCallTakesTheDefaultsAndNormalConsistency() {
    SchedulerRequest.InvokeDag d = InvokeRequests.dag("pipeline", new JsonObject());
    assertThat(d.name()).isEqualTo("pipeline");
    assertThat(d.args()).isEmpty();
    assertThat(d.consistency()).isEqualTo(Consistency.NORMAL);
    assertThat(d.awaitResult()).isTrue();
    assertThat(d.timeoutMs()).isZero();
    assertThat(d.outputKey()).isNull();
    assertThat(d.clientId()).isNull();
    assertThat(d.requestId()).isNull();
  }

  @Test
  void aDagCallCarriesArgumentsByFunctionAndEachConsistencyByItsWireName() {
    JsonObject b =
        new JsonObject()
            .put(
                "args", new JsonObject().put("a", new JsonArray().add(1)).put("b", new JsonArray()))
            .put("timeout_ms", 900)
            .put("output_key", "out")
            .put("client_id", "c1")
            .put("request_id", "r2");
    SchedulerRequest.InvokeDag d = InvokeRequests.dag("p", b);
    assertThat(d.args()).isEqualTo(Map.of("a", List.of(1L), "b", List.of()));
    assertThat(d.timeoutMs()).isEqualTo(900);
    assertThat(d.outputKey()).isEqualTo("out");
    assertThat(d.clientId()).isEqualTo("c1");
    assertThat(d.requestId()).isEqualTo("r2");
    assertThat(InvokeRequests.busTimeout(d)).isEqualTo(900 + Deadlines.FRONT_MARGIN_MS);
    for (Consistency c : Consistency.values()) {
      assertThat(
              InvokeRequests.dag("p", new JsonObject().put("consistency", c.wireName()))
                  .consistency())
          .isEqualTo(c);
    }
  }

  @Test
  void wrongTypesOfADagCallAreBadRequestNamingTheField() {
    assertBadRequestNaming(
        () -> InvokeRequests.dag("p", new JsonObject().put("args", new JsonArray())), "'args'");
    assertBadRequestNaming(
        () -> InvokeRequests.dag("p", new JsonObject().put("args", new JsonObject().put("a", 1))),
        "'a'");
    assertBadRequestNaming(
        () -> InvokeRequests.dag("p", new JsonObject().put("consistency", "strong")),
        "consistency");
    assertBadRequestNaming(
        () -> InvokeRequests.dag("p", new JsonObject().put("consistency", 1)), "'consistency'");
    assertBadRequestNaming(
        () -> InvokeRequests.dag("p", new JsonObject().put("output_key", List.of())),
        "'output_key'");
    assertBadRequestNaming(
        () -> InvokeRequests.dag("p", new JsonObject().put("client_id", 3)), "'client_id'");
    assertBadRequestNaming(
        () -> InvokeRequests.dag("p", new JsonObject().put("wait", 0)), "'wait'");
    assertBadRequestNaming(
        () ->
            InvokeRequests.dag(
                "p",
                new JsonObject()
                    .put(
                        "args",
                        new JsonObject().put("a", new JsonArray().add(Double.NEGATIVE_INFINITY)))),
        "'args'");
  }

  @Test
  void aBridgeInvokeNamesExactlyOneOfFunctionOrDag() {
    assertThat(Bridges.invokeRequest(new JsonObject().put("function", "f")))
        .isInstanceOf(SchedulerRequest.InvokeFunction.class);
    assertThat(Bridges.invokeRequest(new JsonObject().put("dag", "d")))
        .isInstanceOf(SchedulerRequest.InvokeDag.class);
    assertBadRequestNaming(() -> Bridges.invokeRequest(new JsonObject()), "'function' or 'dag'");
    assertBadRequestNaming(
        () -> Bridges.invokeRequest(new JsonObject().put("function", "f").put("dag", "d")),
        "'function' or 'dag'");
    assertBadRequestNaming(() -> Bridges.invokeRequest("text"), "JSON object");
  }

  @Test
  void atomicIsABooleanForFunctionsAndDagsAndAnythingElseIsBadRequest() {
    assertThat(InvokeRequests.function("sq", new JsonObject()).atomic()).isFalse();
    assertThat(InvokeRequests.function("sq", new JsonObject().put("atomic", true)).atomic())
        .isTrue();
    assertThat(InvokeRequests.dag("d", new JsonObject()).atomic()).isFalse();
    assertThat(InvokeRequests.dag("d", new JsonObject().put("atomic", true)).atomic()).isTrue();
    for (Object bad : List.of("yes", 1, "true", new JsonArray())) {
      assertBadRequestNaming(
          () -> InvokeRequests.function("sq", new JsonObject().put("atomic", bad)), "atomic");
      assertBadRequestNaming(
          () -> InvokeRequests.dag("d", new JsonObject().put("atomic", bad)), "atomic");
    }
  }
}
