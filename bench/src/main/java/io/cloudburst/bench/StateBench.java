package io.cloudburst.bench;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.client.CloudburstClient;
import io.cloudburst.bus.lattice.LatticeKind;
import io.cloudburst.bus.lattice.Lattices;
import io.cloudburst.bus.msg.CacheRequest;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.KvsRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The state figures measured inside a Python function, as the state issue asks: a cache-hit {@code
 * get} (a loop of gets of one held key inside one call, timed by the guest) and a miss (gets of
 * keys written straight into the store, past the cache, so each first read goes through to the
 * store).
 */
final class StateBench {
  private static final String GETS =
      """
      import time
      def bench_gets(cb, keys, rounds):
          t0 = time.perf_counter_ns()
          for _ in range(rounds):
              for k in keys:
                  cb.get(k)
          return (time.perf_counter_ns() - t0) / (rounds * len(keys))
      """;

  private StateBench() {}

  static JsonObject run(Vertx vertx, CloudburstClient client, String nodeId) throws Exception {
    client.register("bench_gets", "python", GETS).await(60, TimeUnit.SECONDS);
    DeliveryOptions t = new DeliveryOptions().setSendTimeout(30_000);
    vertx
        .eventBus()
        .request(
            Addresses.cache(nodeId),
            new CacheRequest.PutValue("bench_hot", null, "x".repeat(64)),
            t)
        .await(30, TimeUnit.SECONDS);
    double[] hits = new double[7];
    for (int i = 0; i < hits.length; i++) {
      hits[i] = perGetNs(client, List.of("bench_hot"), 100_000);
    }
    double[] misses = new double[7];
    for (int round = 0; round < misses.length; round++) {
      List<Object> keys = new ArrayList<>();
      List<Future<?>> writes = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        String k = "bench_cold_" + round + "_" + i;
        keys.add(k);
        var l =
            Lattices.write(
                null, LatticeKind.LWW, "y".repeat(64), "bench", System.currentTimeMillis());
        writes.add(vertx.eventBus().request(Addresses.KVS, new KvsRequest.Put(k, l, null), t));
      }
      Future.all(writes).await(60, TimeUnit.SECONDS);
      misses[round] = perGetNs(client, keys, 1);
    }
    return new JsonObject()
        .put("cache_hit_get_ns", median(hits))
        .put("cache_hit_get_ns_rounds", Arrays.toString(hits))
        .put("cache_miss_get_ns", median(misses))
        .put("cache_miss_get_ns_rounds", Arrays.toString(misses));
  }

  @SuppressWarnings("unchecked")
  private static double perGetNs(CloudburstClient client, List<?> keys, int rounds)
      throws Exception {
    CallResult r =
        client
            .invoke("bench_gets", List.of(keys, (long) rounds), 120_000)
            .await(180, TimeUnit.SECONDS);
    if (r.status() != CallResult.Status.DONE) {
      throw new IllegalStateException("state bench failed: " + r.errorMessage());
    }
    return ((Number) r.result()).doubleValue();
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
