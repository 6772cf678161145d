package io.cloudburst.node;

import static io.cloudburst.node.HostileNode.assertError;
import static io.cloudburst.node.HostileNode.assertErrorBody;
import static io.cloudburst.node.HostileNode.assertStatusIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.cloudburst.node.HostileNode.Reply;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile input against one node (a process of its own, auth off, see {@link HostileNode}): each
 * case states its input and the answer the README's contract gives it (status and error code, or
 * the bridge's error frame), and after every case the node must still answer GET /health and a call
 * of {@code sq} within {@link HostileNode#HEALTHY_WITHIN}. Cases are dynamic tests, one per input,
 * each with its own time limit; the factories themselves are bounded by the class's {@link
 * Timeout}.
 *
 * <p>Where the contract leaves an answer open (e.g. a Python set as a result: a list or a refusal),
 * the case accepts each documented outcome and nothing else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HostileInputIT {
  /** How much later than its timeout_ms a runaway call may answer TIMEOUT. */
  private static final long TIMEOUT_MARGIN_MS = 1500;

  private static final Set<Integer> REFUSED = Set.of(400, 422);

  private HostileNode n;

  @BeforeAll
  void start() throws Exception {
    n = HostileNode.start();
    for (String[] f :
        new String[][] {
          {"incr", "def incr(cloudburst, x):\n    return x + 1\n"},
          {"dsq", "def dsq(cloudburst, x):\n    return x * x\n"}
        }) {
      assertThat(n.register(f[0], "python", f[1]).status()).isEqualTo(201);
    }
    Reply dag =
        n.post(
            "/v1/dags",
            new JsonObject()
                .put("name", "incr_sq")
                .put("functions", new JsonArray().add("incr").add("dsq"))
                .put("connections", new JsonArray().add(new JsonArray().add("incr").add("dsq"))));
    assertThat(dag.status()).as(dag.toString()).isEqualTo(201);
  }

  @AfterAll
  void stop() throws Exception {
    if (n != null) {
      n.close();
    }
  }

  /** A case body; the health check runs after it. */
  @FunctionalInterface
  interface Body {
    void run() throws Exception;
  }

  private DynamicTest c(String name, int seconds, Body body) {
    return DynamicTest.dynamicTest(
        name,
        () -> {
          try {
            assertTimeoutPreemptively(
                Duration.ofSeconds(seconds),
                () -> {
                  body.run();
                  n.assertHealthy();
                });
          } catch (Throwable t) {
            // Surefire's report names dynamic tests by index: the case's name travels in the
            // message.
            throw new AssertionError("[" + name + "] " + t.getMessage(), t);
          }
        });
  }

  private DynamicTest c(String name, Body body) {
    return c(name, 30, body);
  }

  /** A request whose answer is the JSON error {@code code} with {@code status}. */
  private DynamicTest http(
      String name, String method, String path, String body, int status, String code) {
    return c(name, () -> assertError(n.send(method, path, body), status, code));
  }

  private static String nested(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP: registration

  @TestFactory
  @Order(1)
  Stream<DynamicTest> httpRegistration() {
    String f = "/v1/functions";
    String ok = "\"language\":\"python\",\"source\":\"def h(cb): return 1\"";
    return Stream.of(
        http("register: malformed JSON -> 400", "POST", f, "{not json", 400, "BAD_REQUEST"),
        http("register: body is an array -> 400", "POST", f, "[]", 400, "BAD_REQUEST"),
        http("register: body is a string -> 400", "POST", f, "\"sq\"", 400, "BAD_REQUEST"),
        http("register: empty body -> 400", "POST", f, "", 400, "BAD_REQUEST"),
        http(
            "register: name is a number -> 400",
            "POST",
            f,
            "{\"name\":5," + ok + "}",
            400,
            "BAD_REQUEST"),
        http(
            "register: name is null -> 400",
            "POST",
            f,
            "{\"name\":null," + ok + "}",
            400,
            "BAD_REQUEST"),
        http(
            "register: name is an array -> 400",
            "POST",
            f,
            "{\"name\":[\"h\"]," + ok + "}",
            400,
            "BAD_REQUEST"),
        http(
            "register: language is a number -> 400",
            "POST",
            f,
            "{\"name\":\"h\",\"language\":5,\"source\":\"def h(cb): return 1\"}",
            400,
            "BAD_REQUEST"),
        http(
            "register: unknown language -> 400",
            "POST",
            f,
            "{\"name\":\"h\",\"language\":\"cobol\",\"source\":\"x\"}",
            400,
            "BAD_REQUEST"),
        http(
            "register: source is a number -> 400",
            "POST",
            f,
            "{\"name\":\"h\",\"language\":\"python\",\"source\":5}",
            400,
            "BAD_REQUEST"),
        http(
            "register: source is an object -> 400",
            "POST",
            f,
            "{\"name\":\"h\",\"language\":\"python\",\"source\":{}}",
            400,
            "BAD_REQUEST"),
        http(
            "register: entrypoint is a number -> 400",
            "POST",
            f,
            "{\"name\":\"h\"," + ok + ",\"entrypoint\":5}",
            400,
            "BAD_REQUEST"),
        http(
            "register: entrypoint with bad characters -> 400",
            "POST",
            f,
            "{\"name\":\"h\"," + ok + ",\"entrypoint\":\"h; import os\"}",
            400,
            "BAD_REQUEST"),
        http(
            "register: name '../etc' -> 400",
            "POST",
            f,
            "{\"name\":\"../etc\"," + ok + "}",
            400,
            "BAD_REQUEST"),
        http(
            "register: name with a space -> 400",
            "POST",
            f,
            "{\"name\":\"a b\"," + ok + "}",
            400,
            "BAD_REQUEST"),
        http(
            "register: name with a NUL -> 400",
            "POST",
            f,
            "{\"name\":\"a\\u0000b\"," + ok + "}",
            400,
            "BAD_REQUEST"),
        http(
            "register: name with a slash -> 400",
            "POST",
            f,
            "{\"name\":\"a/b\"," + ok + "}",
            400,
            "BAD_REQUEST"),
        http(
            "register: empty name -> 400",
            "POST",
            f,
            "{\"name\":\"\"," + ok + "}",
            400,
            "BAD_REQUEST"),
        http(
            "register: name of 1000 chars -> 400",
            "POST",
            f,
            "{\"name\":\"" + "h".repeat(1000) + "\"," + ok + "}",
            400,
            "BAD_REQUEST"),
        http(
            "register: body of 5 MB -> 413",
            "POST",
            f,
            "{\"name\":\"big\",\"language\":\"python\",\"source\":\"" + "#".repeat(5 << 20) + "\"}",
            413,
            "PAYLOAD_TOO_LARGE"),
        http(
            "register: NaN literal -> 400",
            "POST",
            f,
            "{\"name\":NaN," + ok + "}",
            400,
            "BAD_REQUEST"),
        http(
            "register: 10,000 nested arrays -> 400",
            "POST",
            f,
            "{\"name\":\"h\"," + ok + ",\"entrypoint\":" + nested(10_000) + "}",
            400,
            "BAD_REQUEST"),
        c(
            "register: invalid UTF-8 bytes in the body -> 400",
            () -> {
              byte[] body =
                  "{\"name\":\"h_utf\",\"language\":\"python\",\"source\":\"def h_utf(cb): return '\u0000'\"}"
                      .getBytes(StandardCharsets.UTF_8);
              int i = new String(body, StandardCharsets.UTF_8).indexOf('\u0000');
              body[i] = (byte) 0xff;
              assertError(n.sendBytes("POST", f, body, Duration.ofSeconds(30)), 400, "BAD_REQUEST");
            }),
        http(
            "restore: unknown function -> 404",
            "POST",
            "/v1/functions/h_nope/restore",
            "{\"version\":1}",
            404,
            "FUNC_NOT_FOUND"),
        http(
            "restore: version is a string -> 400",
            "POST",
            "/v1/functions/sq/restore",
            "{\"version\":\"1\"}",
            400,
            "BAD_REQUEST"),
        http(
            "get function: version=abc -> 400",
            "GET",
            "/v1/functions/sq?version=abc",
            null,
            400,
            "BAD_REQUEST"),
        http(
            "get function: unknown -> 404",
            "GET",
            "/v1/functions/h_nope",
            null,
            404,
            "FUNC_NOT_FOUND"),
        http(
            "delete function: unknown -> 404",
            "DELETE",
            "/v1/functions/h_nope",
            null,
            404,
            "FUNC_NOT_FOUND"));
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP: invocation

  @TestFactory
  @Order(2)
  Stream<DynamicTest> httpInvoke() {
    String sq = "/v1/functions/sq/invoke";
    return Stream.of(
        http(
            "invoke: args is a string -> 400",
            "POST",
            sq,
            "{\"args\":\"nope\"}",
            400,
            "BAD_REQUEST"),
        http("invoke: args is an object -> 400", "POST", sq, "{\"args\":{}}", 400, "BAD_REQUEST"),
        http("invoke: malformed JSON -> 400", "POST", sq, "{\"args\":[2", 400, "BAD_REQUEST"),
        http(
            "invoke: wait is a string -> 400",
            "POST",
            sq,
            "{\"args\":[2],\"wait\":\"yes\"}",
            400,
            "BAD_REQUEST"),
        http(
            "invoke: timeout_ms is a string -> 400",
            "POST",
            sq,
            "{\"args\":[2],\"timeout_ms\":\"1000\"}",
            400,
            "BAD_REQUEST"),
        http(
            "invoke: timeout_ms negative -> 400",
            "POST",
            sq,
            "{\"args\":[2],\"timeout_ms\":-1}",
            400,
            "BAD_REQUEST"),
        http(
            "invoke: timeout_ms fractional -> 400",
            "POST",
            sq,
            "{\"args\":[2],\"timeout_ms\":1.5}",
            400,
            "BAD_REQUEST"),
        c(
            "invoke: timeout_ms 0 means the default deadline -> 200",
            () -> {
              Reply r = n.send("POST", sq, "{\"args\":[3],\"timeout_ms\":0}");
              assertThat(r.status()).as(r.toString()).isEqualTo(200);
              assertThat(r.json().getLong("result")).isEqualTo(9L);
            }),
        c(
            "invoke: timeout_ms 10^12 is capped -> 200",
            () -> {
              Reply r = n.send("POST", sq, "{\"args\":[3],\"timeout_ms\":1000000000000}");
              assertThat(r.status()).as(r.toString()).isEqualTo(200);
              assertThat(r.json().getLong("result")).isEqualTo(9L);
            }),
        c(
            "invoke: timeout_ms beyond a long -> 400 or capped 200",
            () -> {
              Reply r = n.send("POST", sq, "{\"args\":[3],\"timeout_ms\":99999999999999999999999}");
              assertStatusIn(r, Set.of(200, 400));
              if (r.status() == 200) {
                assertThat(r.json().getLong("result")).isEqualTo(9L);
              } else {
                assertErrorBody(r, "BAD_REQUEST");
              }
            }),
        http(
            "invoke: version is a string -> 400",
            "POST",
            sq,
            "{\"args\":[2],\"version\":\"1\"}",
            400,
            "BAD_REQUEST"),
        http(
            "invoke: version negative -> 400",
            "POST",
            sq,
            "{\"args\":[2],\"version\":-1}",
            400,
            "BAD_REQUEST"),
        http(
            "invoke: unknown version -> 404",
            "POST",
            sq,
            "{\"args\":[2],\"version\":99}",
            404,
            "FUNC_NOT_FOUND"),
        http(
            "invoke: await_refs_ms is a string -> 400",
            "POST",
            sq,
            "{\"args\":[2],\"await_refs_ms\":\"x\"}",
            400,
            "BAD_REQUEST"),
        http(
            "invoke: request_id is a number -> 400",
            "POST",
            sq,
            "{\"args\":[2],\"request_id\":5}",
            400,
            "BAD_REQUEST"),
        http(
            "invoke: request_id empty -> 400",
            "POST",
            sq,
            "{\"args\":[2],\"request_id\":\"\"}",
            400,
            "BAD_REQUEST"),
        http(
            "invoke: request_id of 300 chars -> 400",
            "POST",
            sq,
            "{\"args\":[2],\"request_id\":\"" + "r".repeat(300) + "\"}",
            400,
            "BAD_REQUEST"),
        c(
            "invoke: a request_id reused for another function -> 409",
            () -> {
              assertThat(n.send("POST", sq, "{\"args\":[2],\"request_id\":\"h-reused\"}").status())
                  .isEqualTo(200);
              assertError(
                  n.send(
                      "POST",
                      "/v1/functions/incr/invoke",
                      "{\"args\":[2],\"request_id\":\"h-reused\"}"),
                  409,
                  "CONFLICT");
            }),
        http("invoke: 1e999 in args -> 400", "POST", sq, "{\"args\":[1e999]}", 400, "BAD_REQUEST"),
        http(
            "invoke: -1e999 in args -> 400", "POST", sq, "{\"args\":[-1e999]}", 400, "BAD_REQUEST"),
        http("invoke: NaN in args -> 400", "POST", sq, "{\"args\":[NaN]}", 400, "BAD_REQUEST"),
        http(
            "invoke: Infinity in args -> 400",
            "POST",
            sq,
            "{\"args\":[Infinity]}",
            400,
            "BAD_REQUEST"),
        http(
            "invoke: 10,000 nested arrays in args -> 400",
            "POST",
            sq,
            "{\"args\":" + nested(10_000) + "}",
            400,
            "BAD_REQUEST"),
        http(
            "invoke: bad base64 in $bytes -> 400",
            "POST",
            sq,
            "{\"args\":[{\"$bytes\":\"!!not base64!!\"}]}",
            400,
            "BAD_REQUEST"),
        http(
            "invoke: $ref to a number -> 400",
            "POST",
            sq,
            "{\"args\":[{\"$ref\":5}]}",
            400,
            "BAD_REQUEST"),
        http(
            "invoke: $ref to a reserved key -> 400",
            "POST",
            sq,
            "{\"args\":[{\"$ref\":\"__cloudburst/functions/sq\"}]}",
            400,
            "BAD_REQUEST"),
        http(
            "invoke: unknown function -> 404",
            "POST",
            "/v1/functions/h_nope/invoke",
            "{\"args\":[]}",
            404,
            "FUNC_NOT_FOUND"),
        http(
            "invoke: body of 5 MB -> 413",
            "POST",
            sq,
            "{\"args\":[\"" + "x".repeat(5 << 20) + "\"]}",
            413,
            "PAYLOAD_TOO_LARGE"),
        http(
            "results: unknown id -> 404",
            "GET",
            "/v1/results/h-no-such-call",
            null,
            404,
            "RESULT_NOT_FOUND"),
        http(
            "results: id of 5,000 chars -> 404",
            "GET",
            "/v1/results/" + "i".repeat(5000),
            null,
            404,
            "RESULT_NOT_FOUND"));
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP: DAGs

  private static String dagBody(
      String name, List<String> functions, List<List<String>> connections) {
    JsonArray conns = new JsonArray();
    connections.forEach(c -> conns.add(new JsonArray(c)));
    return new JsonObject()
        .put("name", name)
        .put("functions", new JsonArray(functions))
        .put("connections", conns)
        .encode();
  }

  @TestFactory
  @Order(3)
  Stream<DynamicTest> httpDags() {
    String d = "/v1/dags";
    String inv = "/v1/dags/incr_sq/invoke";
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 1001; i++) {
      many.add("f" + i);
    }
    return Stream.of(
        http(
            "dag: functions is a string -> 400",
            "POST",
            d,
            "{\"name\":\"hd\",\"functions\":\"incr\",\"connections\":[]}",
            400,
            "BAD_REQUEST"),
        http(
            "dag: functions holds a number -> 400",
            "POST",
            d,
            "{\"name\":\"hd\",\"functions\":[1],\"connections\":[]}",
            400,
            "BAD_REQUEST"),
        http(
            "dag: name is a number -> 400",
            "POST",
            d,
            "{\"name\":1,\"functions\":[\"incr\"],\"connections\":[]}",
            400,
            "BAD_REQUEST"),
        http(
            "dag: name with bad characters -> 400",
            "POST",
            d,
            dagBody("h d/..", List.of("incr"), List.of()),
            400,
            "BAD_REQUEST"),
        http(
            "dag: connection is not a pair -> 400",
            "POST",
            d,
            "{\"name\":\"hd\",\"functions\":[\"incr\",\"dsq\"],\"connections\":[\"incr\"]}",
            400,
            "BAD_REQUEST"),
        http(
            "dag: connection of three -> 400",
            "POST",
            d,
            "{\"name\":\"hd\",\"functions\":[\"incr\",\"dsq\"],\"connections\":[[\"incr\",\"dsq\",\"incr\"]]}",
            400,
            "BAD_REQUEST"),
        http(
            "dag: a cycle -> 400 DAG_INVALID",
            "POST",
            d,
            dagBody(
                "hd_cycle",
                List.of("incr", "dsq"),
                List.of(List.of("incr", "dsq"), List.of("dsq", "incr"))),
            400,
            "DAG_INVALID"),
        http(
            "dag: a self-loop -> 400 DAG_INVALID",
            "POST",
            d,
            dagBody("hd_self", List.of("incr"), List.of(List.of("incr", "incr"))),
            400,
            "DAG_INVALID"),
        http(
            "dag: no functions -> 400 DAG_INVALID",
            "POST",
            d,
            dagBody("hd_empty", List.of(), List.of()),
            400,
            "DAG_INVALID"),
        http(
            "dag: an unknown member -> 400 DAG_INVALID",
            "POST",
            d,
            dagBody("hd_unknown", List.of("incr", "h_nope"), List.of(List.of("incr", "h_nope"))),
            400,
            "DAG_INVALID"),
        http(
            "dag: a duplicate member -> 400 DAG_INVALID",
            "POST",
            d,
            dagBody("hd_dup", List.of("incr", "incr"), List.of()),
            400,
            "DAG_INVALID"),
        http(
            "dag: an edge to a non-member -> 400 DAG_INVALID",
            "POST",
            d,
            dagBody("hd_edge", List.of("incr"), List.of(List.of("incr", "dsq"))),
            400,
            "DAG_INVALID"),
        http(
            "dag: 1,001 functions -> 400 DAG_INVALID",
            "POST",
            d,
            dagBody("hd_many", many, List.of()),
            400,
            "DAG_INVALID"),
        http(
            "dag: registered twice -> 409",
            "POST",
            d,
            dagBody("incr_sq", List.of("incr", "dsq"), List.of(List.of("incr", "dsq"))),
            409,
            "DAG_ALREADY_EXISTS"),
        http(
            "dag: deleting a function a DAG uses -> 409",
            "DELETE",
            "/v1/functions/dsq",
            null,
            409,
            "CONFLICT"),
        http("dag: get unknown -> 404", "GET", "/v1/dags/h_nope", null, 404, "DAG_NOT_FOUND"),
        http("dag: delete unknown -> 404", "DELETE", "/v1/dags/h_nope", null, 404, "DAG_NOT_FOUND"),
        http(
            "dag: invoke unknown -> 404",
            "POST",
            "/v1/dags/h_nope/invoke",
            "{\"args\":{}}",
            404,
            "DAG_NOT_FOUND"),
        http(
            "dag invoke: args is an array -> 400",
            "POST",
            inv,
            "{\"args\":[3]}",
            400,
            "BAD_REQUEST"),
        http(
            "dag invoke: a function's args not an array -> 400",
            "POST",
            inv,
            "{\"args\":{\"incr\":3}}",
            400,
            "BAD_REQUEST"),
        http(
            "dag invoke: unknown consistency -> 400",
            "POST",
            inv,
            "{\"args\":{\"incr\":[3]},\"consistency\":\"serializable\"}",
            400,
            "BAD_REQUEST"),
        http(
            "dag invoke: consistency is a number -> 400",
            "POST",
            inv,
            "{\"args\":{\"incr\":[3]},\"consistency\":1}",
            400,
            "BAD_REQUEST"),
        http(
            "dag invoke: client_id with bad characters -> 400",
            "POST",
            inv,
            "{\"args\":{\"incr\":[3]},\"consistency\":\"causal\",\"client_id\":\"a b/c\"}",
            400,
            "BAD_REQUEST"),
        http(
            "dag invoke: output_key reserved -> 400",
            "POST",
            inv,
            "{\"args\":{\"incr\":[3]},\"output_key\":\"__cloudburst/x\"}",
            400,
            "BAD_REQUEST"),
        http(
            "dag invoke: output_key is a number -> 400",
            "POST",
            inv,
            "{\"args\":{\"incr\":[3]},\"output_key\":5}",
            400,
            "BAD_REQUEST"),
        c(
            "dag invoke: output_key of 2,000 bytes -> 400 or 413",
            () -> {
              Reply r =
                  n.send(
                      "POST",
                      inv,
                      "{\"args\":{\"incr\":[3]},\"output_key\":\"" + "k".repeat(2000) + "\"}");
              assertStatusIn(r, Set.of(400, 413));
              assertErrorBody(r, r.status() == 400 ? "BAD_REQUEST" : "PAYLOAD_TOO_LARGE");
            }),
        http(
            "dag invoke: timeout_ms negative -> 400",
            "POST",
            inv,
            "{\"args\":{\"incr\":[3]},\"timeout_ms\":-5}",
            400,
            "BAD_REQUEST"),
        c(
            "dag invoke: well-formed call still gives 16",
            () -> {
              Reply r = n.send("POST", inv, "{\"args\":{\"incr\":[3]}}");
              assertThat(r.status()).as(r.toString()).isEqualTo(200);
              assertThat(r.json().getLong("result")).isEqualTo(16L);
            }));
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP: key-value store and the rest

  @TestFactory
  @Order(4)
  Stream<DynamicTest> httpKvsAndRoutes() {
    String pickle =
        Base64.getEncoder()
            .encodeToString("\u0080\u0004K\u0007.".getBytes(StandardCharsets.ISO_8859_1));
    return Stream.of(
        http(
            "kvs put: value missing -> 400",
            "PUT",
            "/v1/kvs/h_k",
            "{\"lattice\":\"lww\"}",
            400,
            "BAD_REQUEST"),
        http(
            "kvs put: unknown lattice -> 400",
            "PUT",
            "/v1/kvs/h_k",
            "{\"value\":1,\"lattice\":\"mystery\"}",
            400,
            "BAD_REQUEST"),
        http(
            "kvs put: lattice is a number -> 400",
            "PUT",
            "/v1/kvs/h_k",
            "{\"value\":1,\"lattice\":5}",
            400,
            "BAD_REQUEST"),
        http(
            "kvs put: malformed JSON -> 400",
            "PUT",
            "/v1/kvs/h_k",
            "{\"value\":",
            400,
            "BAD_REQUEST"),
        http("kvs put: body is an array -> 400", "PUT", "/v1/kvs/h_k", "[1]", 400, "BAD_REQUEST"),
        http(
            "kvs put: value 1e999 -> 400",
            "PUT",
            "/v1/kvs/h_k",
            "{\"value\": 1e999}",
            400,
            "BAD_REQUEST"),
        http(
            "kvs put: value -1e999 -> 400",
            "PUT",
            "/v1/kvs/h_k",
            "{\"value\": -1e999}",
            400,
            "BAD_REQUEST"),
        http(
            "kvs put: value NaN -> 400",
            "PUT",
            "/v1/kvs/h_k",
            "{\"value\": NaN}",
            400,
            "BAD_REQUEST"),
        http(
            "kvs put: value Infinity -> 400",
            "PUT",
            "/v1/kvs/h_k",
            "{\"value\": Infinity}",
            400,
            "BAD_REQUEST"),
        http(
            "kvs put: 10,000 nested arrays -> 400",
            "PUT",
            "/v1/kvs/h_k",
            "{\"value\":" + nested(10_000) + "}",
            400,
            "BAD_REQUEST"),
        http(
            "kvs put: bad base64 in $bytes -> 400",
            "PUT",
            "/v1/kvs/h_k",
            "{\"value\":{\"$bytes\":\"%%%\"}}",
            400,
            "BAD_REQUEST"),
        http(
            "kvs put: bad base64 in $pickle -> 400",
            "PUT",
            "/v1/kvs/h_k",
            "{\"value\":{\"$pickle\":\"%%%\"}}",
            400,
            "BAD_REQUEST"),
        c(
            "kvs put: a $pickle value is stored opaque and read back as sent -> 204",
            () -> {
              assertThat(
                      n.send(
                              "PUT",
                              "/v1/kvs/h_pickle",
                              "{\"value\":{\"$pickle\":\"" + pickle + "\"}}")
                          .status())
                  .isEqualTo(204);
              Reply r = n.get("/v1/kvs/h_pickle");
              assertThat(r.json().getJsonObject("value"))
                  .isEqualTo(new JsonObject().put("$pickle", pickle));
            }),
        http("kvs put: key %ff -> 400", "PUT", "/v1/kvs/a%ff", "{\"value\":1}", 400, "BAD_REQUEST"),
        http("kvs put: key %fe -> 400", "PUT", "/v1/kvs/a%fe", "{\"value\":1}", 400, "BAD_REQUEST"),
        http(
            "kvs put: key %c3%28 -> 400",
            "PUT", "/v1/kvs/a%c3%28", "{\"value\":1}", 400, "BAD_REQUEST"),
        http("kvs get: key %ff -> 400", "GET", "/v1/kvs/%ff", null, 400, "BAD_REQUEST"),
        c(
            "kvs get: key with a bad escape %zz -> 400",
            () ->
                assertError(
                    n.raw(
                        "GET /v1/kvs/a%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1)),
                    400,
                    "BAD_REQUEST")),
        http(
            "kvs put: key of 2,000 bytes -> 413",
            "PUT",
            "/v1/kvs/" + "k".repeat(2000),
            "{\"value\":1}",
            413,
            "PAYLOAD_TOO_LARGE"),
        c(
            "kvs get: a 100 KB path -> 414 or 413 with the JSON error",
            () -> {
              Reply r = n.get("/v1/kvs/" + "k".repeat(100 * 1024));
              assertStatusIn(r, Set.of(413, 414));
              assertErrorBody(r, "PAYLOAD_TOO_LARGE");
            }),
        http(
            "kvs put: reserved key, encoded -> 400",
            "PUT",
            "/v1/kvs/__cloudburst%2Ffunctions%2Fsq",
            "{\"value\":1}",
            400,
            "BAD_REQUEST"),
        http(
            "kvs put: reserved key, literal -> 400",
            "PUT",
            "/v1/kvs/__cloudburst/functions/sq",
            "{\"value\":1}",
            400,
            "BAD_REQUEST"),
        http(
            "kvs get: reserved key -> 400",
            "GET",
            "/v1/kvs/__cloudburst/functions/sq",
            null,
            400,
            "BAD_REQUEST"),
        http(
            "kvs delete: reserved key -> 400",
            "DELETE",
            "/v1/kvs/__cloudburst/functions/sq",
            null,
            400,
            "BAD_REQUEST"),
        http("kvs put: empty key -> 400", "PUT", "/v1/kvs/", "{\"value\":1}", 400, "BAD_REQUEST"),
        http("kvs get: absent key -> 404", "GET", "/v1/kvs/h_absent", null, 404, "KEY_NOT_FOUND"),
        c(
            "kvs put: a set key written as a counter -> 409",
            () -> {
              assertThat(
                      n.send("PUT", "/v1/kvs/h_set", "{\"value\":[1],\"lattice\":\"set\"}")
                          .status())
                  .isEqualTo(204);
              assertError(
                  n.send("PUT", "/v1/kvs/h_set", "{\"value\":1,\"lattice\":\"counter\"}"),
                  409,
                  "CONFLICT");
            }),
        http(
            "kvs put: negative counter increment -> 400",
            "PUT",
            "/v1/kvs/h_ctr",
            "{\"value\":-1,\"lattice\":\"counter\"}",
            400,
            "BAD_REQUEST"),
        http(
            "kvs put: body of 5 MB -> 413",
            "PUT",
            "/v1/kvs/h_big",
            "{\"value\":\"" + "x".repeat(5 << 20) + "\"}",
            413,
            "PAYLOAD_TOO_LARGE"),
        http("route: unknown endpoint -> 404", "GET", "/v1/nope", null, 404, "BAD_REQUEST"),
        http(
            "route: PATCH /v1/functions -> 405",
            "PATCH",
            "/v1/functions",
            "{}",
            405,
            "BAD_REQUEST"),
        http("route: PUT /health -> 405", "PUT", "/health", "{}", 405, "BAD_REQUEST"),
        http(
            "route: DELETE /v1/results/{id} -> 405",
            "DELETE",
            "/v1/results/x",
            null,
            405,
            "BAD_REQUEST"),
        http(
            "route: echo of 5 MB -> 413",
            "POST",
            "/v1/echo",
            "\"" + "x".repeat(5 << 20) + "\"",
            413,
            "PAYLOAD_TOO_LARGE"),
        c(
            "raw: a garbage request line -> 400",
            () ->
                assertThat(
                        n.raw(
                                "GARBAGE\u0001 /x HTTP/9\r\n\r\n"
                                    .getBytes(StandardCharsets.ISO_8859_1))
                            .status())
                    .isEqualTo(400)),
        c(
            "raw: a header of 100 KB -> 431, 413 or 400",
            () ->
                assertThat(
                        n.raw(
                                ("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: "
                                        + "h".repeat(100 * 1024)
                                        + "\r\nConnection: close\r\n\r\n")
                                    .getBytes(StandardCharsets.ISO_8859_1))
                            .status())
                    .isIn(400, 413, 431)),
        c(
            "raw: a body shorter than its content-length, then close -> node unharmed",
            () -> {
              try (var s = new java.net.Socket("127.0.0.1", n.process.port)) {
                s.getOutputStream()
                    .write(
                        ("POST /v1/functions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                + "Content-Length: 100000\r\n\r\n{\"name\":")
                            .getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
              }
            }));
  }

  // ---------------------------------------------------------------------------------------------
  // Guest code

  /**
   * Registers {@code name}; a refusal at registration is returned as the reply, else the
   * invocation's.
   */
  private Reply registerAndInvoke(String lang, String name, String source, JsonObject invoke)
      throws Exception {
    Reply reg = n.register(name, lang, source);
    if (reg.status() != 201) {
      return reg;
    }
    return n.invoke(name, invoke);
  }

  private static JsonObject args(Object... a) {
    return new JsonObject().put("args", new JsonArray(List.of(a)));
  }

  /** Guest code that must fail its call with {@code code} (registration must succeed). */
  private DynamicTest fails(
      String title,
      String lang,
      String name,
      String source,
      int status,
      String code,
      String... inMessage) {
    return c(
        title,
        60,
        () -> {
          assertThat(n.register(name, lang, source).status()).isEqualTo(201);
          Reply r = n.invoke(name, args());
          assertError(r, status, code);
          if (inMessage.length > 0) {
            assertThat(r.json().getJsonObject("error").getString("message")).contains(inMessage);
          }
        });
  }

  /**
   * Guest code the sandbox must refuse: at registration (400) or when it runs (422), never a
   * result.
   */
  private DynamicTest refused(
      String title, String lang, String name, String source, String... notInBody) {
    return c(
        title,
        60,
        () -> {
          Reply r = registerAndInvoke(lang, name, source, args());
          assertStatusIn(r, REFUSED);
          assertErrorBody(r, r.status() == 400 ? "BAD_REQUEST" : "EXECUTION_ERROR");
          assertThat(r.body()).doesNotContain("\"result\"");
          if (notInBody.length > 0) {
            assertThat(r.body()).doesNotContain(notInBody);
          }
        });
  }

  /**
   * Runaway guest code: TIMEOUT (504) no earlier than its timeout_ms and within {@link
   * #TIMEOUT_MARGIN_MS} after.
   */
  private DynamicTest timesOut(
      String title, String lang, String name, String source, long timeoutMs) {
    return c(title, 60, () -> assertTimesOut(lang, name, source, timeoutMs, TIMEOUT_MARGIN_MS));
  }

  private void assertTimesOut(
      String lang, String name, String source, long timeoutMs, long marginMs) throws Exception {
    assertThat(n.register(name, lang, source).status()).isEqualTo(201);
    long t0 = System.nanoTime();
    Reply r = n.invoke(name, args().put("timeout_ms", timeoutMs));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertError(r, 504, "TIMEOUT");
    assertThat(ms)
        .as("answered after " + ms + " ms")
        .isBetween(timeoutMs - 100, timeoutMs + marginMs);
  }

  /** A memory bomb: stopped by the heap guard (422 MemoryError) or by its deadline (504). */
  private DynamicTest bomb(String title, String lang, String name, String source) {
    return c(
        title,
        90,
        () -> {
          assertThat(n.register(name, lang, source).status()).isEqualTo(201);
          Reply r = n.invoke(name, args().put("timeout_ms", 30_000));
          assertStatusIn(r, Set.of(422, 504));
          assertErrorBody(r, r.status() == 422 ? "EXECUTION_ERROR" : "TIMEOUT");
        });
  }

  @TestFactory
  @Order(9)
  Stream<DynamicTest> guestPython() {
    String py = "python";
    return Stream.of(
        fails(
            "py: raise -> 422 with the traceback",
            py,
            "h_py_raise",
            "def h_py_raise(cb):\n    raise ValueError('hostile')\n",
            422,
            "EXECUTION_ERROR",
            "ValueError",
            "hostile"),
        fails(
            "py: raise KeyboardInterrupt -> 422",
            py,
            "h_py_kbi",
            "def h_py_kbi(cb):\n    raise KeyboardInterrupt()\n",
            422,
            "EXECUTION_ERROR"),
        fails(
            "py: sys.exit -> 422",
            py,
            "h_py_exit",
            "import sys\ndef h_py_exit(cb):\n    sys.exit(3)\n",
            422,
            "EXECUTION_ERROR"),
        refused(
            "py: os._exit -> refused",
            py,
            "h_py_osexit",
            "import os\ndef h_py_osexit(cb):\n    os._exit(1)\n"),
        c(
            "py: syntax error -> 400 with its line",
            () -> {
              Reply r =
                  n.register(
                      "h_py_syntax", "python", "def h_py_syntax(cb):\n    return 1\n  x = = 2\n");
              assertError(r, 400, "BAD_REQUEST");
              assertThat(r.json().getJsonObject("error").getString("message")).contains("line 3");
            }),
        timesOut(
            "py: while True: pass -> 504 on time",
            py,
            "h_py_spin",
            "def h_py_spin(cb):\n    while True:\n        pass\n",
            2000),
        timesOut(
            "py: time.sleep(10**6) -> 504 on time",
            py,
            "h_py_sleep",
            "import time\ndef h_py_sleep(cb):\n    time.sleep(10**6)\n",
            2000),
        refused(
            "py: open('/etc/passwd') -> refused",
            py,
            "h_py_passwd",
            "def h_py_passwd(cb):\n    return open('/etc/passwd').read()\n",
            "root:"),
        refused(
            "py: os.listdir('/') -> refused",
            py,
            "h_py_listdir",
            "import os\ndef h_py_listdir(cb):\n    return os.listdir('/')\n",
            "\"etc\""),
        refused(
            "py: socket connect -> refused",
            py,
            "h_py_socket",
            "def h_py_socket(cb):\n    import socket\n    s = socket.socket()\n    s.connect(('127.0.0.1', "
                + n.process.port
                + "))\n"
                + "    return 'connected'\n"),
        refused(
            "py: urllib to the node itself -> refused",
            py,
            "h_py_urllib",
            "def h_py_urllib(cb):\n    import urllib.request\n    return urllib.request.urlopen('"
                + n.base
                + "/health', timeout=3).read()\n"),
        refused(
            "py: subprocess -> refused",
            py,
            "h_py_subproc",
            "def h_py_subproc(cb):\n    import subprocess\n    return subprocess.run(['id'], capture_output=True).stdout\n",
            "uid="),
        refused(
            "py: os.system -> refused",
            py,
            "h_py_system",
            "import os\ndef h_py_system(cb):\n    return os.system('true')\n"),
        refused(
            "py: fork bomb -> refused",
            py,
            "h_py_fork",
            "import os\ndef h_py_fork(cb):\n    while True:\n        os.fork()\n"),
        refused(
            "py: threading -> refused",
            py,
            "h_py_thread",
            "import threading\ndef h_py_thread(cb):\n    t = threading.Thread(target=print)\n    t.start()\n    return 'started'\n"),
        refused(
            "py: import java -> refused",
            py,
            "h_py_java",
            "def h_py_java(cb):\n    import java\n    return str(java.type('java.lang.System').getProperty('user.home'))\n"),
        refused(
            "py: polyglot.eval -> refused",
            py,
            "h_py_polyglot",
            "def h_py_polyglot(cb):\n    import polyglot\n    return polyglot.eval(language='js', string='1 + 1')\n"),
        c(
            "py: os.environ holds none of the host's variables",
            () -> {
              Reply r =
                  registerAndInvoke(
                      py,
                      "h_py_env",
                      "import os\ndef h_py_env(cb):\n    return sorted(os.environ.keys())\n",
                      args());
              assertStatusIn(r, Set.of(200, 422));
              assertThat(r.body())
                  .doesNotContain("\"PATH\"")
                  .doesNotContain("JAVA_HOME")
                  .doesNotContain("MAVEN");
            }),
        bomb(
            "py: memory bomb, list growth -> 422 or 504",
            py,
            "h_py_mem_list",
            "def h_py_mem_list(cb):\n    hoard = []\n    while True:\n        hoard.append(' ' * 10000000)\n"),
        bomb(
            "py: memory bomb, string doubling -> 422 or 504",
            py,
            "h_py_mem_str",
            "def h_py_mem_str(cb):\n    s = 'x'\n    while True:\n        s = s + s\n"),
        // A RecursionError, or the heap guard's MemoryError when the deep stack's frames fill the
        // heap first.
        fails(
            "py: recursion bomb -> 422",
            py,
            "h_py_recurse",
            "def h_py_recurse(cb, n=0):\n    return h_py_recurse(cb, n + 1)\n",
            422,
            "EXECUTION_ERROR"),
        c(
            "py: nested calls of itself -> 422 or 503",
            60,
            () -> {
              Reply r =
                  registerAndInvoke(
                      py,
                      "h_py_selfcall",
                      "def h_py_selfcall(cb):\n    return cb.call('h_py_selfcall')\n",
                      args());
              assertStatusIn(r, Set.of(422, 503));
              assertErrorBody(r, r.status() == 422 ? "EXECUTION_ERROR" : "NO_RESOURCES");
            }),
        c(
            "py: a result of 20 MB -> the whole result, or a JSON error",
            60,
            () -> {
              Reply r =
                  registerAndInvoke(
                      py,
                      "h_py_huge",
                      "def h_py_huge(cb):\n    return 'x' * (20 * 1024 * 1024)\n",
                      args());
              assertStatusIn(r, Set.of(200, 413, 422));
              if (r.status()
                  == 200) { // too long for Vert.x's JSON parser (20 M chars): checked as text
                assertThat(r.body())
                    .contains("\"result\":\"xxxxxxxx")
                    .hasSizeGreaterThan(20 * 1024 * 1024);
              } else {
                assertErrorBody(r, r.status() == 413 ? "PAYLOAD_TOO_LARGE" : "EXECUTION_ERROR");
              }
            }),
        fails(
            "py: result object() -> 422",
            py,
            "h_py_object",
            "def h_py_object(cb):\n    return object()\n",
            422,
            "EXECUTION_ERROR"),
        fails(
            "py: result a lambda -> 422",
            py,
            "h_py_lambda",
            "def h_py_lambda(cb):\n    return lambda: 1\n",
            422,
            "EXECUTION_ERROR"),
        fails(
            "py: result an infinite generator -> 422",
            py,
            "h_py_gen",
            "def h_py_gen(cb):\n    def g():\n        while True:\n            yield 1\n    return g()\n",
            422,
            "EXECUTION_ERROR"),
        fails(
            "py: result float('nan') -> 422",
            py,
            "h_py_nan",
            "def h_py_nan(cb):\n    return float('nan')\n",
            422,
            "EXECUTION_ERROR"),
        c(
            "py: result a set -> a list, or 422",
            () -> {
              Reply r =
                  registerAndInvoke(
                      py, "h_py_set", "def h_py_set(cb):\n    return {3, 1, 2}\n", args());
              assertStatusIn(r, Set.of(200, 422));
              if (r.status() == 200) {
                assertThat(r.json().getValue("result"))
                    .as("the set as a list: " + r)
                    .isInstanceOf(JsonArray.class);
                assertThat(r.json().getJsonArray("result").getList())
                    .containsExactlyInAnyOrder(1, 2, 3);
              } else {
                assertErrorBody(r, "EXECUTION_ERROR");
              }
            }),
        c(
            "py: rebinding json.dumps breaks no result: the right one, or 422, twice",
            () -> {
              String src =
                  "import json\njson.dumps = lambda *a, **k: '{broken'\njson.loads = lambda *a, **k: 'hijacked'\n"
                      + "def h_py_json(cb, x):\n    return x + 1\n";
              assertThat(n.register("h_py_json", "python", src).status()).isEqualTo(201);
              for (int i = 0; i < 2; i++) {
                Reply r = n.invoke("h_py_json", 2);
                assertStatusIn(r, Set.of(200, 422));
                if (r.status() == 200) {
                  assertThat(r.json().getValue("result")).as("never a hijacked value").isEqualTo(3);
                } else {
                  assertErrorBody(r, "EXECUTION_ERROR");
                }
              }
            }),
        c(
            "py: printing 10 MB -> 200 with the logs cut",
            () -> {
              Reply r =
                  registerAndInvoke(
                      py,
                      "h_py_print",
                      "def h_py_print(cb):\n    print('x' * (10 * 1024 * 1024))\n    return 'ok'\n",
                      args());
              assertThat(r.status()).as(r.toString()).isEqualTo(200);
              assertThat(r.json().getString("result")).isEqualTo("ok");
              assertThat(r.json().getString("logs").length()).isLessThanOrEqualTo(80 * 1024);
            }),
        fails(
            "py: put to a reserved key -> 422",
            py,
            "h_py_put_sys",
            "def h_py_put_sys(cb):\n    cb.put('__cloudburst/functions/sq', 1)\n",
            422,
            "EXECUTION_ERROR",
            "reserved"),
        fails(
            "py: put of a 5 MB value -> 422",
            py,
            "h_py_put_big",
            "def h_py_put_big(cb):\n    cb.put('h_big_value', 'x' * (5 << 20))\n",
            422,
            "EXECUTION_ERROR",
            "PAYLOAD_TOO_LARGE"),
        c(
            "py: a result shaped like {\"$pickle\"} is not turned into a pickle of the node's making",
            () -> {
              Reply r =
                  registerAndInvoke(
                      py,
                      "h_py_fake_pickle",
                      "def h_py_fake_pickle(cb):\n    return {'$pickle': 'gARLBy4='}\n",
                      args());
              assertStatusIn(r, Set.of(200, 422));
            }));
  }

  @TestFactory
  @Order(10)
  Stream<DynamicTest> guestJavaScript() {
    String js = "javascript";
    return Stream.of(
        fails(
            "js: throw -> 422 with the message",
            js,
            "h_js_throw",
            "function h_js_throw(cb) { throw new Error('hostile') }",
            422,
            "EXECUTION_ERROR",
            "hostile"),
        fails(
            "js: throw a non-Error -> 422",
            js,
            "h_js_throw_str",
            "function h_js_throw_str(cb) { throw {toString() { throw 1 }} }",
            422,
            "EXECUTION_ERROR"),
        c(
            "js: syntax error -> 400 with its line",
            () -> {
              Reply r =
                  n.register(
                      "h_js_syntax", "javascript", "function h_js_syntax(cb) {\n  return 1 +;\n}");
              assertError(r, 400, "BAD_REQUEST");
              assertThat(r.json().getJsonObject("error").getString("message")).contains("line 2");
            }),
        timesOut(
            "js: while (true) {} -> 504 on time",
            js,
            "h_js_spin",
            "function h_js_spin(cb) { while (true) {} }",
            2000),
        c(
            "js: Atomics.wait forever -> 504 on time, or refused",
            60,
            () -> {
              String src =
                  "function h_js_atomics(cb) { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); return 1 }";
              assertThat(n.register("h_js_atomics", js, src).status()).isEqualTo(201);
              long t0 = System.nanoTime();
              Reply r = n.invoke("h_js_atomics", args().put("timeout_ms", 2000));
              long ms = (System.nanoTime() - t0) / 1_000_000;
              assertStatusIn(r, Set.of(422, 504));
              assertThat(ms).isLessThan(2000 + TIMEOUT_MARGIN_MS);
            }),
        refused(
            "js: require('fs') -> refused",
            js,
            "h_js_require",
            "function h_js_require(cb) { return require('fs').readFileSync('/etc/passwd', 'utf8') }",
            "root:"),
        refused(
            "js: process.exit -> refused",
            js,
            "h_js_process",
            "function h_js_process(cb) { process.exit(1) }"),
        refused(
            "js: Java.type -> refused",
            js,
            "h_js_java",
            "function h_js_java(cb) { return Java.type('java.lang.System').getProperty('user.home') }"),
        refused(
            "js: Polyglot.eval -> refused",
            js,
            "h_js_polyglot",
            "function h_js_polyglot(cb) { return Polyglot.eval('python', '1 + 1') }"),
        refused(
            "js: load('/etc/passwd') -> refused",
            js,
            "h_js_load",
            "function h_js_load(cb) { load('/etc/passwd'); return 'loaded' }"),
        bomb(
            "js: memory bomb, array growth -> 422 or 504",
            js,
            "h_js_mem_arr",
            "function h_js_mem_arr(cb) { const a = []; while (true) { a.push(new Array(1000000).fill(1.5)) } }"),
        c(
            "js: memory bomb, string doubling -> 422 or 504",
            90,
            () -> {
              Reply r =
                  registerAndInvoke(
                      js,
                      "h_js_mem_str",
                      "function h_js_mem_str(cb) { let s = 'x'; while (true) { s = s + s } }",
                      args().put("timeout_ms", 30_000));
              assertStatusIn(r, Set.of(422, 504));
            }),
        fails(
            "js: recursion bomb -> 422",
            js,
            "h_js_recurse",
            "function h_js_recurse(cb) { return h_js_recurse(cb) + 1 }",
            422,
            "EXECUTION_ERROR"),
        fails(
            "js: result a function -> 422",
            js,
            "h_js_fn",
            "function h_js_fn(cb) { return function () {} }",
            422,
            "EXECUTION_ERROR"),
        fails(
            "js: result a Symbol -> 422",
            js,
            "h_js_symbol",
            "function h_js_symbol(cb) { return Symbol('s') }",
            422,
            "EXECUTION_ERROR"),
        fails(
            "js: result a BigInt -> 422",
            js,
            "h_js_bigint",
            "function h_js_bigint(cb) { return 10n ** 30n }",
            422,
            "EXECUTION_ERROR"),
        fails(
            "js: result a cyclic object -> 422",
            js,
            "h_js_cycle",
            "function h_js_cycle(cb) { const o = {}; o.o = o; return o }",
            422,
            "EXECUTION_ERROR"),
        fails(
            "js: result whose toJSON throws -> 422",
            js,
            "h_js_tojson",
            "function h_js_tojson(cb) { return { toJSON() { throw new Error('no') } } }",
            422,
            "EXECUTION_ERROR"),
        c(
            "js: replacing JSON.stringify breaks no result: the right one, or 422, twice",
            () -> {
              String src =
                  "JSON.stringify = function () { return '{broken' };\nJSON.parse = function () { return 'hijacked' };\n"
                      + "function h_js_json(cb, x) { return x + 1 }";
              assertThat(n.register("h_js_json", js, src).status()).isEqualTo(201);
              for (int i = 0; i < 2; i++) {
                Reply r = n.invoke("h_js_json", 2);
                assertStatusIn(r, Set.of(200, 422));
                if (r.status() == 200) {
                  assertThat(r.json().getValue("result")).as("never a hijacked value").isEqualTo(3);
                } else {
                  assertErrorBody(r, "EXECUTION_ERROR");
                }
              }
            }),
        c(
            "js: a getter on Object.prototype does not leak into the library",
            () -> {
              String src =
                  "Object.defineProperty(Object.prototype, 'then', { get() { throw new Error('poisoned') } });\n"
                      + "function h_js_proto(cb, x) { cb.put('h_js_proto_k', x); return cb.get('h_js_proto_k') }";
              Reply r = registerAndInvoke(js, "h_js_proto", src, args(5));
              assertStatusIn(r, Set.of(200, 422));
              if (r.status() == 200) {
                assertThat(r.json().getValue("result")).isEqualTo(5);
              }
            }));
  }

  // ---------------------------------------------------------------------------------------------
  // Sequences of misbehaving guests

  @TestFactory
  @Order(11)
  Stream<DynamicTest> sequences() {
    return Stream.of(
        c(
            "sequence: a JS spin, a Python spin and a Python sleep, one after the other, each 504 on time",
            60,
            () -> {
              assertTimesOut(
                  "javascript",
                  "s2_js_spin",
                  "function s2_js_spin(cb) { for (;;) {} }",
                  1500,
                  TIMEOUT_MARGIN_MS);
              assertTimesOut(
                  "python",
                  "s2_py_spin",
                  "def s2_py_spin(cb):\n    x = 0\n    while True:\n        x += 1\n",
                  1500,
                  TIMEOUT_MARGIN_MS);
              assertTimesOut(
                  "python",
                  "s2_py_sleep",
                  "import time\ndef s2_py_sleep(cb):\n    while True:\n        time.sleep(0.01)\n",
                  1500,
                  TIMEOUT_MARGIN_MS);
            }),
        c(
            "sequence: four runaways at once (every worker) all 504, and sq answers right after",
            60,
            () -> {
              assertThat(
                      n.register(
                              "s3_spin",
                              "python",
                              "def s3_spin(cb, i):\n    while True:\n        pass\n")
                          .status())
                  .isEqualTo(201);
              ExecutorService pool = Executors.newFixedThreadPool(4);
              try {
                List<Future<Reply>> calls = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                  int k = i;
                  calls.add(
                      pool.submit(() -> n.invoke("s3_spin", args(k).put("timeout_ms", 2000))));
                }
                for (Future<Reply> f : calls) {
                  assertError(
                      f.get(2000 + TIMEOUT_MARGIN_MS + 2000, TimeUnit.MILLISECONDS),
                      504,
                      "TIMEOUT");
                }
              } finally {
                pool.shutdownNow();
              }
            }),
        c(
            "sequence: memory bomb, then recursion bomb, then a raise, then a runaway",
            120,
            () -> {
              Reply bomb =
                  registerAndInvoke(
                      "python",
                      "s4_bomb",
                      "def s4_bomb(cb):\n    h = []\n    while True:\n        h.append(' ' * 10000000)\n",
                      args().put("timeout_ms", 30_000));
              assertStatusIn(bomb, Set.of(422, 504));
              assertError(
                  registerAndInvoke(
                      "python", "s4_rec", "def s4_rec(cb):\n    return s4_rec(cb)\n", args()),
                  422,
                  "EXECUTION_ERROR");
              assertError(
                  registerAndInvoke(
                      "python",
                      "s4_raise",
                      "def s4_raise(cb):\n    raise RuntimeError('x')\n",
                      args()),
                  422,
                  "EXECUTION_ERROR");
              assertTimesOut(
                  "python",
                  "s4_spin",
                  "def s4_spin(cb):\n    while True:\n        pass\n",
                  1500,
                  TIMEOUT_MARGIN_MS);
            }),
        c(
            "sequence: a raising function 50 times, then a spinning function twice, then its good path",
            90,
            () -> {
              assertThat(
                      n.register(
                              "s5_raise",
                              "python",
                              "def s5_raise(cb, i):\n    raise ValueError(i)\n")
                          .status())
                  .isEqualTo(201);
              for (int i = 0; i < 50; i++) {
                assertError(n.invoke("s5_raise", i), 422, "EXECUTION_ERROR");
              }
              String src =
                  "def s5_spin(cb, forever):\n    while forever:\n        pass\n    return 'done'\n";
              assertThat(n.register("s5_spin", "python", src).status()).isEqualTo(201);
              for (int i = 0; i < 2; i++) {
                assertError(
                    n.invoke("s5_spin", args(true).put("timeout_ms", 1000)), 504, "TIMEOUT");
              }
              assertThat(n.invoke("s5_spin", false).json().getString("result")).isEqualTo("done");
            }),
        c(
            "sequence: a pending runaway's client disconnects; the call still ends and the CPU idles",
            60,
            () -> {
              assertThat(
                      n.register(
                              "s6_spin",
                              "python",
                              "def s6_spin(cb):\n    while True:\n        pass\n")
                          .status())
                  .isEqualTo(201);
              try {
                n.sendBytes(
                    "POST",
                    "/v1/functions/s6_spin/invoke",
                    "{\"args\":[],\"timeout_ms\":2000}".getBytes(StandardCharsets.UTF_8),
                    Duration.ofMillis(300));
              } catch (java.net.http.HttpTimeoutException expected) {
                // the client gave up; the node must still stop the call at its deadline
              }
              assertCpuIdles();
            }),
        // Last: on a node without the fix of this sequence it leaves the executor unable to run
        // anything.
        c(
            "sequence (the issue's): w_url 422, s_fn 504 within 3.5 s, spin 504 on time, sq 4, then the CPU idles",
            90,
            () -> {
              Reply url =
                  registerAndInvoke(
                      "python",
                      "w_url",
                      "def w_url(c):\n import urllib.request\n return urllib.request.urlopen('"
                          + n.base
                          + "/health', timeout=3).read()",
                      args());
              assertError(url, 422, "EXECUTION_ERROR");
              assertTimesOut(
                  "python", "s_fn", "def s_fn(c):\n import time\n time.sleep(10**6)", 3000, 500);
              assertTimesOut(
                  "python", "w_spin", "def w_spin(c):\n while True: pass", 2000, TIMEOUT_MARGIN_MS);
              assertThat(n.invoke("sq", 2).json().getLong("result")).isEqualTo(4L);
              assertCpuIdles();
            }));
  }

  /**
   * After runaway code is stopped, the node goes back to idle: within a bounded wait (10 s), some 2
   * s window in which the node process uses under 0.3 cores.
   */
  private void assertCpuIdles() throws Exception {
    List<String> seen = new ArrayList<>();
    for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); System.nanoTime() < end; ) {
      double cores = n.coresOver(Duration.ofSeconds(2));
      seen.add(String.format("%.2f", cores));
      if (cores < 0.3) {
        return;
      }
    }
    throw new AssertionError("the node did not go idle: cores used per 2 s window " + seen);
  }

  // ---------------------------------------------------------------------------------------------
  // WebSocket /v1/futures

  @TestFactory
  @Order(5)
  Stream<DynamicTest> webSocketFutures() {
    return Stream.of(
        c(
            "ws: a non-JSON frame -> BAD_REQUEST frame, the socket goes on",
            () -> {
              try (HostileWire.Ws ws = new HostileWire.Ws(n.base, "/v1/futures")) {
                ws.send("not json at all");
                assertThat(ws.next().getJsonObject("error").getString("code"))
                    .isEqualTo("BAD_REQUEST");
                ws.send(new JsonObject().put("subscribe", "h-unknown"));
                assertThat(ws.next().getJsonObject("error").getString("code"))
                    .isEqualTo("RESULT_NOT_FOUND");
              }
            }),
        c(
            "ws: subscribe to a number, or no subscribe -> BAD_REQUEST frames",
            () -> {
              try (HostileWire.Ws ws = new HostileWire.Ws(n.base, "/v1/futures")) {
                ws.send(new JsonObject().put("subscribe", 5));
                assertThat(ws.next().getJsonObject("error").getString("code"))
                    .isEqualTo("BAD_REQUEST");
                ws.send("[1, 2]");
                assertThat(ws.next().getJsonObject("error").getString("code"))
                    .isEqualTo("BAD_REQUEST");
                ws.send(new JsonObject().put("subscribe", ""));
                assertThat(ws.next().getJsonObject("error").getString("code"))
                    .isEqualTo("BAD_REQUEST");
              }
            }),
        c(
            "ws: an unknown id -> a failed result with RESULT_NOT_FOUND",
            () -> {
              try (HostileWire.Ws ws = new HostileWire.Ws(n.base, "/v1/futures")) {
                ws.send(new JsonObject().put("subscribe", "h-no-such-call"));
                JsonObject f = ws.next();
                assertThat(f.getString("id")).isEqualTo("h-no-such-call");
                assertThat(f.getString("status")).isEqualTo("failed");
                assertThat(f.getJsonObject("error").getString("code"))
                    .isEqualTo("RESULT_NOT_FOUND");
              }
            }),
        c(
            "ws: a binary frame is not answered with a result and the socket goes on",
            () -> {
              try (HostileWire.Ws ws = new HostileWire.Ws(n.base, "/v1/futures")) {
                ws.sendBinary(new byte[] {(byte) 0xff, 0, 1, 2});
                ws.send(new JsonObject().put("subscribe", "h-after-binary"));
                JsonObject f = ws.next();
                if (f.getString("id") == null) { // an error frame for the binary one is fine too
                  assertThat(f.getJsonObject("error").getString("code")).isEqualTo("BAD_REQUEST");
                  f = ws.next();
                }
                assertThat(f.getString("id")).isEqualTo("h-after-binary");
              }
            }),
        c(
            "ws: 10,000 subscriptions on one socket are each answered",
            90,
            () -> {
              try (HostileWire.Ws ws = new HostileWire.Ws(n.base, "/v1/futures")) {
                for (int i = 0; i < 10_000; i++) {
                  ws.ws
                      .sendText("{\"subscribe\":\"h-many-" + i + "\"}", true)
                      .get(10, TimeUnit.SECONDS);
                }
                for (int i = 0; i < 10_000; i++) {
                  assertThat(ws.next().getJsonObject("error").getString("code"))
                      .isIn("RESULT_NOT_FOUND", "PAYLOAD_TOO_LARGE");
                }
                String id = n.invoke("sq", args(3).put("wait", false)).json().getString("id");
                ws.send(new JsonObject().put("subscribe", id));
                assertThat(ws.next().getLong("result")).isEqualTo(9L);
              }
            }),
        c(
            "ws: a 2 MB message (over the 1 MB limit) closes that socket, or the socket goes on",
            () -> {
              HostileWire.Ws ws = new HostileWire.Ws(n.base, "/v1/futures");
              try {
                ws.ws
                    .sendText("{\"subscribe\":\"" + "x".repeat(2 << 20) + "\"}", true)
                    .get(10, TimeUnit.SECONDS);
                if (!ws.closedByPeer()) { // not closed: then it must still answer, not sit there
                  // half-dead
                  ws.send(new JsonObject().put("subscribe", "h-after-big"));
                  assertThat(ws.next().getString("id")).isEqualTo("h-after-big");
                }
              } catch (java.util.concurrent.ExecutionException closedWhileSending) {
                // the server closed before the whole message was written
              } finally {
                ws.close();
              }
            }),
        c(
            "ws: a runaway call followed over the socket ends as TIMEOUT",
            30,
            () -> {
              assertThat(
                      n.register(
                              "h_ws_spin",
                              "python",
                              "def h_ws_spin(cb):\n    while True:\n        pass\n")
                          .status())
                  .isEqualTo(201);
              String id =
                  n.invoke("h_ws_spin", args().put("wait", false).put("timeout_ms", 1500))
                      .json()
                      .getString("id");
              try (HostileWire.Ws ws = new HostileWire.Ws(n.base, "/v1/futures")) {
                ws.send(new JsonObject().put("subscribe", id));
                JsonObject f = ws.next();
                assertThat(f.getString("status")).isEqualTo("failed");
                assertThat(f.getJsonObject("error").getString("code")).isEqualTo("TIMEOUT");
              }
            }),
        c(
            "ws: aborting a socket that waits on a pending call",
            () -> {
              assertThat(
                      n.register(
                              "h_ws_slow",
                              "python",
                              "import time\ndef h_ws_slow(cb):\n    time.sleep(1)\n    return 1\n")
                          .status())
                  .isEqualTo(201);
              String id = n.invoke("h_ws_slow", args().put("wait", false)).json().getString("id");
              HostileWire.Ws ws = new HostileWire.Ws(n.base, "/v1/futures");
              ws.send(new JsonObject().put("subscribe", id));
              ws.close();
              assertThat(n.awaitDone(id, 10).getLong("result")).isEqualTo(1L);
            }));
  }

  // ---------------------------------------------------------------------------------------------
  // SockJS /eventbus (its raw WebSocket transport: one JSON frame per text message)

  private static JsonObject frame(String type, String address) {
    return new JsonObject().put("type", type).put("address", address);
  }

  private static JsonObject invokeFrame(String replyAddress, Object body) {
    return frame("send", "cloudburst.api.invoke")
        .put("replyAddress", replyAddress)
        .put("body", body);
  }

  /** A case on a fresh SockJS socket; afterwards the same socket must still run sq. */
  private DynamicTest sockJs(String title, WsBody body) {
    return c(
        title,
        () -> {
          try (HostileWire.Ws ws = new HostileWire.Ws(n.base, "/eventbus/websocket")) {
            body.run(ws);
            ws.send(
                invokeFrame(
                    "h-ok",
                    new JsonObject().put("function", "sq").put("args", new JsonArray().add(5))));
            JsonObject ok = ws.nextSockJs();
            assertThat(ok.getString("address")).isEqualTo("h-ok");
            assertThat(ok.getJsonObject("body").getLong("result")).isEqualTo(25L);
          }
        });
  }

  @FunctionalInterface
  interface WsBody {
    void run(HostileWire.Ws ws) throws Exception;
  }

  private static void assertBridgeError(JsonObject replyFrame, String replyAddress, String code) {
    assertThat(replyFrame.getString("address")).as(replyFrame.encode()).isEqualTo(replyAddress);
    JsonObject body = replyFrame.getJsonObject("body");
    assertThat(body.getString("status")).isEqualTo("failed");
    assertThat(body.getJsonObject("error").getString("code")).as(body.encode()).isEqualTo(code);
  }

  @TestFactory
  @Order(6)
  Stream<DynamicTest> sockJsBridge() {
    return Stream.of(
        sockJs(
            "sockjs: send to an internal address -> access_denied",
            ws -> {
              ws.send(
                  frame("send", "cloudburst.scheduler")
                      .put("replyAddress", "x")
                      .put("body", new JsonObject()));
              assertThat(ws.nextSockJs())
                  .isEqualTo(new JsonObject().put("type", "err").put("body", "access_denied"));
            }),
        sockJs(
            "sockjs: register on an internal address -> access_denied",
            ws -> {
              ws.send(frame("register", "cloudburst.results"));
              assertThat(ws.nextSockJs().getString("body")).isEqualTo("access_denied");
            }),
        sockJs(
            "sockjs: publish to the outbound-only call stream -> access_denied",
            ws -> {
              ws.send(frame("publish", "cloudburst.api.calls").put("body", new JsonObject()));
              assertThat(ws.nextSockJs().getString("body")).isEqualTo("access_denied");
            }),
        sockJs(
            "sockjs: a malformed frame -> invalid_json",
            ws -> {
              ws.send("{\"type\": \"send\", oops");
              assertThat(ws.nextSockJs().getString("body")).isEqualTo("invalid_json");
            }),
        sockJs(
            "sockjs: an unknown type -> invalid_type",
            ws -> {
              ws.send(frame("teleport", "cloudburst.api.invoke"));
              assertThat(ws.nextSockJs().getString("body")).isEqualTo("invalid_type");
            }),
        sockJs(
            "sockjs: invoke with a string body -> BAD_REQUEST",
            ws -> {
              ws.send(invokeFrame("h-e1", "just a string"));
              assertBridgeError(ws.nextSockJs(), "h-e1", "BAD_REQUEST");
            }),
        sockJs(
            "sockjs: invoke with args not an array -> BAD_REQUEST",
            ws -> {
              ws.send(invokeFrame("h-e2", new JsonObject().put("function", "sq").put("args", 5)));
              assertBridgeError(ws.nextSockJs(), "h-e2", "BAD_REQUEST");
            }),
        sockJs(
            "sockjs: invoke with a negative timeout_ms -> BAD_REQUEST",
            ws -> {
              ws.send(
                  invokeFrame(
                      "h-e3",
                      new JsonObject()
                          .put("function", "sq")
                          .put("args", new JsonArray().add(1))
                          .put("timeout_ms", -1)));
              assertBridgeError(ws.nextSockJs(), "h-e3", "BAD_REQUEST");
            }),
        sockJs(
            "sockjs: invoke of an unknown function -> FUNC_NOT_FOUND",
            ws -> {
              ws.send(
                  invokeFrame(
                      "h-e4",
                      new JsonObject().put("function", "h_nope").put("args", new JsonArray())));
              assertBridgeError(ws.nextSockJs(), "h-e4", "FUNC_NOT_FOUND");
            }),
        sockJs(
            "sockjs: unregister of a never-registered address is harmless",
            ws -> ws.send(frame("unregister", "cloudburst.api.results.h-never"))),
        sockJs(
            "sockjs: watching a reserved key -> BAD_REQUEST body",
            ws -> {
              ws.send(frame("register", "cloudburst.api.keys.__cloudburst/functions/sq"));
              JsonObject f = ws.nextSockJs();
              assertThat(f.getJsonObject("body").getJsonObject("error").getString("code"))
                  .isEqualTo("BAD_REQUEST");
            }),
        sockJs(
            "sockjs: an address over the length limit -> max_address_length_reached",
            ws -> {
              ws.send(frame("register", "cloudburst.api.keys." + "k".repeat(5000)));
              assertThat(ws.nextSockJs().getString("body")).isEqualTo("max_address_length_reached");
            }),
        c(
            "sockjs: a 2 MB message closes that socket, or the socket goes on",
            () -> {
              HostileWire.Ws ws = new HostileWire.Ws(n.base, "/eventbus/websocket");
              try {
                ws.ws
                    .sendText(
                        invokeFrame(
                                "h-big",
                                new JsonObject()
                                    .put("function", "sq")
                                    .put("args", new JsonArray().add("x".repeat(2 << 20))))
                            .encode(),
                        true)
                    .get(10, TimeUnit.SECONDS);
                if (!ws.closedByPeer()) { // not closed: then it must still answer, not sit there
                  // half-dead
                  ws.send(
                      invokeFrame(
                          "h-after-big",
                          new JsonObject()
                              .put("function", "sq")
                              .put("args", new JsonArray().add(4))));
                  assertThat(ws.nextSockJs().getString("address")).isEqualTo("h-after-big");
                }
              } catch (java.util.concurrent.ExecutionException closedWhileSending) {
                // the server closed before the whole message was written
              } finally {
                ws.close();
              }
            }),
        c(
            "sockjs: abort in the middle of a fragmented message",
            () -> {
              HostileWire.Ws ws = new HostileWire.Ws(n.base, "/eventbus/websocket");
              ws.ws
                  .sendText("{\"type\":\"send\",\"address\":\"cloudburst.api.invoke\",", false)
                  .get(10, TimeUnit.SECONDS);
              ws.close();
            }));
  }

  // ---------------------------------------------------------------------------------------------
  // TCP event-bus bridge

  /** A case on a fresh TCP bridge connection; afterwards the same connection must still run sq. */
  private DynamicTest tcp(String title, TcpBody body) {
    return c(
        title,
        () -> {
          try (HostileWire.Tcp t = new HostileWire.Tcp(n.tcpBridgePort)) {
            body.run(t);
            t.send(
                invokeFrame(
                    "h-ok",
                    new JsonObject().put("function", "sq").put("args", new JsonArray().add(6))));
            JsonObject ok = t.read();
            assertThat(ok.getString("address")).isEqualTo("h-ok");
            assertThat(ok.getJsonObject("body").getLong("result")).isEqualTo(36L);
          }
        });
  }

  @FunctionalInterface
  interface TcpBody {
    void run(HostileWire.Tcp t) throws Exception;
  }

  private static JsonObject err(String message) {
    return new JsonObject().put("type", "err").put("message", message);
  }

  @TestFactory
  @Order(7)
  Stream<DynamicTest> tcpBridge() {
    return Stream.of(
        tcp(
            "tcp: send to an internal address -> access_denied",
            t -> {
              t.send(
                  frame("send", "cloudburst.scheduler")
                      .put("replyAddress", "x")
                      .put("body", new JsonObject()));
              assertThat(t.read()).isEqualTo(err("access_denied"));
            }),
        tcp(
            "tcp: register on an internal address -> access_denied",
            t -> {
              t.send(frame("register", "cloudburst.results"));
              assertThat(t.read()).isEqualTo(err("access_denied"));
            }),
        tcp(
            "tcp: malformed JSON -> invalid_json",
            t -> {
              t.sendRaw("{\"type\": \"send\", oops".getBytes(StandardCharsets.UTF_8));
              assertThat(t.read()).isEqualTo(err("invalid_json"));
            }),
        tcp(
            "tcp: a JSON array -> invalid_json",
            t -> {
              t.sendRaw("[1, 2]".getBytes(StandardCharsets.UTF_8));
              assertThat(t.read()).isEqualTo(err("invalid_json"));
            }),
        tcp(
            "tcp: invalid UTF-8 -> invalid_json",
            t -> {
              t.sendRaw(new byte[] {'{', '"', (byte) 0xff, (byte) 0xfe, '"', ':', '1', '}'});
              assertThat(t.read().getString("type")).isEqualTo("err");
            }),
        tcp(
            "tcp: an empty frame -> invalid_json",
            t -> {
              t.sendRaw(new byte[0]);
              assertThat(t.read()).isEqualTo(err("invalid_json"));
            }),
        tcp(
            "tcp: no type -> missing_type",
            t -> {
              t.send(new JsonObject().put("address", "cloudburst.api.invoke"));
              assertThat(t.read()).isEqualTo(err("missing_type"));
            }),
        tcp(
            "tcp: an unknown type -> unknown_type",
            t -> {
              t.send(frame("teleport", "cloudburst.api.invoke"));
              assertThat(t.read()).isEqualTo(err("unknown_type"));
            }),
        tcp(
            "tcp: no address -> missing_address",
            t -> {
              t.send(
                  new JsonObject()
                      .put("type", "send")
                      .put("replyAddress", "x")
                      .put("body", new JsonObject()));
              assertThat(t.read()).isEqualTo(err("missing_address"));
            }),
        tcp(
            "tcp: unregister of a never-registered address -> unknown_address",
            t -> {
              t.send(frame("unregister", "cloudburst.api.results.h-never"));
              assertThat(t.read()).isEqualTo(err("unknown_address"));
            }),
        tcp(
            "tcp: invoke with a number body -> BAD_REQUEST",
            t -> {
              t.send(invokeFrame("h-t1", 42));
              assertBridgeError(t.read(), "h-t1", "BAD_REQUEST");
            }),
        tcp(
            "tcp: invoke with both function and dag -> BAD_REQUEST",
            t -> {
              t.send(
                  invokeFrame(
                      "h-t2", new JsonObject().put("function", "sq").put("dag", "incr_sq")));
              assertBridgeError(t.read(), "h-t2", "BAD_REQUEST");
            }),
        tcp(
            "tcp: invoke with 1e999 in args -> BAD_REQUEST",
            t -> {
              t.sendRaw(
                  ("{\"type\":\"send\",\"address\":\"cloudburst.api.invoke\",\"replyAddress\":\"h-t3\","
                          + "\"body\":{\"function\":\"sq\",\"args\":[1e999]}}")
                      .getBytes(StandardCharsets.UTF_8));
              JsonObject f = t.read();
              if ("err".equals(f.getString("type"))) {
                assertThat(f.getString("message")).isEqualTo("invalid_json");
              } else {
                assertBridgeError(f, "h-t3", "BAD_REQUEST");
              }
            }),
        tcp(
            "tcp: invoke of an unknown function -> FUNC_NOT_FOUND",
            t -> {
              t.send(invokeFrame("h-t4", new JsonObject().put("function", "h_nope")));
              assertBridgeError(t.read(), "h-t4", "FUNC_NOT_FOUND");
            }),
        tcp(
            "tcp: invoke of a DAG with an unknown consistency -> BAD_REQUEST",
            t -> {
              t.send(
                  invokeFrame(
                      "h-t5",
                      new JsonObject()
                          .put("dag", "incr_sq")
                          .put("args", new JsonObject().put("incr", new JsonArray().add(1)))
                          .put("consistency", "linearizable")));
              assertBridgeError(t.read(), "h-t5", "BAD_REQUEST");
            }),
        c(
            "tcp: a length prefix of 2^31-1 -> frame_too_large and the connection closes",
            () -> {
              try (HostileWire.Tcp t = new HostileWire.Tcp(n.tcpBridgePort)) {
                t.write(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, '{'});
                assertThat(t.read()).isEqualTo(err("frame_too_large"));
                assertThat(t.closedByPeer()).isTrue();
              }
            }),
        c(
            "tcp: a negative length prefix -> frame_too_large",
            () -> {
              try (HostileWire.Tcp t = new HostileWire.Tcp(n.tcpBridgePort)) {
                t.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfb});
                assertThat(t.read()).isEqualTo(err("frame_too_large"));
              }
            }),
        c(
            "tcp: disconnect in the middle of a frame",
            () -> {
              try (HostileWire.Tcp t = new HostileWire.Tcp(n.tcpBridgePort)) {
                t.write(new byte[] {0, 0, 0, 100, '{', '"', 't', 'y'});
              }
            }),
        c(
            "tcp: disconnect in the middle of a length prefix",
            () -> {
              try (HostileWire.Tcp t = new HostileWire.Tcp(n.tcpBridgePort)) {
                t.write(new byte[] {0, 0});
              }
            }),
        c(
            "tcp: disconnect while a waiting invoke of a runaway is in flight",
            () -> {
              assertThat(
                      n.register(
                              "h_tcp_spin",
                              "python",
                              "def h_tcp_spin(cb):\n    while True:\n        pass\n")
                          .status())
                  .isEqualTo(201);
              try (HostileWire.Tcp t = new HostileWire.Tcp(n.tcpBridgePort)) {
                t.send(
                    invokeFrame(
                        "h-t6",
                        new JsonObject().put("function", "h_tcp_spin").put("timeout_ms", 1500)));
              }
              assertCpuIdles();
            }));
  }

  // ---------------------------------------------------------------------------------------------
  // The command line

  /**
   * The CLI as {@code ./cloudburst} runs it: {@code python3 -m cloudburst.cli} with the
   * repository's client.
   */
  private record Cli(int exit, String stdout, String stderr) {}

  private Cli cli(Map<String, String> env, String... args) throws Exception {
    Path root = Path.of("").toAbsolutePath();
    if (!Files.isDirectory(root.resolve("examples-python"))) {
      root = root.getParent(); // Maven runs the tests in node/
    }
    List<String> cmd = new ArrayList<>(List.of("python3", "-m", "cloudburst.cli"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
    pb.environment().put("PYTHONPATH", root.resolve("examples-python").toString());
    pb.environment().put("CLOUDBURST_URL", n.base);
    pb.environment().remove("CLOUDBURST_TOKEN");
    pb.environment().putAll(env);
    Path out = Files.createTempFile("hostile-cli", ".out");
    Path errFile = Files.createTempFile("hostile-cli", ".err");
    Process p = pb.redirectOutput(out.toFile()).redirectError(errFile.toFile()).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the CLI ended").isTrue();
    return new Cli(p.exitValue(), Files.readString(out), Files.readString(errFile));
  }

  private Cli cli(String... args) throws Exception {
    return cli(Map.of(), args);
  }

  @TestFactory
  @Order(8)
  Stream<DynamicTest> commandLine() {
    return Stream.of(
        c(
            "cli: an unknown command -> exit 2",
            () -> {
              Cli r = cli("frobnicate");
              assertThat(r.exit()).as(r.toString()).isEqualTo(2);
              assertThat(r.stderr()).doesNotContain("Traceback");
            }),
        c(
            "cli: call of a missing function -> exit 1, FUNC_NOT_FOUND",
            () -> {
              Cli r = cli("call", "h_cli_nope", "1");
              assertThat(r.exit()).as(r.toString()).isEqualTo(1);
              assertThat(r.stderr()).contains("FUNC_NOT_FOUND").doesNotContain("Traceback");
            }),
        c(
            "cli: deploy of a missing file -> exit 1 or 2, naming the file",
            () -> {
              Cli r = cli("deploy", "/nonexistent/h_missing.py");
              assertThat(r.exit()).as(r.toString()).isIn(1, 2);
              assertThat(r.stderr()).contains("h_missing.py").doesNotContain("Traceback");
            }),
        c(
            "cli: kv get of a missing key -> exit 1",
            () -> {
              Cli r = cli("kv", "get", "h_cli_absent");
              assertThat(r.exit()).as(r.toString()).isEqualTo(1);
              assertThat(r.stderr()).doesNotContain("Traceback");
            }),
        c(
            "cli: kv put of a reserved key -> exit 1, BAD_REQUEST",
            () -> {
              Cli r = cli("kv", "put", "__cloudburst/functions/sq", "1");
              assertThat(r.exit()).as(r.toString()).isEqualTo(1);
              assertThat(r.stderr()).contains("BAD_REQUEST").doesNotContain("Traceback");
            }),
        c(
            "cli: dag create of a cycle -> exit 1, DAG_INVALID",
            () -> {
              Cli r =
                  cli(
                      "dag",
                      "create",
                      "h_cli_cycle",
                      "--functions",
                      "incr,dsq",
                      "--connect",
                      "incr:dsq",
                      "--connect",
                      "dsq:incr");
              assertThat(r.exit()).as(r.toString()).isEqualTo(1);
              assertThat(r.stderr()).contains("DAG_INVALID").doesNotContain("Traceback");
            }),
        c(
            "cli: a node that is not there -> exit 1, no traceback",
            () -> {
              Cli r =
                  cli(
                      Map.of("CLOUDBURST_URL", "http://127.0.0.1:" + NodeProcess.freePort()),
                      "call",
                      "sq",
                      "2");
              assertThat(r.exit()).as(r.toString()).isEqualTo(1);
              assertThat(r.stderr()).doesNotContain("Traceback");
            }),
        c(
            "cli: call with a bad $bytes argument -> an error exit, no traceback",
            () -> {
              Cli r = cli("call", "sq", "{\"$bytes\": \"!!\"}");
              assertThat(r.exit()).as(r.toString()).isIn(1, 2);
              assertThat(r.stderr()).doesNotContain("Traceback");
            }),
        c(
            "cli: kv get of a stored {\"$pickle\"} value runs no code on the client",
            () -> {
              Path marker = Files.createTempDirectory("hostile-pickle").resolve("ran");
              // Protocol 0: posix.system('touch <marker>'), what an attacker who can write a key
              // would store.
              String payload = "cposix\nsystem\n(S'touch " + marker + "'\ntR.";
              String b64 =
                  Base64.getEncoder().encodeToString(payload.getBytes(StandardCharsets.ISO_8859_1));
              assertThat(
                      n.send(
                              "PUT",
                              "/v1/kvs/h_evil_pickle",
                              "{\"value\":{\"$pickle\":\"" + b64 + "\"}}")
                          .status())
                  .isEqualTo(204);
              Cli r = cli("kv", "get", "h_evil_pickle");
              assertThat(marker)
                  .as("the client unpickled what the node stored: " + r)
                  .doesNotExist();
            }));
  }
}
