package io.cloudburst.bench;

import io.cloudburst.bus.client.CloudburstClient;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.node.CloudburstNode;
import io.cloudburst.node.NodeOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Single-node DAG throughput from in-JVM clients: a node embedded in this JVM, and {@code
 * --concurrency} event-bus clients (the Java client, each keeping one DAG call {@code incr -> sq}
 * in flight, started again as soon as it answers) for {@code --seconds}, after a warm-up until the
 * JIT compilers are quiet. Prints one JSON line: calls/s, latency median/p99, and this process's
 * CPU per call (the node and its clients share the process; the clients' part is small: a record
 * and a future per call). Used by {@code ./cloudburst bench --cluster}.
 *
 * <p>Usage: {@code DagThroughputBench [--concurrency N] [--seconds S] [--jit-quiet-max-s S] [node
 * options...]}.
 */
public final class DagThroughputBench {
  private DagThroughputBench() {}

  public static void main(String[] args) throws Exception {
    io.cloudburst.node.NodeLauncher.processDefaults();
    List<String> rest = new ArrayList<>(Arrays.asList(args));
    int concurrency = Integer.parseInt(take(rest, "--concurrency", "32"));
    double seconds = Double.parseDouble(take(rest, "--seconds", "20"));
    int quietSeconds = Integer.parseInt(take(rest, "--jit-quiet-max-s", "120"));
    NodeOptions options = NodeOptions.parse(rest);
    Vertx vertx = CloudburstNode.newVertx();
    CloudburstNode.start(vertx, options).await(180, TimeUnit.SECONDS);
    CloudburstClient client = new CloudburstClient(vertx);
    client
        .register("tp_incr", "python", "def tp_incr(cloudburst, x):\n    return x + 1\n")
        .await(60, TimeUnit.SECONDS);
    client
        .register("tp_sq", "python", "def tp_sq(cloudburst, x):\n    return x * x\n")
        .await(60, TimeUnit.SECONDS);
    client
        .registerDag("tp_dag", List.of("tp_incr", "tp_sq"), List.of(List.of("tp_incr", "tp_sq")))
        .await(60, TimeUnit.SECONDS);
    Supplier<Future<CallResult>> call =
        () -> client.invokeDag("tp_dag", Map.of("tp_incr", List.of(1L)), null, 10_000);

    long w0 = System.nanoTime();
    int warmRounds = 0;
    long added;
    do { // rounds of the measured load itself until a round adds under 25 ms of compilation
      long before = compileMs();
      run(vertx, call, concurrency, 3.0);
      added = compileMs() - before;
      warmRounds++;
    } while (added >= 25 && System.nanoTime() - w0 < TimeUnit.SECONDS.toNanos(quietSeconds));
    double warmS = (System.nanoTime() - w0) / 1e9;

    long cpu0 = processCpuNanos();
    Result r = run(vertx, call, concurrency, seconds);
    long cpu = processCpuNanos() - cpu0;
    JsonObject out =
        new JsonObject()
            .put("concurrency", concurrency)
            .put("seconds", seconds)
            .put("calls", r.calls)
            .put("calls_per_s", r.calls / seconds)
            .put("median_us", r.percentile(0.5) / 1e3)
            .put("p99_us", r.percentile(0.99) / 1e3)
            .put("cpu_us_per_call", cpu / 1e3 / Math.max(1, r.calls))
            .put("warmup_s", warmS)
            .put("warmup_rounds", warmRounds)
            .put("jit_quiet", added < 25)
            .put("mode", CloudburstNode.runtimeMode());
    System.out.println("DAG-THROUGHPUT " + out.encode());
    System.out.flush();
    vertx.close().await(30, TimeUnit.SECONDS);
    System.exit(0);
  }

  /** Calls finished within the window and their latencies (ns). */
  private record Result(long calls, long[] samples) {
    double percentile(double p) {
      if (samples.length == 0) {
        return 0;
      }
      long[] s = samples.clone();
      Arrays.sort(s);
      return s[(int) Math.min(s.length - 1, Math.max(0, Math.ceil(s.length * p) - 1))];
    }
  }

  /**
   * {@code concurrency} loops on the event loop, each one call in flight, for {@code seconds}; a
   * failed or wrong answer fails the run.
   */
  private static Result run(
      Vertx vertx, Supplier<Future<CallResult>> call, int concurrency, double seconds)
      throws Exception {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    AtomicLong calls = new AtomicLong();
    AtomicBoolean failed = new AtomicBoolean();
    long[][] samples = new long[concurrency][];
    List<Future<Void>> loops = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      Promise<Void> done = Promise.promise();
      loops.add(done.future());
      int slot = i;
      samples[slot] = new long[1024];
      int[] n = {0};
      vertx.runOnContext(
          v ->
              loop(
                  call,
                  end,
                  failed,
                  done,
                  t -> {
                    calls.incrementAndGet();
                    if (n[0] == samples[slot].length) {
                      samples[slot] = Arrays.copyOf(samples[slot], n[0] * 2);
                    }
                    samples[slot][n[0]++] = t;
                  },
                  () -> samples[slot] = Arrays.copyOf(samples[slot], n[0])));
    }
    Future.all(loops).await((long) seconds + 60, TimeUnit.SECONDS);
    return new Result(calls.get(), Arrays.stream(samples).flatMapToLong(Arrays::stream).toArray());
  }

  private static void loop(
      Supplier<Future<CallResult>> call,
      long end,
      AtomicBoolean failed,
      Promise<Void> done,
      java.util.function.LongConsumer sample,
      Runnable finish) {
    if (System.nanoTime() >= end || failed.get()) {
      finish.run();
      done.tryComplete();
      return;
    }
    long t0 = System.nanoTime();
    call.get()
        .onComplete(
            ar -> {
              if (ar.failed()
                  || ar.result().status() != CallResult.Status.DONE
                  || !Long.valueOf(4L).equals(ar.result().result())) {
                failed.set(true);
                done.tryFail("bench call failed: " + (ar.failed() ? ar.cause() : ar.result()));
                return;
              }
              long now = System.nanoTime();
              if (now < end) {
                sample.accept(now - t0);
              }
              loop(call, end, failed, done, sample, finish);
            });
  }

  private static long compileMs() {
    return ManagementFactory.getCompilationMXBean().getTotalCompilationTime()
        + io.cloudburst.web.impl.NodeMetrics.guestCompilerCpuNanos() / 1_000_000;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
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
}
