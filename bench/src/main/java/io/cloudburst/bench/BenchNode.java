package io.cloudburst.bench;

import io.cloudburst.bus.client.CloudburstClient;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.node.CloudburstNode;
import io.cloudburst.node.NodeOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A node that first measures itself in-JVM through the Java client, writes the figures as JSON, and
 * then keeps serving HTTP for the Python client's benchmark. Used by {@code ./cloudburst bench}.
 *
 * <p>Usage: {@code BenchNode --out FILE [--calls N] [--warmup N] [--consistency-calls N]
 * [--checker-calls N] [--jit-quiet-max-s S] [node options...]}.
 */
public final class BenchNode {
  private BenchNode() {}

  public static void main(String[] args) throws Exception {
    io.cloudburst.node.NodeLauncher.processDefaults();
    List<String> rest = new ArrayList<>(Arrays.asList(args));
    Path out = Path.of(take(rest, "--out", "bench-jvm.json"));
    int calls = Integer.parseInt(take(rest, "--calls", "20000"));
    int warmup = Integer.parseInt(take(rest, "--warmup", "5000"));
    int consistencyCalls = Integer.parseInt(take(rest, "--consistency-calls", "2000"));
    int checkerCalls = Integer.parseInt(take(rest, "--checker-calls", "1000"));
    int quietSeconds = Integer.parseInt(take(rest, "--jit-quiet-max-s", "90"));
    NodeOptions options = NodeOptions.parse(rest);
    Vertx vertx = CloudburstNode.newVertx();
    CloudburstNode node = CloudburstNode.start(vertx, options).await(180, TimeUnit.SECONDS);
    CloudburstClient client = new CloudburstClient(vertx);
    client
        .register("bench_sq", "python", "def bench_sq(cloudburst, x):\n    return x * x\n")
        .await(60, TimeUnit.SECONDS);
    client
        .register("bench_sq_js", "javascript", "function bench_sq_js(cb, x) { return x * x }")
        .await(60, TimeUnit.SECONDS);

    client
        .register("bench_incr", "python", "def bench_incr(cloudburst, x):\n    return x + 1\n")
        .await(60, TimeUnit.SECONDS);
    client
        .registerDag(
            "bench_dag",
            List.of("bench_incr", "bench_sq"),
            List.of(List.of("bench_incr", "bench_sq")))
        .await(60, TimeUnit.SECONDS);

    Map<String, Supplier<Future<CallResult>>> cases = new java.util.LinkedHashMap<>();
    cases.put("java_sq", () -> client.invoke("bench_sq", List.of(2L), 10_000));
    cases.put("java_sq_js", () -> client.invoke("bench_sq_js", List.of(2L), 10_000));
    cases.put(
        "java_dag",
        () -> client.invokeDag("bench_dag", Map.of("bench_incr", List.of(1L)), null, 10_000));
    // Warm every case up before measuring any, so start-up work (spare contexts, JIT) is over.
    for (Supplier<Future<CallResult>> c : cases.values()) {
      sequential(vertx, c, 4L, warmup, 0);
    }
    JsonObject warm = untilJitQuiet(vertx, cases.values(), Math.max(500, warmup / 5), quietSeconds);
    JsonObject figures =
        new JsonObject()
            .put("mode", CloudburstNode.runtimeMode())
            .put("port", node.httpPort())
            .put("warmup", warm);
    for (Map.Entry<String, Supplier<Future<CallResult>>> c : cases.entrySet()) {
      figures.put(c.getKey(), sequential(vertx, c.getValue(), 4L, calls, 0).toJson());
    }
    figures.put("state", StateBench.run(vertx, client, options.nodeId()));
    figures.put(
        "consistency",
        ConsistencyBench.run(vertx, client, options.nodeId(), consistencyCalls, checkerCalls));
    figures.put("atomic", AtomicBench.run(vertx, client, consistencyCalls, checkerCalls));
    Files.writeString(out, figures.encodePrettily());
    System.out.println("BENCH-READY " + out);
    System.out.flush();
  }

  /** A warm-up round that adds less JIT compilation time than this counts as quiet. */
  private static final long QUIET_COMPILE_MS = 25;

  /**
   * Runs rounds of every case until the JVM's JIT compilers are quiet (a round adds less than
   * {@link #QUIET_COMPILE_MS} of compilation time), for at most {@code maxSeconds}. On this 2-core
   * machine the compilers go on working for a minute or more after start (the interpreter of the
   * guest languages is a lot of Java code), and while they do they take one of the two cores from
   * the calls being measured: the figures would measure the warm-up, not the node.
   */
  static JsonObject untilJitQuiet(
      Vertx vertx,
      java.util.Collection<Supplier<Future<CallResult>>> cases,
      int callsPerRound,
      int maxSeconds)
      throws Exception {
    long t0 = System.nanoTime();
    int rounds = 0;
    long added;
    do {
      long before = compileMs();
      for (Supplier<Future<CallResult>> c : cases) {
        sequential(vertx, c, 4L, callsPerRound, 0);
      }
      added = compileMs() - before;
      rounds++;
    } while (added >= QUIET_COMPILE_MS
        && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(maxSeconds));
    return new JsonObject()
        .put("rounds", rounds)
        .put("calls_per_round", callsPerRound)
        .put("seconds", (System.nanoTime() - t0) / 1e9)
        .put("jit_quiet", added < QUIET_COMPILE_MS)
        .put("last_round_compile_ms", added);
  }

  /**
   * Compilation so far, in ms: HotSpot's JIT compilers plus the CPU time of the Graal compiler's
   * threads that compile guest code in the jit mode (not counted by HotSpot's figure).
   */
  private static long compileMs() {
    return java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime()
        + io.cloudburst.web.impl.NodeMetrics.guestCompilerCpuNanos() / 1_000_000;
  }

  /** Sequential calls from an event loop, each started when the previous one answered. */
  static Stats sequential(
      Vertx vertx, Supplier<Future<CallResult>> call, Object expected, int calls, int warmup)
      throws Exception {
    long[] samples = new long[calls];
    Promise<Void> done = Promise.promise();
    vertx.runOnContext(v -> loop(call, expected, 0, warmup + calls, warmup, samples, done));
    done.future().await(600, TimeUnit.SECONDS);
    return Stats.of(samples);
  }

  /** The latencies (ns) of {@code calls} sequential calls. */
  static long[] samples(Vertx vertx, Supplier<Future<CallResult>> call, Object expected, int calls)
      throws Exception {
    long[] samples = new long[calls];
    Promise<Void> done = Promise.promise();
    vertx.runOnContext(v -> loop(call, expected, 0, calls, 0, samples, done));
    done.future().await(600, TimeUnit.SECONDS);
    return samples;
  }

  private static void loop(
      Supplier<Future<CallResult>> call,
      Object expected,
      int i,
      int total,
      int warmup,
      long[] samples,
      Promise<Void> done) {
    if (i == total) {
      done.complete();
      return;
    }
    long t0 = System.nanoTime();
    call.get()
        .onComplete(
            ar -> {
              long dt = System.nanoTime() - t0;
              if (ar.failed()
                  || ar.result().status() != CallResult.Status.DONE
                  || !expected.equals(ar.result().result())) {
                done.fail("bench call failed: " + (ar.failed() ? ar.cause() : ar.result()));
                return;
              }
              if (i >= warmup) {
                samples[i - warmup] = dt;
              }
              loop(call, expected, i + 1, total, warmup, samples, done);
            });
  }

  private static String take(List<String> args, String flag, String dflt) {
    int i = args.indexOf(flag);
    if (i < 0) {
      return dflt;
    }
    String v = args.get(i + 1);
    args.remove(i + 1);
    args.remove(i);
    return v;
  }

  /** Median, p99 and mean of latency samples in nanoseconds. */
  record Stats(int n, double medianUs, double p99Us, double meanUs) {
    static Stats of(long[] ns) {
      long[] s = ns.clone();
      Arrays.sort(s);
      double mean = Arrays.stream(s).average().orElse(0) / 1000.0;
      return new Stats(
          s.length,
          s[s.length / 2] / 1000.0,
          s[(int) Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)] / 1000.0,
          mean);
    }

    JsonObject toJson() {
      return new JsonObject()
          .put("n", n)
          .put("median_us", medianUs)
          .put("p99_us", p99Us)
          .put("mean_us", meanUs);
    }
  }
}
