package io.cloudburst.bench;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.client.CloudburstClient;
import io.cloudburst.bus.lattice.LatticeKind;
import io.cloudburst.bus.lattice.MultiKeyCausalLattice;
import io.cloudburst.bus.msg.CacheRequest;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.KvsReply;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The consistency checker: a writer updates keys {@code ck_x} then {@code ck_y} (each {@code y = i}
 * written after {@code x = i}, and, as a causal write, depending on that {@code x}) as fast as the
 * node takes them, while DAG calls {@code ck_r1 → ck_r2} read {@code y} then {@code x} in each
 * function ({@code ck_r1} then spins a few milliseconds so writes land between the two functions).
 * Every call returns what its four reads saw, {@code [y1, x1, y2, x2]}, and the checker counts:
 *
 * <ul>
 *   <li>repeatable-read anomalies: calls that read a key twice and saw two versions;
 *   <li>causal anomalies: reads of {@code x} older than a {@code y} read before it in the same call
 *       ({@code y = i} depends on {@code x >= i}).
 * </ul>
 *
 * Used by the test suite (a short run) and by the benchmark (a longer one).
 */
public final class ConsistencyChecker {
  static final String R1 =
      """
      import time
      def ck_r1(cb, spin_ms):
          y = cb.get('ck_y')
          x = cb.get('ck_x')
          t0 = time.perf_counter()
          while time.perf_counter() - t0 < spin_ms / 1000.0:
              pass
          return [y, x]
      """;
  static final String R2 =
      """
      def ck_r2(cb, first):
          return first + [cb.get('ck_y'), cb.get('ck_x')]
      """;

  /**
   * What one run found.
   *
   * @param mode the consistency level of the reading calls
   * @param calls calls checked
   * @param failed calls that failed (not checked)
   * @param writes (x, y) write pairs made during the run
   * @param repeatableReadAnomalies calls that saw two versions of a key
   * @param causalAnomalies reads of x older than a y read before it
   */
  public record Counts(
      String mode,
      int calls,
      int failed,
      long writes,
      int repeatableReadAnomalies,
      int causalAnomalies) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("mode", mode)
          .put("calls", calls)
          .put("failed", failed)
          .put("writes", writes)
          .put("repeatable_read_anomalies", repeatableReadAnomalies)
          .put("causal_anomalies", causalAnomalies);
    }
  }

  private final Vertx vertx;
  private final CloudburstClient client;
  private final String nodeId;

  /**
   * The value of the next write pair: increasing across runs, so a newer x always holds a larger
   * value.
   */
  private final AtomicLong sequence = new AtomicLong();

  public ConsistencyChecker(Vertx vertx, CloudburstClient client, String nodeId) {
    this.vertx = vertx;
    this.client = client;
    this.nodeId = nodeId;
  }

  /** Registers the reading functions and DAG (once per node). */
  public ConsistencyChecker setUp() throws Exception {
    client.register("ck_r1", "python", R1).await(60, TimeUnit.SECONDS);
    client.register("ck_r2", "python", R2).await(60, TimeUnit.SECONDS);
    client
        .registerDag("ck_read", List.of("ck_r1", "ck_r2"), List.of(List.of("ck_r1", "ck_r2")))
        .await(60, TimeUnit.SECONDS);
    writePair(sequence.incrementAndGet()).await(30, TimeUnit.SECONDS);
    return this;
  }

  /**
   * {@code calls} calls in {@code mode}, {@code parallel} at a time, while the writer runs; blocks
   * until done.
   */
  public Counts run(String mode, int calls, int parallel, long spinMs) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong writes = new AtomicLong();
    Promise<Void> writerDone = Promise.promise();
    vertx.runOnContext(v -> writeLoop(stop, writes, writerDone));
    int[] counts = new int[3]; // failed, rr, causal
    AtomicLong next = new AtomicLong();
    Promise<Void> readersDone = Promise.promise();
    AtomicLong running = new AtomicLong(parallel);
    for (int i = 0; i < parallel; i++) {
      vertx.runOnContext(v -> readLoop(mode, calls, spinMs, next, counts, running, readersDone));
    }
    try {
      readersDone.future().await(600, TimeUnit.SECONDS);
    } finally {
      stop.set(true);
    }
    writerDone.future().await(60, TimeUnit.SECONDS);
    synchronized (counts) {
      return new Counts(mode, calls, counts[0], writes.get(), counts[1], counts[2]);
    }
  }

  private void readLoop(
      String mode,
      int calls,
      long spinMs,
      AtomicLong next,
      int[] counts,
      AtomicLong running,
      Promise<Void> done) {
    if (next.getAndIncrement() >= calls) {
      if (running.decrementAndGet() == 0) {
        done.tryComplete();
      }
      return;
    }
    client
        .invokeDag(
            "ck_read",
            Map.of("ck_r1", List.of(spinMs)),
            io.cloudburst.bus.Consistency.parse(mode),
            30_000)
        .onComplete(
            ar -> {
              synchronized (counts) {
                if (ar.failed()
                    || ar.result().status() != CallResult.Status.DONE
                    || !(ar.result().result() instanceof List<?> seen)) {
                  counts[0]++;
                } else {
                  counts[1] += repeatableReadAnomaly(seen) ? 1 : 0;
                  counts[2] += causalAnomalies(seen);
                }
              }
              readLoop(mode, calls, spinMs, next, counts, running, done);
            });
  }

  /** {@code seen = [y1, x1, y2, x2]}: a key read twice with two versions. */
  static boolean repeatableReadAnomaly(List<?> seen) {
    return !seen.get(0).equals(seen.get(2)) || !seen.get(1).equals(seen.get(3));
  }

  /**
   * Reads of x older than the newest y read before them ({@code y = i} depends on {@code x >= i}).
   */
  static int causalAnomalies(List<?> seen) {
    long y1 = ((Number) seen.get(0)).longValue();
    long x1 = ((Number) seen.get(1)).longValue();
    long y2 = ((Number) seen.get(2)).longValue();
    long x2 = ((Number) seen.get(3)).longValue();
    return (x1 < y1 ? 1 : 0) + (x2 < Math.max(y1, y2) ? 1 : 0);
  }

  private void writeLoop(AtomicBoolean stop, AtomicLong writes, Promise<Void> done) {
    if (stop.get()) {
      done.complete();
      return;
    }
    writes.incrementAndGet();
    writePair(sequence.incrementAndGet())
        .onComplete(
            ar -> {
              if (ar.failed()) {
                done.fail(ar.cause());
              } else {
                writeLoop(stop, writes, done);
              }
            });
  }

  /** Writes {@code x = i}, then {@code y = i} depending on that x, through the node's cache. */
  private Future<Void> writePair(long i) {
    DeliveryOptions t = new DeliveryOptions().setSendTimeout(30_000);
    String cache = Addresses.cache(nodeId);
    return vertx
        .eventBus()
        .<KvsReply>request(cache, new CacheRequest.PutValue("ck_x", LatticeKind.MULTI_CAUSAL, i), t)
        .compose(
            m -> {
              var x = (MultiKeyCausalLattice) ((KvsReply.Stored) m.body()).lattice();
              return vertx
                  .eventBus()
                  .request(
                      cache, new CacheRequest.PutCausal("ck_y", i, Map.of("ck_x", x.clock())), t);
            })
        .mapEmpty();
  }
}
