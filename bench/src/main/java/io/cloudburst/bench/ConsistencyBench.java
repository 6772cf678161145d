package io.cloudburst.bench;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.client.CloudburstClient;
import io.cloudburst.bus.lattice.LatticeKind;
import io.cloudburst.bus.msg.CacheRequest;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The consistency issue's figures: the latency of a 3-function DAG whose functions read 2 keys each
 * (a key read first, a key an upstream read before) under each consistency level, the overhead of
 * each level against normal, and the consistency checker's anomaly counts on a longer run.
 */
final class ConsistencyBench {
  static final List<String> MODES = List.of("normal", "repeatable_read", "causal");

  private ConsistencyBench() {}

  static JsonObject run(
      Vertx vertx, CloudburstClient client, String nodeId, int calls, int checkerCalls)
      throws Exception {
    DeliveryOptions t = new DeliveryOptions().setSendTimeout(30_000);
    for (String k : List.of("bc_a", "bc_b", "bc_c")) {
      vertx
          .eventBus()
          .request(
              Addresses.cache(nodeId),
              new CacheRequest.PutValue(k, LatticeKind.MULTI_CAUSAL, "v".repeat(64)),
              t)
          .await(30, TimeUnit.SECONDS);
    }
    client
        .register(
            "bc_1",
            "python",
            "def bc_1(cb):\n    cb.get('bc_a')\n    cb.get('bc_b')\n    return 1\n")
        .await(60, TimeUnit.SECONDS);
    client
        .register(
            "bc_2",
            "python",
            "def bc_2(cb, n):\n    cb.get('bc_b')\n    cb.get('bc_c')\n    return n + 1\n")
        .await(60, TimeUnit.SECONDS);
    client
        .register(
            "bc_3",
            "python",
            "def bc_3(cb, n):\n    cb.get('bc_c')\n    cb.get('bc_a')\n    return n + 1\n")
        .await(60, TimeUnit.SECONDS);
    client
        .registerDag(
            "bc_chain",
            List.of("bc_1", "bc_2", "bc_3"),
            List.of(List.of("bc_1", "bc_2"), List.of("bc_2", "bc_3")))
        .await(60, TimeUnit.SECONDS);
    for (String mode : MODES) {
      BenchNode.sequential(
          vertx,
          () ->
              client.invokeDag(
                  "bc_chain", Map.of(), io.cloudburst.bus.Consistency.parse(mode), 10_000),
          3L,
          Math.max(200, calls / 4),
          0);
    }
    // The modes take turns call by call, so drift in the machine's load hits every mode alike.
    int[] turn = {0};
    long[] all =
        BenchNode.samples(
            vertx,
            () ->
                client.invokeDag(
                    "bc_chain",
                    Map.of(),
                    io.cloudburst.bus.Consistency.parse(MODES.get(turn[0]++ % MODES.size())),
                    10_000),
            3L,
            calls * MODES.size());
    long[][] samples = new long[MODES.size()][calls];
    for (int i = 0; i < all.length; i++) {
      samples[i % MODES.size()][i / MODES.size()] = all[i];
    }
    JsonObject out =
        new JsonObject()
            .put("dag", "bc_1 -> bc_2 -> bc_3, 2 gets each")
            .put("calls_per_mode", samples[0].length);
    BenchNode.Stats normal = BenchNode.Stats.of(samples[0]);
    for (int m = 0; m < MODES.size(); m++) {
      BenchNode.Stats s = BenchNode.Stats.of(samples[m]);
      out.put(
          MODES.get(m),
          s.toJson()
              .put(
                  "median_overhead_pct",
                  100.0 * (s.medianUs() - normal.medianUs()) / normal.medianUs())
              .put("p99_overhead_pct", 100.0 * (s.p99Us() - normal.p99Us()) / normal.p99Us()));
    }
    ConsistencyChecker checker = new ConsistencyChecker(vertx, client, nodeId).setUp();
    JsonObject anomalies = new JsonObject();
    for (String mode : MODES) {
      anomalies.put(mode, checker.run(mode, checkerCalls, 4, 5).toJson());
    }
    return out.put("checker", anomalies);
  }
}
