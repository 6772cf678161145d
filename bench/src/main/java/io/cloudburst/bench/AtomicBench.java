package io.cloudburst.bench;

import io.cloudburst.bus.client.CloudburstClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The atomic-call issue's figures: the latency of a 3-function DAG whose functions each do 2 gets
 * and 1 put (each reads what the others write), atomic and not, taking turns call by call; the
 * overhead of atomic mode at the median and p99; and the atomicity checker on a longer run.
 */
final class AtomicBench {
  private AtomicBench() {}

  static JsonObject run(Vertx vertx, CloudburstClient client, int calls, int checkerCalls)
      throws Exception {
    client
        .register(
            "ab_1",
            "python",
            "def ab_1(cb):\n    cb.get('ab_a')\n    cb.get('ab_b')\n    cb.put('ab_c', 'v' * 64)\n"
                + "    return 1\n")
        .await(60, TimeUnit.SECONDS);
    client
        .register(
            "ab_2",
            "python",
            "def ab_2(cb, n):\n    cb.get('ab_b')\n    cb.get('ab_c')\n    cb.put('ab_a', 'v' * 64)\n"
                + "    return n + 1\n")
        .await(60, TimeUnit.SECONDS);
    client
        .register(
            "ab_3",
            "python",
            "def ab_3(cb, n):\n    cb.get('ab_c')\n    cb.get('ab_a')\n    cb.put('ab_b', 'v' * 64)\n"
                + "    return n + 1\n")
        .await(60, TimeUnit.SECONDS);
    client
        .registerDag(
            "ab_chain",
            List.of("ab_1", "ab_2", "ab_3"),
            List.of(List.of("ab_1", "ab_2"), List.of("ab_2", "ab_3")))
        .await(60, TimeUnit.SECONDS);
    boolean[] modes = {false, true};
    for (boolean atomic : modes) {
      BenchNode.sequential(
          vertx,
          () -> client.invokeDag("ab_chain", Map.of(), null, atomic, null, 10_000),
          3L,
          Math.max(200, calls / 4),
          0);
    }
    // The modes take turns call by call, so drift in the machine's load hits both alike.
    int[] turn = {0};
    long[] all =
        BenchNode.samples(
            vertx,
            () -> client.invokeDag("ab_chain", Map.of(), null, turn[0]++ % 2 == 1, null, 10_000),
            3L,
            calls * 2);
    long[][] samples = new long[2][calls];
    for (int i = 0; i < all.length; i++) {
      samples[i % 2][i / 2] = all[i];
    }
    BenchNode.Stats normal = BenchNode.Stats.of(samples[0]);
    BenchNode.Stats atomic = BenchNode.Stats.of(samples[1]);
    JsonObject out =
        new JsonObject()
            .put("dag", "ab_1 -> ab_2 -> ab_3, 2 gets + 1 put each")
            .put("calls_per_mode", calls)
            .put("normal", normal.toJson())
            .put(
                "atomic",
                atomic
                    .toJson()
                    .put("median_ratio", atomic.medianUs() / normal.medianUs())
                    .put("p99_ratio", atomic.p99Us() / normal.p99Us()));
    AtomicChecker checker = new AtomicChecker(vertx, client).setUp();
    JsonObject found = new JsonObject();
    for (boolean a : modes) {
      AtomicChecker.Counts c = checker.run(a, checkerCalls, 2, 2);
      found.put(c.mode(), c.toJson());
    }
    return out.put("checker", found);
  }
}
