package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SCENARIOS.md 14-18 and the composition issue's bad input, through the public API. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CompositionEndToEndTest {
  private static TestNode n;

  @BeforeAll
  static void node() throws Exception {
    n = TestNode.shared();
    assertThat(n.register("co_incr", "python", "def co_incr(cb, x):\n    return x + 1\n").status())
        .isEqualTo(201);
    assertThat(n.register("co_sq", "javascript", "function co_sq(cb, x) { return x * x }").status())
        .isEqualTo(201);
    assertThat(
            dag(
                    "co_incr_sq",
                    new JsonArray().add("co_incr").add("co_sq"),
                    pairs("co_incr", "co_sq"))
                .status())
        .isEqualTo(201);
  }

  private static JsonArray pairs(String... fromTo) {
    JsonArray out = new JsonArray();
    for (int i = 0; i < fromTo.length; i += 2) {
      out.add(new JsonArray().add(fromTo[i]).add(fromTo[i + 1]));
    }
    return out;
  }

  private static TestNode.Reply dag(String name, JsonArray functions, JsonArray connections)
      throws Exception {
    return n.post(
        "/v1/dags",
        new JsonObject()
            .put("name", name)
            .put("functions", functions)
            .put("connections", connections));
  }

  private static TestNode.Reply callDag(String name, JsonObject args) throws Exception {
    return n.post("/v1/dags/" + name + "/invoke", new JsonObject().put("args", args));
  }

  @Test
  void incrThenSqOfThreeIsSixteenByWaitByPendingIdAndByWebSocket() throws Exception {
    TestNode.Reply waited =
        callDag("co_incr_sq", new JsonObject().put("co_incr", new JsonArray().add(3)));
    assertThat(waited.status()).as(waited.body()).isEqualTo(200);
    assertThat(waited.json().getLong("result")).isEqualTo(16L);

    TestNode.Reply pending =
        n.post(
            "/v1/dags/co_incr_sq/invoke",
            new JsonObject()
                .put("args", new JsonObject().put("co_incr", new JsonArray().add(3)))
                .put("wait", false));
    assertThat(pending.status()).isEqualTo(202);
    String id = pending.json().getString("id");
    JsonObject result = n.awaitResult(id, 20);
    assertThat(result.getString("status")).isEqualTo("done");
    assertThat(result.getLong("result")).isEqualTo(16L);

    String id2 =
        n.post(
                "/v1/dags/co_incr_sq/invoke",
                new JsonObject()
                    .put("args", new JsonObject().put("co_incr", new JsonArray().add(3)))
                    .put("wait", false))
            .json()
            .getString("id");
    CompletableFuture<String> pushed = new CompletableFuture<>();
    WebSocket ws =
        n.http
            .newWebSocketBuilder()
            .buildAsync(
                URI.create(n.base.replace("http", "ws") + "/v1/futures"),
                new WebSocket.Listener() {
                  private final StringBuilder text = new StringBuilder();

                  @Override
                  public CompletionStage<?> onText(
                      WebSocket webSocket, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                      pushed.complete(text.toString());
                    }
                    webSocket.request(1);
                    return null;
                  }
                })
            .get(10, TimeUnit.SECONDS);
    ws.sendText(new JsonObject().put("subscribe", id2).encode(), true).get(10, TimeUnit.SECONDS);
    JsonObject fromSocket = new JsonObject(pushed.get(20, TimeUnit.SECONDS));
    assertThat(fromSocket.getString("id")).isEqualTo(id2);
    assertThat(fromSocket.getLong("result")).isEqualTo(16L);
    ws.abort();
  }

  @Test
  void invalidDagsAndMissingDagsGetTheirCodes() throws Exception {
    assertThat(
            dag(
                    "co_bad1",
                    new JsonArray().add("co_incr").add("co_nope"),
                    pairs("co_incr", "co_nope"))
                .errorCode())
        .isEqualTo("DAG_INVALID");
    assertThat(
            dag(
                    "co_bad2",
                    new JsonArray().add("co_incr").add("co_sq"),
                    pairs("co_incr", "co_sq", "co_sq", "co_incr"))
                .errorCode())
        .isEqualTo("DAG_INVALID");
    assertThat(
            dag("co_bad3", new JsonArray().add("co_incr"), pairs("co_incr", "co_incr")).errorCode())
        .isEqualTo("DAG_INVALID");
    assertThat(dag("co_bad4", new JsonArray(), new JsonArray()).errorCode())
        .isEqualTo("DAG_INVALID");
    JsonArray many = new JsonArray();
    for (int i = 0; i < 10_000; i++) {
      many.add("co_f" + i);
    }
    TestNode.Reply huge = dag("co_bad5", many, new JsonArray());
    assertThat(huge.status()).isEqualTo(400);
    assertThat(huge.errorCode()).isEqualTo("DAG_INVALID");
    assertThat(dag("co_incr_sq", new JsonArray().add("co_incr"), new JsonArray()).errorCode())
        .isEqualTo("DAG_ALREADY_EXISTS");
    assertThat(callDag("co_missing", new JsonObject()).errorCode()).isEqualTo("DAG_NOT_FOUND");
    assertThat(n.send("DELETE", "/v1/dags/co_missing", null).errorCode())
        .isEqualTo("DAG_NOT_FOUND");
    TestNode.Reply stranger =
        callDag("co_incr_sq", new JsonObject().put("co_other", new JsonArray().add(1)));
    assertThat(stranger.errorCode()).isEqualTo("BAD_REQUEST");
    assertThat(stranger.errorMessage()).contains("co_other");
    TestNode.Reply inUse = n.send("DELETE", "/v1/functions/co_incr", null);
    assertThat(inUse.status()).isEqualTo(409);
    assertThat(inUse.errorCode()).isEqualTo("CONFLICT");
  }

  @Test
  void aFanInReceivesItsUpstreamResultsInConnectionOrder() throws Exception {
    assertThat(n.register("co_a", "python", "def co_a(cb): return 'a'").status()).isEqualTo(201);
    assertThat(n.register("co_b", "python", "def co_b(cb): return 'b'").status()).isEqualTo(201);
    assertThat(
            n.register(
                    "co_c",
                    "javascript",
                    "function co_c(cb, own, first, second) { return [own, first, second] }")
                .status())
        .isEqualTo(201);
    // b -> c is connected first, so c receives b's result before a's.
    assertThat(
            dag(
                    "co_fan",
                    new JsonArray().add("co_a").add("co_b").add("co_c"),
                    pairs("co_b", "co_c", "co_a", "co_c"))
                .status())
        .isEqualTo(201);
    TestNode.Reply r = callDag("co_fan", new JsonObject().put("co_c", new JsonArray().add("own")));
    assertThat(r.json().getJsonArray("result"))
        .as(r.body())
        .isEqualTo(new JsonArray().add("own").add("b").add("a"));
  }

  @Test
  void severalSinksGiveAnObjectKeyedBySink() throws Exception {
    assertThat(n.register("co_src", "python", "def co_src(cb, x): return x").status())
        .isEqualTo(201);
    assertThat(n.register("co_double", "python", "def co_double(cb, x): return 2 * x").status())
        .isEqualTo(201);
    assertThat(n.register("co_neg", "javascript", "function co_neg(cb, x) { return -x }").status())
        .isEqualTo(201);
    assertThat(
            dag(
                    "co_two_sinks",
                    new JsonArray().add("co_src").add("co_double").add("co_neg"),
                    pairs("co_src", "co_double", "co_src", "co_neg"))
                .status())
        .isEqualTo(201);
    TestNode.Reply r =
        callDag("co_two_sinks", new JsonObject().put("co_src", new JsonArray().add(5)));
    assertThat(r.json().getJsonObject("result"))
        .as(r.body())
        .isEqualTo(new JsonObject().put("co_double", 10).put("co_neg", -5));
  }

  @Test
  void aFunctionCallsAFunctionAndADag() throws Exception {
    assertThat(
            n.register(
                    "co_caller",
                    "python",
                    """
        def co_caller(cb, x):
            return [cb.call('co_sq', x), cb.call('co_incr_sq', {'co_incr': [x]})]
        """)
                .status())
        .isEqualTo(201);
    TestNode.Reply r = n.invoke("co_caller", 5);
    assertThat(r.json().getJsonArray("result"))
        .as(r.body())
        .isEqualTo(new JsonArray().add(25).add(36));

    assertThat(
            n.register(
                    "co_call_missing",
                    "python",
                    """
        def co_call_missing(cb):
            try:
                cb.call('co_no_such_function')
            except cb.Error as e:
                return e.code
        """)
                .status())
        .isEqualTo(201);
    assertThat(n.invoke("co_call_missing").json().getString("result")).isEqualTo("FUNC_NOT_FOUND");
  }

  @Test
  void aCallCycleFailsClearlyInsteadOfHangingTheNode() throws Exception {
    assertThat(
            n.register(
                    "co_loop",
                    "python",
                    "def co_loop(cb, n):\n    return cb.call('co_loop', n + 1)\n")
                .status())
        .isEqualTo(201);
    TestNode.Reply r =
        n.post(
            "/v1/functions/co_loop/invoke",
            new JsonObject().put("args", new JsonArray().add(0)).put("timeout_ms", 20_000));
    assertThat(r.status()).as(r.body()).isIn(400, 422, 503, 504);
    assertThat(r.errorMessage()).contains("would be waiting on nested calls");
    assertThat(n.invoke("co_sq", 3).json().getLong("result"))
        .as("the node still serves")
        .isEqualTo(9L);
  }

  @Test
  void functionsOfOneDagCallMessageEachOtherAndOthersCannot() throws Exception {
    assertThat(
            n.register(
                    "co_talker",
                    "python",
                    """
        def co_talker(cb):
            me = cb.id()
            cb.send(me[:me.rindex('/')] + '/co_listener', b'hello')
            return me
        """)
                .status())
        .isEqualTo(201);
    assertThat(
            n.register(
                    "co_listener",
                    "python",
                    """
        def co_listener(cb):
            got = cb.recv()
            while not got:
                got = cb.recv()
            return [[s, m.decode()] for s, m in got]
        """)
                .status())
        .isEqualTo(201);
    assertThat(
            dag("co_chat", new JsonArray().add("co_talker").add("co_listener"), new JsonArray())
                .status())
        .isEqualTo(201);
    TestNode.Reply r =
        n.post(
            "/v1/dags/co_chat/invoke",
            new JsonObject().put("args", new JsonObject()).put("timeout_ms", 20_000));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonObject result = r.json().getJsonObject("result");
    String talker = result.getString("co_talker");
    assertThat(result.getJsonArray("co_listener"))
        .isEqualTo(new JsonArray().add(new JsonArray().add(talker).add("hello")));

    // Outside the DAG call: a plain call and a made-up id are refused.
    assertThat(
            n.register(
                    "co_outsider",
                    "python",
                    """
        def co_outsider(cb, dest):
            try:
                cb.send(dest, b'sneaky')
                return 'sent'
            except cb.Error as e:
                return e.code
        """)
                .status())
        .isEqualTo(201);
    String listenerId = talker.substring(0, talker.lastIndexOf('/')) + "/co_listener";
    assertThat(n.invoke("co_outsider", listenerId).json().getString("result"))
        .isEqualTo("BAD_REQUEST");
    assertThat(n.invoke("co_outsider", "made-up#0/nobody").json().getString("result"))
        .isEqualTo("BAD_REQUEST");
  }
}
