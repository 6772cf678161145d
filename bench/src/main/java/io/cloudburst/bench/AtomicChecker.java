package io.cloudburst.bench;

import io.cloudburst.bus.client.CloudburstClient;
import io.cloudburst.bus.msg.CallResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The atomicity checker (issue 15): writer calls, {@code writers} at a time, each write the same
 * stamp (unique per call) to the keys {@code ak_0..ak_3} in order, pausing briefly between puts;
 * every fifth writer then fails. Meanwhile reader calls ({@code ak_r}, a single function, 4 at a
 * time) read the four keys in the same order, at least until {@link #MIN_WRITERS} writers have
 * started. Afterwards it counts:
 *
 * <ul>
 *   <li>fractured reads: a reader saw key {@code i} written by call T and a later key {@code j}
 *       (which T also wrote) holding the stamp of a call that had finished before T started, so
 *       certainly older than T's version of it (only definite cases are counted);
 *   <li>partial commits: reads (or final values) holding the stamp of a writer that failed.
 * </ul>
 *
 * With {@code atomic} writers both must be 0; without, both show up (so the checker can see them).
 * Used by the test suite (a short run) and by the benchmark (a longer one).
 */
public final class AtomicChecker {
  static final int KEYS = 4;

  /** Writer calls a run waits for at least (a fifth of them fail). */
  static final int MIN_WRITERS = 20;

  static final String WRITER =
      """
      import time
      def ak_w(cb, stamp, fail, pause_ms):
          for i in range(4):
              cb.put('ak_' + str(i), stamp)
              t0 = time.perf_counter()
              while time.perf_counter() - t0 < pause_ms / 1000.0:
                  pass
          if fail:
              raise RuntimeError('writer %d fails after its writes' % stamp)
          return stamp
      """;
  static final String READER =
      """
      def ak_r(cb):
          return [cb.get('ak_' + str(i)) for i in range(4)]
      """;

  /**
   * What one run found.
   *
   * @param mode "atomic" or "normal" (the writers' mode)
   * @param writerCalls writer calls made ({@code failingWriters} of them fail on purpose)
   * @param readerCalls reader calls checked
   * @param failedReads reader calls that failed (not checked)
   * @param fracturedReads reader calls that saw part of a writer's writes
   * @param partialCommits reads and final values holding a failed writer's stamp
   */
  public record Counts(
      String mode,
      int writerCalls,
      int failingWriters,
      int readerCalls,
      int failedReads,
      int fracturedReads,
      int partialCommits) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("mode", mode)
          .put("writer_calls", writerCalls)
          .put("failing_writers", failingWriters)
          .put("reader_calls", readerCalls)
          .put("failed_reads", failedReads)
          .put("fractured_reads", fracturedReads)
          .put("partial_commits", partialCommits);
    }
  }

  private final Vertx vertx;
  private final CloudburstClient client;
  private final AtomicLong stamps = new AtomicLong();
  private final Map<Long, long[]> spans = new ConcurrentHashMap<>();

  public AtomicChecker(Vertx vertx, CloudburstClient client) {
    this.vertx = vertx;
    this.client = client;
  }

  /** Registers the functions and writes stamp 0 to every key (once per node). */
  public AtomicChecker setUp() throws Exception {
    client.register("ak_w", "python", WRITER).await(60, TimeUnit.SECONDS);
    client.register("ak_r", "python", READER).await(60, TimeUnit.SECONDS);
    spans.put(0L, new long[] {Long.MIN_VALUE, Long.MIN_VALUE});
    CallResult r =
        client.invoke("ak_w", List.of(0L, false, 0L), 30_000).await(60, TimeUnit.SECONDS);
    if (r.status() != CallResult.Status.DONE) {
      throw new IllegalStateException("cannot write the first stamp: " + r.errorMessage());
    }
    return this;
  }

  /** {@code readerCalls} reads while writers run, {@code writers} at a time; blocks until done. */
  public Counts run(boolean atomic, int readerCalls, int writers, long pauseMs) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    Set<Long> failing = ConcurrentHashMap.newKeySet();
    AtomicLong writerCalls = new AtomicLong();
    List<Future<Void>> writersDone = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      Promise<Void> p = Promise.promise();
      writersDone.add(p.future());
      vertx.runOnContext(v -> writeLoop(atomic, pauseMs, stop, failing, writerCalls, p));
    }
    List<List<?>> seen = new ArrayList<>();
    int[] failedReads = new int[1];
    AtomicLong next = new AtomicLong();
    List<Future<Void>> readersDone = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Promise<Void> p = Promise.promise();
      readersDone.add(p.future());
      vertx.runOnContext(v -> readLoop(readerCalls, writerCalls, next, seen, failedReads, p));
    }
    try {
      Future.all(readersDone).await(600, TimeUnit.SECONDS);
    } finally {
      stop.set(true);
    }
    Future.all(writersDone).await(120, TimeUnit.SECONDS);
    CallResult last = client.invoke("ak_r", List.of(), 30_000).await(60, TimeUnit.SECONDS);
    synchronized (seen) {
      int fractured = 0;
      int partial = 0;
      for (List<?> s : seen) {
        fractured += fractured(s) ? 1 : 0;
        partial += partial(s, failing) ? 1 : 0;
      }
      if (last.result() instanceof List<?> finalValues) {
        partial += partial(finalValues, failing) ? 1 : 0;
      }
      return new Counts(
          atomic ? "atomic" : "normal",
          (int) writerCalls.get(),
          failing.size(),
          seen.size() + failedReads[0],
          failedReads[0],
          fractured,
          partial);
    }
  }

  /** A read of key i by writer T, then of key j > i by a writer that finished before T started. */
  boolean fractured(List<?> s) {
    for (int i = 0; i < s.size(); i++) {
      for (int j = i + 1; j < s.size(); j++) {
        long[] ti = spans.get(stamp(s.get(i)));
        long[] tj = spans.get(stamp(s.get(j)));
        if (ti != null && tj != null && tj[1] != 0 && tj[1] < ti[0]) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean partial(List<?> s, Set<Long> failing) {
    for (Object v : s) {
      if (failing.contains(stamp(v))) {
        return true;
      }
    }
    return false;
  }

  private static long stamp(Object v) {
    return v instanceof Number n ? n.longValue() : -1;
  }

  private void writeLoop(
      boolean atomic,
      long pauseMs,
      AtomicBoolean stop,
      Set<Long> failing,
      AtomicLong calls,
      Promise<Void> done) {
    if (stop.get()) {
      done.complete();
      return;
    }
    long stamp = stamps.incrementAndGet();
    boolean fail = stamp % 5 == 0;
    if (fail) {
      failing.add(stamp);
    }
    calls.incrementAndGet();
    long[] span = {System.nanoTime(), 0};
    spans.put(stamp, span);
    List<Object> args = List.of(stamp, fail, pauseMs);
    (atomic ? client.invokeAtomic("ak_w", args, null, 30_000) : client.invoke("ak_w", args, 30_000))
        .onComplete(
            ar -> {
              span[1] = System.nanoTime();
              writeLoop(atomic, pauseMs, stop, failing, calls, done);
            });
  }

  private void readLoop(
      int calls,
      AtomicLong writers,
      AtomicLong next,
      List<List<?>> seen,
      int[] failed,
      Promise<Void> done) {
    // Reads go on until there were enough writers to read between, whatever their speed.
    if (next.getAndIncrement() >= calls && writers.get() >= MIN_WRITERS) {
      done.tryComplete();
      return;
    }
    client
        .invoke("ak_r", List.of(), 30_000)
        .onComplete(
            ar -> {
              synchronized (seen) {
                if (ar.succeeded()
                    && ar.result().status() == CallResult.Status.DONE
                    && ar.result().result() instanceof List<?> s
                    && s.size() == KEYS) {
                  seen.add(s);
                } else {
                  failed[0]++;
                }
              }
              readLoop(calls, writers, next, seen, failed, done);
            });
  }
}
