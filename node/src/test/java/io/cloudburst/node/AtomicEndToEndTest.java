package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 15 through the public API: atomic calls commit all of their writes or none. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AtomicEndToEndTest {
  private static TestNode n;

  @BeforeAll
  static void node() throws Exception {
    n = TestNode.shared();
    register(
        "at_debit",
        """
        def at_debit(cb, prefix, amount):
            cb.put(prefix + '_from', -amount)
            return amount
        """);
    register(
        "at_credit_fails",
        """
        def at_credit_fails(cb, amount):
            seen = cb.get('at_dummy')
            raise ValueError('credit refused for %s' % amount)
        """);
    register(
        "at_credit",
        """
        def at_credit(cb, prefix, amount):
            mine = cb.get(prefix + '_from')
            cb.put(prefix + '_to', amount)
            return [mine, cb.get(prefix + '_to')]
        """);
    register(
        "at_count",
        """
        def at_count(cb, key):
            cb.put(key, 1)
            return cb.get(key)
        """);
    register(
        "at_big",
        """
        def at_big(cb, prefix, n):
            for i in range(n):
                cb.put(prefix + str(i), 'x' * (1 << 20))
            return n
        """);
    register(
        "at_nested",
        """
        def at_nested(cb):
            return cb.call('at_count', 'at_nested_k')
        """);
    assertThat(dag("at_fail_dag", "at_debit", "at_credit_fails").status()).isEqualTo(201);
    assertThat(dag("at_ok_dag", "at_debit", "at_credit").status()).isEqualTo(201);
    assertThat(
            n.send("PUT", "/v1/kvs/at_counter", "{\"value\": 0, \"lattice\": \"counter\"}")
                .status())
        .isEqualTo(204);
  }

  private static void register(String name, String source) throws Exception {
    TestNode.Reply r = n.register(name, "python", source);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
  }

  private static TestNode.Reply dag(String name, String from, String to) throws Exception {
    return n.post(
        "/v1/dags",
        new JsonObject()
            .put("name", name)
            .put("functions", new JsonArray().add(from).add(to))
            .put("connections", new JsonArray().add(new JsonArray().add(from).add(to))));
  }

  private static TestNode.Reply transfer(String dag, String prefix, Object atomic)
      throws Exception {
    JsonObject body =
        new JsonObject()
            .put("args", new JsonObject().put("at_debit", new JsonArray().add(prefix).add(5)));
    if (dag.equals("at_ok_dag")) {
      body.getJsonObject("args").put("at_credit", new JsonArray().add(prefix));
    }
    if (atomic != null) {
      body.put("atomic", atomic);
    }
    return n.post("/v1/dags/" + dag + "/invoke", body);
  }

  @Test
  void aFailingSecondFunctionLeavesNoWriteOfTheFirstVisible() throws Exception {
    TestNode.Reply atomic = transfer("at_fail_dag", "at_f1", true);
    assertThat(atomic.status()).as(atomic.body()).isEqualTo(422);
    assertThat(atomic.errorMessage()).contains("credit refused");
    assertThat(n.get("/v1/kvs/at_f1_from").status()).isEqualTo(404);

    // The same DAG without atomic mode leaves the debit behind: what the test above rules out.
    TestNode.Reply plain = transfer("at_fail_dag", "at_f2", false);
    assertThat(plain.status()).as(plain.body()).isEqualTo(422);
    assertThat(n.get("/v1/kvs/at_f2_from").json().getInteger("value")).isEqualTo(-5);
  }

  @Test
  void anAtomicDagReadsItsOwnWritesAcrossFunctionsAndCommitsThemAll() throws Exception {
    assertThat(n.get("/v1/kvs/at_ok_from").status()).isEqualTo(404);
    TestNode.Reply r = transfer("at_ok_dag", "at_ok", true);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    // The second function read the first one's buffered write, and its own.
    assertThat(r.json().getJsonArray("result")).isEqualTo(new JsonArray().add(-5).add(5));
    assertThat(n.get("/v1/kvs/at_ok_from").json().getInteger("value")).isEqualTo(-5);
    assertThat(n.get("/v1/kvs/at_ok_to").json().getInteger("value")).isEqualTo(5);
  }

  @Test
  void aRepeatedRequestIdCommitsOnceAndAnswersTheFirstOutcome() throws Exception {
    JsonObject body =
        new JsonObject()
            .put("args", new JsonArray().add("at_counter"))
            .put("atomic", true)
            .put("request_id", "at-once-1");
    TestNode.Reply first = n.post("/v1/functions/at_count/invoke", body);
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertThat(first.json().getLong("result")).isEqualTo(1L);
    TestNode.Reply again = n.post("/v1/functions/at_count/invoke", body);
    assertThat(again.json().getLong("result")).isEqualTo(1L);
    assertThat(n.get("/v1/kvs/at_counter").json().getLong("value")).isEqualTo(1L);
    TestNode.Reply other =
        n.post("/v1/functions/at_count/invoke", body.copy().put("request_id", "at-once-2"));
    assertThat(other.json().getLong("result")).isEqualTo(2L);
    assertThat(n.get("/v1/kvs/at_counter").json().getLong("value")).isEqualTo(2L);
  }

  @Test
  void atomicThatIsNotABooleanIsBadRequest() throws Exception {
    TestNode.Reply f =
        n.post(
            "/v1/functions/at_count/invoke",
            new JsonObject().put("args", new JsonArray().add("at_bad")).put("atomic", "yes"));
    assertThat(f.status()).isEqualTo(400);
    assertThat(f.errorCode()).isEqualTo("BAD_REQUEST");
    assertThat(f.errorMessage()).contains("atomic");
    TestNode.Reply d = transfer("at_ok_dag", "at_bad", 1);
    assertThat(d.status()).isEqualTo(400);
    assertThat(n.get("/v1/kvs/at_bad").status()).isEqualTo(404);
  }

  @Test
  void aBufferOverTheLimitFailsTheCallAndWritesNothing() throws Exception {
    TestNode.Reply r =
        n.post(
            "/v1/functions/at_big/invoke",
            new JsonObject()
                .put("args", new JsonArray().add("at_big_").add(9))
                .put("atomic", true));
    assertThat(r.status()).as(r.body()).isEqualTo(413);
    assertThat(r.errorCode()).isEqualTo("PAYLOAD_TOO_LARGE");
    assertThat(n.get("/v1/kvs/at_big_0").status()).isEqualTo(404);
  }

  @Test
  void aNestedCallInsideAnAtomicCallIsRefused() throws Exception {
    TestNode.Reply r =
        n.post(
            "/v1/functions/at_nested/invoke",
            new JsonObject().put("args", new JsonArray()).put("atomic", true));
    assertThat(r.json().getString("status")).as(r.body()).isEqualTo("failed");
    assertThat(r.errorMessage()).contains("inside an atomic call is refused");
    assertThat(n.get("/v1/kvs/at_nested_k").status()).isEqualTo(404);
  }
}
