package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.MultiKeyCausalLattice;
import io.cloudburst.bus.lattice.VectorClock;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.KvsRequest;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SCENARIOS.md 20-21 and the consistency issue's bad input, through the public API of a started
 * node.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConsistencyEndToEndTest {
  private static final DeliveryOptions BUS = new DeliveryOptions().setSendTimeout(30_000);
  private static TestNode n;

  @BeforeAll
  static void node() throws Exception {
    n = TestNode.shared();
    // r1 reads k and spins so concurrent writes land before r2 reads k again.
    assertThat(
            n.register(
                    "cs_r1",
                    "python",
                    """
        import time
        def cs_r1(cb, key):
            v = cb.get(key)
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < 0.005:
                pass
            return v
        """)
                .status())
        .isEqualTo(201);
    assertThat(
            n.register(
                    "cs_r2",
                    "python",
                    "def cs_r2(cb, key, first):\n    return [first, cb.get(key)]\n")
                .status())
        .isEqualTo(201);
    assertThat(dag("cs_rr", "cs_r1", "cs_r2").status()).isEqualTo(201);
  }

  private static TestNode.Reply dag(String name, String... chain) throws Exception {
    JsonArray conns = new JsonArray();
    for (int i = 0; i + 1 < chain.length; i++) {
      conns.add(new JsonArray().add(chain[i]).add(chain[i + 1]));
    }
    return n.post(
        "/v1/dags",
        new JsonObject()
            .put("name", name)
            .put("functions", new JsonArray(java.util.List.of((Object[]) chain)))
            .put("connections", conns));
  }

  private static TestNode.Reply call(String dag, JsonObject args, String consistency)
      throws Exception {
    JsonObject body = new JsonObject().put("args", args);
    if (consistency != null) {
      body.put("consistency", consistency);
    }
    return n.post("/v1/dags/" + dag + "/invoke", body);
  }

  private static TestNode.Reply put(String key, String bodyJson) throws Exception {
    return n.send("PUT", "/v1/kvs/" + key, bodyJson);
  }

  private static Lattice stored(String key) throws Exception {
    return n.node
        .vertx()
        .eventBus()
        .<KvsReply>request(Addresses.KVS, new KvsRequest.Get(key, null), BUS)
        .map(m -> ((KvsReply.Found) m.body()).lattice())
        .await(30, TimeUnit.SECONDS);
  }

  private static JsonObject args(String key) {
    return new JsonObject()
        .put("cs_r1", new JsonArray().add(key))
        .put("cs_r2", new JsonArray().add(key));
  }

  /**
   * Scenario 20: r1 → r2 both read k while a writer updates k between them; both see one version.
   */
  @Test
  void repeatableReadShowsBothFunctionsTheSameVersionWhileAWriterUpdatesTheKey() throws Exception {
    assertThat(put("cs_k20", "{\"value\": 0}").status()).isEqualTo(204);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger writes = new AtomicInteger();
    Thread writer =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    while (!stop.get()) {
                      put("cs_k20", "{\"value\": " + writes.incrementAndGet() + "}");
                    }
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
    java.util.Set<Long> versionsSeen = new java.util.TreeSet<>();
    try {
      for (int i = 0; i < 40; i++) {
        TestNode.Reply r = call("cs_rr", args("cs_k20"), "repeatable_read");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonArray seen = r.json().getJsonArray("result");
        assertThat(seen.getLong(1))
            .as("call %d: r2 reads the version r1 read", i)
            .isEqualTo(seen.getLong(0));
        versionsSeen.add(seen.getLong(0));
      }
    } finally {
      stop.set(true);
      writer.join(30_000);
    }
    assertThat(writes.get()).as("the writer kept writing during the calls").isGreaterThan(40);
    assertThat(versionsSeen.size()).as("calls saw the writer's progress").isGreaterThan(1);
    // Once the calls have ended, the node keeps none of the versions they pinned.
    io.cloudburst.bus.PinnedVersions pinned =
        io.cloudburst.bus.PinnedVersions.of(n.node.vertx(), "local");
    for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        pinned.size() > 0 && System.nanoTime() < end; ) {
      Thread.onSpinWait();
    }
    assertThat(pinned.size()).isZero();
  }

  @Test
  void aRepeatableReadCallSeesItsOwnWrites() throws Exception {
    assertThat(
            n.register(
                    "cs_w",
                    "python",
                    "def cs_w(cb, key):\n    cb.put(key, 'mine')\n    return cb.get(key)\n")
                .status())
        .isEqualTo(201);
    assertThat(
            n.register(
                    "cs_after",
                    "python",
                    "def cs_after(cb, key, first):\n    return [first, cb.get(key)]\n")
                .status())
        .isEqualTo(201);
    assertThat(dag("cs_own", "cs_w", "cs_after").status()).isEqualTo(201);
    assertThat(put("cs_own_k", "{\"value\": \"theirs\"}").status()).isEqualTo(204);
    for (String mode : new String[] {"repeatable_read", "causal"}) {
      TestNode.Reply r =
          call(
              "cs_own",
              new JsonObject()
                  .put("cs_w", new JsonArray().add("cs_own_k"))
                  .put("cs_after", new JsonArray().add("cs_own_k")),
              mode);
      assertThat(r.json().getJsonArray("result"))
          .as(mode + ": " + r.body())
          .isEqualTo(new JsonArray().add("mine").add("mine"));
    }
  }

  /**
   * Scenario 21: a function reads x then writes y; a later causal read of y is followed by reads of
   * x at least that new.
   */
  @Test
  void aCausalWriteCarriesWhatItReadAndLaterCausalReadsRespectIt() throws Exception {
    assertThat(put("cs_x", "{\"value\": 1, \"lattice\": \"multi_causal\"}").status())
        .isEqualTo(204);
    assertThat(put("cs_x", "{\"value\": 2, \"lattice\": \"multi_causal\"}").status())
        .isEqualTo(204);
    assertThat(
            n.register(
                    "cs_copy",
                    "python",
                    "def cs_copy(cb):\n    x = cb.get('cs_x')\n    cb.put('cs_y', x)\n    return x\n")
                .status())
        .isEqualTo(201);
    assertThat(dag("cs_copy_dag", "cs_copy").status()).isEqualTo(201);
    TestNode.Reply w =
        n.post(
            "/v1/dags/cs_copy_dag/invoke",
            new JsonObject().put("consistency", "causal").put("client_id", "client-21"));
    assertThat(w.json().getLong("result")).as(w.body()).isEqualTo(2L);
    MultiKeyCausalLattice x = (MultiKeyCausalLattice) stored("cs_x");
    MultiKeyCausalLattice y = (MultiKeyCausalLattice) stored("cs_y");
    assertThat(y.value()).isEqualTo(2L);
    assertThat(y.dependencies())
        .as("y records the x it was computed from")
        .isEqualTo(Map.of("cs_x", x.clock()));

    assertThat(
            n.register("cs_ry", "python", "def cs_ry(cb):\n    return cb.get('cs_y')\n").status())
        .isEqualTo(201);
    assertThat(
            n.register("cs_rx", "python", "def cs_rx(cb, y):\n    return [y, cb.get('cs_x')]\n")
                .status())
        .isEqualTo(201);
    assertThat(dag("cs_yx", "cs_ry", "cs_rx").status()).isEqualTo(201);
    TestNode.Reply r = call("cs_yx", new JsonObject(), "causal");
    assertThat(r.json().getJsonArray("result"))
        .as(r.body())
        .isEqualTo(new JsonArray().add(2L).add(2L));

    // A y whose x dependency this node has not seen yet: the causal read of x may not serve the
    // older x.
    String far = "elsewhere";
    VectorClock newerX = x.clock().merge(VectorClock.of(far, 1));
    Lattice y2 = MultiKeyCausalLattice.of(y.clock().increment(far), Map.of("cs_x", newerX), 3L);
    n.node
        .vertx()
        .eventBus()
        .request(Addresses.KVS, new KvsRequest.Put("cs_y", y2, null), BUS)
        .await(30, TimeUnit.SECONDS);
    TestNode.Reply normal = call("cs_yx", new JsonObject(), null);
    for (int i = 0; i < 100 && normal.json().getJsonArray("result").getLong(0) != 3L; i++) {
      normal =
          call("cs_yx", new JsonObject(), null); // until the store's push of y reached the cache
    }
    assertThat(normal.json().getJsonArray("result"))
        .as("normal mode reads what the cache has: " + normal.body())
        .isEqualTo(new JsonArray().add(3L).add(2L));
    TestNode.Reply blocked =
        n.post(
            "/v1/dags/cs_yx/invoke",
            new JsonObject().put("consistency", "causal").put("timeout_ms", 1_500));
    assertThat(blocked.body()).contains("TIMEOUT").contains("causal read of 'cs_x'");
    Lattice x3 = MultiKeyCausalLattice.of(newerX, Map.of(), 3L);
    n.node
        .vertx()
        .eventBus()
        .request(Addresses.KVS, new KvsRequest.Put("cs_x", x3, null), BUS)
        .await(30, TimeUnit.SECONDS);
    TestNode.Reply served = call("cs_yx", new JsonObject(), "causal");
    assertThat(served.json().getJsonArray("result"))
        .as(served.body())
        .isEqualTo(new JsonArray().add(3L).add(3L));
  }

  /**
   * A client id makes successive causal calls one session: a later call respects what an earlier
   * one read.
   */
  @Test
  void aClientsCausalCallsFormOneSessionAcrossCalls() throws Exception {
    assertThat(put("cs_cx", "{\"value\": 1, \"lattice\": \"multi_causal\"}").status())
        .isEqualTo(204);
    MultiKeyCausalLattice x = (MultiKeyCausalLattice) stored("cs_cx");
    assertThat(
            n.register("cs_read_cx", "python", "def cs_read_cx(cb):\n    return cb.get('cs_cx')\n")
                .status())
        .isEqualTo(201);
    assertThat(
            n.register("cs_read_cy", "python", "def cs_read_cy(cb):\n    return cb.get('cs_cy')\n")
                .status())
        .isEqualTo(201);
    assertThat(dag("cs_only_cx", "cs_read_cx").status()).isEqualTo(201);
    assertThat(dag("cs_only_cy", "cs_read_cy").status()).isEqualTo(201);
    // y depends on an x this node has not seen yet.
    VectorClock newerX = x.clock().merge(VectorClock.of("elsewhere", 1));
    n.node
        .vertx()
        .eventBus()
        .request(
            Addresses.KVS,
            new KvsRequest.Put(
                "cs_cy",
                MultiKeyCausalLattice.of(
                    VectorClock.of("elsewhere", 1), Map.of("cs_cx", newerX), 2L),
                null),
            BUS)
        .await(30, TimeUnit.SECONDS);

    TestNode.Reply readY =
        n.post(
            "/v1/dags/cs_only_cy/invoke",
            new JsonObject().put("consistency", "causal").put("client_id", "alice"));
    assertThat(readY.json().getLong("result")).as(readY.body()).isEqualTo(2L);
    TestNode.Reply other =
        n.post(
            "/v1/dags/cs_only_cx/invoke",
            new JsonObject().put("consistency", "causal").put("client_id", "bob"));
    assertThat(other.json().getLong("result"))
        .as("another client's session depends on nothing: " + other.body())
        .isEqualTo(1L);
    TestNode.Reply same =
        n.post(
            "/v1/dags/cs_only_cx/invoke",
            new JsonObject()
                .put("consistency", "causal")
                .put("client_id", "alice")
                .put("timeout_ms", 1_500));
    assertThat(same.body())
        .as("alice read a y that depends on a newer x")
        .contains("TIMEOUT")
        .contains("causal read of 'cs_cx'");

    n.node
        .vertx()
        .eventBus()
        .request(
            Addresses.KVS,
            new KvsRequest.Put("cs_cx", MultiKeyCausalLattice.of(newerX, Map.of(), 2L), null),
            BUS)
        .await(30, TimeUnit.SECONDS);
    TestNode.Reply after =
        n.post(
            "/v1/dags/cs_only_cx/invoke",
            new JsonObject().put("consistency", "causal").put("client_id", "alice"));
    assertThat(after.json().getLong("result")).as(after.body()).isEqualTo(2L);
  }

  @Test
  void anUnknownConsistencyAndAMalformedCausalClientIdAreBadRequests() throws Exception {
    TestNode.Reply unknown = call("cs_rr", args("cs_k20"), "serializable");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.errorCode()).isEqualTo("BAD_REQUEST");
    assertThat(unknown.errorMessage()).contains("serializable");
    TestNode.Reply badClient =
        n.post(
            "/v1/dags/cs_rr/invoke",
            new JsonObject()
                .put("args", args("cs_k20"))
                .put("consistency", "causal")
                .put("client_id", "no spaces/or slashes"));
    assertThat(badClient.status()).isEqualTo(400);
    assertThat(badClient.errorCode()).isEqualTo("BAD_REQUEST");
    assertThat(badClient.errorMessage()).contains("client_id");
    TestNode.Reply goodClient =
        n.post(
            "/v1/dags/cs_rr/invoke",
            new JsonObject()
                .put("args", args("cs_k20"))
                .put("consistency", "causal")
                .put("client_id", "client-7"));
    assertThat(goodClient.status()).as(goodClient.body()).isEqualTo(200);
  }
}
