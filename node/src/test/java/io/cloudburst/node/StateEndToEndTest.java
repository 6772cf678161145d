package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.lattice.LatticeKind;
import io.cloudburst.bus.lattice.Lattices;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.KvsRequest;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SCENARIOS.md 9-11 and the state issue's behaviours through the public API of a started node. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StateEndToEndTest {
  private static TestNode n;

  @BeforeAll
  static void node() throws Exception {
    n = TestNode.shared();
  }

  private static TestNode.Reply put(String key, String bodyJson) throws Exception {
    return n.send("PUT", "/v1/kvs/" + key, bodyJson);
  }

  @Test
  void aReferenceIsResolvedBeforeTheFunctionRuns() throws Exception {
    assertThat(put("st_k", "{\"value\": 3}").status()).isEqualTo(204);
    assertThat(n.register("st_sq", "python", "def st_sq(cb, x):\n    return x * x\n").status())
        .isEqualTo(201);
    TestNode.Reply r =
        n.post(
            "/v1/functions/st_sq/invoke",
            new JsonObject()
                .put("args", new JsonArray().add(new JsonObject().put("$ref", "st_k"))));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getLong("result")).isEqualTo(9L);
  }

  @Test
  void aSetPassedByReferenceIsSummedAndAListKeepsItsOrder() throws Exception {
    assertThat(put("st_set", "{\"value\": [2, 3, 4], \"lattice\": \"set\"}").status())
        .isEqualTo(204);
    assertThat(put("st_set", "{\"value\": 3, \"lattice\": \"set\"}").status()).isEqualTo(204);
    assertThat(put("st_list", "{\"value\": [3, 1, 2]}").status()).isEqualTo(204);
    assertThat(n.register("st_sum", "python", "def st_sum(cb, s):\n    return sum(s)\n").status())
        .isEqualTo(201);
    assertThat(n.register("st_echo", "javascript", "function st_echo(cb, v) { return v }").status())
        .isEqualTo(201);
    TestNode.Reply sum =
        n.post(
            "/v1/functions/st_sum/invoke",
            new JsonObject()
                .put("args", new JsonArray().add(new JsonObject().put("$ref", "st_set"))));
    assertThat(sum.json().getLong("result")).as(sum.body()).isEqualTo(9L);
    TestNode.Reply list =
        n.post(
            "/v1/functions/st_echo/invoke",
            new JsonObject()
                .put(
                    "args",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("nested", new JsonObject().put("$ref", "st_list")))));
    assertThat(list.json().getJsonObject("result").getJsonArray("nested"))
        .as(list.body())
        .isEqualTo(new JsonArray().add(3).add(1).add(2));
  }

  @Test
  void aFunctionReadsItsOwnWritesAndAMissingKeyIsNone() throws Exception {
    String py =
        """
        def st_rw(cb, key):
            before = cb.get(key)
            cb.put(key, 2)
            both = cb.get([key, key + '_missing'])
            return [before, cb.get(key), both]
        """;
    assertThat(n.register("st_rw", "python", py).status()).isEqualTo(201);
    TestNode.Reply r = n.invoke("st_rw", "st_py_key");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getJsonArray("result"))
        .isEqualTo(
            new JsonArray()
                .addNull()
                .add(2)
                .add(new JsonObject().put("st_py_key", 2).putNull("st_py_key_missing")));
    assertThat(n.get("/v1/kvs/st_py_key").json().getInteger("value")).isEqualTo(2);

    String js =
        "function st_rw_js(cb, key) { const b = cb.get(key); cb.put(key, {n: 5}); return [b, cb.get(key)] }";
    assertThat(n.register("st_rw_js", "javascript", js).status()).isEqualTo(201);
    TestNode.Reply j = n.invoke("st_rw_js", "st_js_key");
    assertThat(j.json().getJsonArray("result"))
        .as(j.body())
        .isEqualTo(new JsonArray().addNull().add(new JsonObject().put("n", 5)));
  }

  @Test
  void aWriteThroughTheStoreFromOutsideReachesACachedReadWithoutARestart() throws Exception {
    assertThat(put("st_pushed", "{\"value\": \"old\"}").status()).isEqualTo(204);
    assertThat(
            n.register("st_read", "python", "def st_read(cb, k):\n    return cb.get(k)\n").status())
        .isEqualTo(201);
    assertThat(n.invoke("st_read", "st_pushed").json().getString("result")).isEqualTo("old");
    // Write straight into the store, past this node's cache: only the store's push can tell the
    // cache.
    var lattice =
        Lattices.write(null, LatticeKind.LWW, "new", "outside", System.currentTimeMillis() + 1_000);
    n.node
        .vertx()
        .eventBus()
        .<KvsReply>request(
            Addresses.KVS,
            new KvsRequest.Put("st_pushed", lattice, null),
            new DeliveryOptions().setSendTimeout(10_000))
        .await(10, TimeUnit.SECONDS);
    String seen = null;
    for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); System.nanoTime() < end; ) {
      seen = n.invoke("st_read", "st_pushed").json().getString("result");
      if ("new".equals(seen)) {
        break;
      }
    }
    assertThat(seen).isEqualTo("new");
  }

  @Test
  void theCachesKeyReportReachesTheScheduler() throws Exception {
    assertThat(put("st_reported", "{\"value\": 1}").status()).isEqualTo(204);
    JsonObject cache = null;
    for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); System.nanoTime() < end; ) {
      JsonObject st = n.get("/v1/status").json();
      cache = st.getJsonArray("nodes").getJsonObject(0).getJsonObject("cache");
      if (cache.getJsonArray("keys_shown").contains("st_reported") || cache.getLong("keys") > 100) {
        break;
      }
    }
    assertThat(cache.getLong("keys")).isPositive();
    assertThat(
            n.get("/v1/status")
                .json()
                .getJsonArray("nodes")
                .getJsonObject(0)
                .getJsonArray("executors"))
        .isNotEmpty();
    if (cache.getLong("keys") <= 100) {
      assertThat(cache.getJsonArray("keys_shown")).contains("st_reported");
    }
  }

  @Test
  void aMissingReferenceResolvesToNull() throws Exception {
    assertThat(
            n.register("st_isnone", "python", "def st_isnone(cb, v):\n    return v is None\n")
                .status())
        .isEqualTo(201);
    TestNode.Reply r =
        n.post(
            "/v1/functions/st_isnone/invoke",
            new JsonObject()
                .put(
                    "args", new JsonArray().add(new JsonObject().put("$ref", "st_never_written"))));
    assertThat(r.json().getBoolean("result")).as(r.body()).isTrue();
  }

  @Test
  void aCallMayWaitForAReferencedKeyToAppear() throws Exception {
    assertThat(n.register("st_wait", "python", "def st_wait(cb, v):\n    return v * 10\n").status())
        .isEqualTo(201);
    JsonArray args = new JsonArray().add(new JsonObject().put("$ref", "st_later"));
    TestNode.Reply pending =
        n.post(
            "/v1/functions/st_wait/invoke",
            new JsonObject().put("args", args).put("wait", false).put("await_refs_ms", 20_000));
    assertThat(pending.status()).as(pending.body()).isEqualTo(202);
    String id = pending.json().getString("id");
    assertThat(n.get("/v1/results/" + id).json().getString("status"))
        .as("still waiting for the key")
        .isEqualTo("pending");
    assertThat(put("st_later", "{\"value\": 4}").status()).isEqualTo(204);
    JsonObject done = n.awaitResult(id, 20);
    assertThat(done.getString("status")).as(done.encode()).isEqualTo("done");
    assertThat(done.getLong("result")).isEqualTo(40L);

    TestNode.Reply timedOut =
        n.post(
            "/v1/functions/st_wait/invoke",
            new JsonObject()
                .put("args", new JsonArray().add(new JsonObject().put("$ref", "st_never")))
                .put("await_refs_ms", 300));
    assertThat(timedOut.status()).as(timedOut.body()).isEqualTo(504);
    assertThat(timedOut.errorMessage()).contains("st_never");
  }

  @Test
  void badStateInputGetsItsCodeAndStoresNothing() throws Exception {
    assertThat(put("st_bad", "{\"value\": 1, \"lattice\": \"tree\"}").errorCode())
        .isEqualTo("BAD_REQUEST");
    assertThat(put("st_kind", "{\"value\": 1}").status()).isEqualTo(204);
    TestNode.Reply conflict = put("st_kind", "{\"value\": 1, \"lattice\": \"set\"}");
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(conflict.errorCode()).isEqualTo("CONFLICT");
    assertThat(n.get("/v1/kvs/st_kind").json().getString("lattice")).isEqualTo("lww");
    assertThat(put("k".repeat(10_240), "{\"value\": 1}").errorCode())
        .isEqualTo("PAYLOAD_TOO_LARGE");
    assertThat(put("st_b64", "{\"value\": {\"$bytes\": \"%%%not base64\"}}").errorCode())
        .isEqualTo("BAD_REQUEST");
    assertThat(n.get("/v1/kvs/st_b64").status()).isEqualTo(404);
    assertThat(n.get("/v1/kvs/st_b64").errorCode()).isEqualTo("KEY_NOT_FOUND");
    // A value over the store's limit (4 MiB) inside a body under the web limit would need a bigger
    // body limit; the web front refuses the oversized body first, with the same code.
    TestNode.Reply huge = put("st_huge", "{\"value\": \"" + "x".repeat(5 << 20) + "\"}");
    assertThat(huge.errorCode()).isEqualTo("PAYLOAD_TOO_LARGE");
    assertThat(n.get("/v1/kvs/st_huge").status()).isEqualTo(404);
    assertThat(
            n.register(
                    "st_put_reserved",
                    "python",
                    "def st_put_reserved(cb):\n    cb.put('__cloudburst/functions/x', 1)\n")
                .status())
        .isEqualTo(201);
    TestNode.Reply reserved = n.invoke("st_put_reserved");
    assertThat(reserved.status()).isEqualTo(422);
    assertThat(reserved.errorMessage()).contains("reserved");
  }
}
