package io.cloudburst.bus.codec;

import io.cloudburst.bus.Consistency;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.CacheRequest;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.DagEvent;
import io.cloudburst.bus.msg.DagSchedule;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.msg.ExecutorStatus;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.KvsRequest;
import io.cloudburst.bus.msg.NodeEvent;
import io.cloudburst.bus.msg.SchedulerReply;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a cluster hop costs in the codec: encode plus decode of one representative record of every
 * bus family, in the same JVM, after a warm-up that runs until the per-round time stops falling
 * (the JIT has compiled the path). Prints a table: family, record, bytes on the wire, and the
 * median, fastest and slowest of the measured rounds in nanoseconds per encode+decode.
 *
 * <p>It sits in the codec's package to reach {@link FamilyCodec} without widening the product's
 * API. Usage: {@code CodecBench [--rounds N] [--ops N]} (defaults 15 rounds of 20,000 ops).
 */
public final class CodecBench {
  private CodecBench() {}

  private record Case(String family, String record, FamilyCodec<Object> codec, Object message) {}

  @SuppressWarnings("unchecked")
  private static <T> Case of(String name, Class<T> family, T message) {
    return new Case(
        name,
        message.getClass().getSimpleName(),
        (FamilyCodec<Object>) new FamilyCodec<>(name, family),
        message);
  }

  private static List<Case> cases() {
    FunctionInfo incr =
        new FunctionInfo(
            "incr",
            "python",
            2,
            "def incr(cb, x):\n    return x + 1\n",
            "incr",
            1_700_000_000_000L);
    FunctionInfo sq =
        new FunctionInfo(
            "sq", "python", 1, "def sq(cb, x):\n    return x * x\n", "sq", 1_700_000_000_000L);
    Map<String, FunctionInfo> fns = new LinkedHashMap<>();
    fns.put("incr", incr);
    fns.put("sq", sq);
    DagSchedule schedule =
        new DagSchedule(
            "n1-0123456789abcdef0123456789abcdef#0",
            "incr_sq",
            fns,
            Map.of("incr", "cloudburst.executor.n1.0", "sq", "cloudburst.executor.n2.0"),
            Map.of("incr", List.of(), "sq", List.of("incr")),
            Map.of("incr", List.of("sq"), "sq", List.of()),
            Map.of("incr", List.of(3L)),
            List.of("sq"),
            "cloudburst.scheduler.n1.dag-events",
            1_700_000_030_000L,
            0,
            Consistency.NORMAL,
            null,
            null);
    CallResult done =
        CallResult.done(
            "n1-0123456789abcdef0123456789abcdef", "sq", 16L, "", "cloudburst.executor.n2.0", 180);
    LwwLattice value =
        LwwLattice.of(
            "hello, a 64-byte value of the kind the benchmark puts and gets!",
            1_700_000_000_000L,
            "n1");
    List<Case> out = new ArrayList<>();
    out.add(
        of(
            "scheduler-request",
            SchedulerRequest.class,
            SchedulerRequest.InvokeDag.builder("incr_sq")
                .args(Map.of("incr", List.of(3L)))
                .timeoutMs(10_000)
                .build()));
    out.add(of("scheduler-reply", SchedulerReply.class, sq));
    out.add(of("executor-request", ExecutorRequest.class, new ExecutorRequest.RunDag(schedule)));
    out.add(
        of(
            "executor-request",
            ExecutorRequest.class,
            new ExecutorRequest.Trigger(schedule.callId(), "sq", "incr", 4L)));
    out.add(
        of(
            "executor-request",
            ExecutorRequest.class,
            new ExecutorRequest.Execute("n1-42", sq, Arrays.asList(4L), 10_000, 0)));
    out.add(
        of(
            "executor-status",
            ExecutorStatus.class,
            new ExecutorStatus(
                "n2",
                "cloudburst.executor.n2.0",
                4,
                1,
                0,
                List.of("sq@1", "incr@2"),
                1_700_000_000_000L,
                false)));
    out.add(of("dag-event", DagEvent.class, new DagEvent.StepDone(schedule.callId(), "sq", done)));
    out.add(of("kvs-request", KvsRequest.class, new KvsRequest.Put("k", value, "n1")));
    out.add(of("kvs-reply", KvsReply.class, new KvsReply.Found("k", value)));
    out.add(
        of("cache-request", CacheRequest.class, new CacheRequest.GetMany(List.of("a", "b", "c"))));
    out.add(of("cache-event", CacheEvent.class, new CacheEvent.Update("k", value)));
    out.add(
        of(
            "node-event",
            NodeEvent.class,
            new NodeEvent.RegistryChanged("n1", NodeEvent.EntryKind.FUNCTION, "sq")));
    return out;
  }

  /**
   * Nanoseconds per encode+decode over {@code ops} hops; the decoded record is checked once per
   * round.
   */
  private static double round(Case c, int ops) {
    Object last = null;
    long t0 = System.nanoTime();
    for (int i = 0; i < ops; i++) {
      Buffer b = Buffer.buffer(256);
      c.codec().encodeToWire(b, c.message());
      last = c.codec().decodeFromWire(0, b);
    }
    long ns = System.nanoTime() - t0;
    if (!c.message().equals(last)) {
      throw new IllegalStateException(c.record() + " did not survive the hop: " + last);
    }
    return (double) ns / ops;
  }

  public static void main(String[] args) {
    int rounds = 15;
    int ops = 20_000;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--ops" -> ops = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    List<Case> cases = cases();
    // Warm-up: every case together, until a pass over all of them is no longer 3% faster than the
    // last.
    long warm0 = System.nanoTime();
    double previous = Double.MAX_VALUE;
    for (int pass = 0; pass < 60; pass++) {
      double total = 0;
      for (Case c : cases) {
        total += round(c, ops / 4);
      }
      if (pass >= 5 && total > previous * 0.97) {
        break;
      }
      previous = Math.min(previous, total);
    }
    System.out.printf(
        "codec: warm-up %.1f s; %d rounds of %d encode+decode per record%n",
        (System.nanoTime() - warm0) / 1e9, rounds, ops);
    System.out.printf(
        "%-18s %-16s %8s %12s %10s %10s%n",
        "family", "record", "bytes", "median ns", "min ns", "max ns");
    for (Case c : cases) {
      double[] r = new double[rounds];
      for (int i = 0; i < rounds; i++) {
        r[i] = round(c, ops);
      }
      Arrays.sort(r);
      Buffer b = Buffer.buffer();
      c.codec().encodeToWire(b, c.message());
      System.out.printf(
          "%-18s %-16s %8d %12.0f %10.0f %10.0f%n",
          c.family(), c.record(), b.length(), r[rounds / 2], r[0], r[rounds - 1]);
    }
  }
}
