package io.cloudburst.bench;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.client.CloudburstClient;
import io.cloudburst.bus.lattice.CounterLattice;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.SetLattice;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.KvsRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The atomicity checker (issue 15): writer calls, {@code writers} at a time, each add 1 to the
 * counter {@code ak_c}, add their stamp (unique per call) to the set {@code ak_s}, then write the
 * stamp to the last-writer-wins keys {@code ak_0..ak_3} in order, pausing briefly between puts;
 * every fifth writer then fails. Meanwhile reader calls, 4 at a time, read: two of them the four
 * keys in the same order ({@code ak_r}), one the set first and then the four keys, one the counter
 * first and then the four keys ({@code ak_rh}), each its share of the reads and at least until
 * {@link #MIN_WRITERS} writers have started. Afterwards it counts:
 *
 * <ul>
 *   <li>fractured reads: a reader saw key {@code i} written by call T and a later key {@code j}
 *       (which T also wrote) holding the stamp of a call that had finished before T started, so
 *       certainly older than T's version of it (only definite cases are counted). A set read first
 *       counts as written by its newest member. A counter read first, then key {@code j} holding
 *       the stamp of call U, is fractured when the counter holds more increments (one per writer)
 *       than the writers that could have made theirs before U finished (by the time each writer
 *       took just before its increment): one of them came from a writer that incremented, and then
 *       wrote key {@code j}, after U finished;
 *   <li>partial commits: reads (or final values), set members included, holding the stamp of a
 *       writer that failed.
 * </ul>
 *
 * With {@code atomic} writers both must be 0; without, both show up (so the checker can see them).
 * Used by the test suite (a short run) and by the benchmark (a longer one).
 */
public final class AtomicChecker {
  static final int KEYS = 4;

  /** Writer calls a run waits for at least (a fifth of them fail). */
  static final int MIN_WRITERS = 20;

  static final String SET = "ak_s";
  static final String COUNTER = "ak_c";

  static final String WRITER =
      """
      import time
      def ak_w(cb, stamp, fail, pause_ms):
          puts = [('ak_c', 1), ('ak_s', stamp)] + [('ak_' + str(i), stamp) for i in range(4)]
          incremented_after_us = time.time_ns() // 1000
          for key, value in puts:
              cb.put(key, value)
              t0 = time.perf_counter()
              while time.perf_counter() - t0 < pause_ms / 1000.0:
                  pass
          if fail:
              raise RuntimeError('writer %d fails after its writes' % stamp)
          return [stamp, incremented_after_us]
      """;
  static final String READER =
      """
      def ak_r(cb):
          return [cb.get('ak_' + str(i)) for i in range(4)]
      """;
  static final String HEAD_READER =
      """
      def ak_rh(cb, head):
          return [cb.get(head)] + [cb.get('ak_' + str(i)) for i in range(4)]
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
   * @param setFirstReads reader calls (of those checked) that read the set first
   * @param setFirstFractured how many of them saw a writer's set member but an older version of a
   *     later key it wrote
   * @param counterFirstReads reader calls (of those checked) that read the counter first
   * @param counterFirstFractured how many of them saw a writer's increment but an older version of
   *     a later key it wrote
   */
  public record Counts(
      String mode,
      int writerCalls,
      int failingWriters,
      int readerCalls,
      int failedReads,
      int fracturedReads,
      int partialCommits,
      int setFirstReads,
      int setFirstFractured,
      int counterFirstReads,
      int counterFirstFractured) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("mode", mode)
          .put("writer_calls", writerCalls)
          .put("failing_writers", failingWriters)
          .put("reader_calls", readerCalls)
          .put("failed_reads", failedReads)
          .put("fractured_reads", fracturedReads)
          .put("partial_commits", partialCommits)
          .put("set_first_reads", setFirstReads)
          .put("set_first_fractured", setFirstFractured)
          .put("counter_first_reads", counterFirstReads)
          .put("counter_first_fractured", counterFirstFractured);
    }
  }

  private final Vertx vertx;
  private final CloudburstClient client;
  private final AtomicLong stamps = new AtomicLong();

  /** Per writer stamp, as {@link AtomicVerdicts} reads them. */
  private final Map<Long, long[]> spans = new ConcurrentHashMap<>();

  /** Counter increments made before {@link #setUp}'s first writer (by earlier runs on the node). */
  private long counterBase;

  public AtomicChecker(Vertx vertx, CloudburstClient client) {
    this.vertx = vertx;
    this.client = client;
  }

  /**
   * Registers the functions, makes {@code ak_s} a set and {@code ak_c} a counter (a guest's put
   * keeps a key's kind but makes a new key last-writer-wins) and writes stamp 0 to every key (once
   * per node).
   */
  public AtomicChecker setUp() throws Exception {
    client.register("ak_w", "python", WRITER).await(60, TimeUnit.SECONDS);
    client.register("ak_r", "python", READER).await(60, TimeUnit.SECONDS);
    client.register("ak_rh", "python", HEAD_READER).await(60, TimeUnit.SECONDS);
    DeliveryOptions t = new DeliveryOptions().setSendTimeout(30_000);
    for (Lattice kind :
        List.<Lattice>of(SetLattice.of(List.of(0L)), new CounterLattice(Map.of()))) {
      String key = kind instanceof SetLattice ? SET : COUNTER;
      vertx
          .eventBus()
          .request(Addresses.KVS, new KvsRequest.Put(key, kind, null), t)
          .await(60, TimeUnit.SECONDS);
    }
    spans.put(0L, new long[] {Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE});
    CallResult r =
        client.invoke("ak_w", List.of(0L, false, 0L), 30_000).await(60, TimeUnit.SECONDS);
    if (r.status() != CallResult.Status.DONE) {
      throw new IllegalStateException("cannot write the first stamp: " + r.errorMessage());
    }
    CallResult c = client.invoke("ak_rh", List.of(COUNTER), 30_000).await(60, TimeUnit.SECONDS);
    if (!(c.result() instanceof List<?> l && l.getFirst() instanceof Number n)) {
      throw new IllegalStateException("cannot read the counter: " + c.errorMessage());
    }
    counterBase = n.longValue() - 1;
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
    List<AtomicVerdicts.Read> seen = new ArrayList<>();
    int[] failedReads = new int[1];
    List<Future<Void>> readersDone = new ArrayList<>();
    for (String head : Arrays.asList(null, null, SET, COUNTER)) {
      Promise<Void> p = Promise.promise();
      readersDone.add(p.future());
      // Each reader its share, so a slower kind of reader still gets its reads checked.
      int share = (readerCalls + 3) / 4;
      AtomicLong next = new AtomicLong();
      vertx.runOnContext(v -> readLoop(head, share, writerCalls, next, seen, failedReads, p));
    }
    try {
      Future.all(readersDone).await(600, TimeUnit.SECONDS);
    } finally {
      stop.set(true);
    }
    Future.all(writersDone).await(120, TimeUnit.SECONDS);
    CallResult last = client.invoke("ak_r", List.of(), 30_000).await(60, TimeUnit.SECONDS);
    CallResult lastSet = client.invoke("ak_rh", List.of(SET), 30_000).await(60, TimeUnit.SECONDS);
    AtomicVerdicts verdicts = new AtomicVerdicts(spans, counterBase);
    synchronized (seen) {
      int fractured = 0;
      int partial = 0;
      int[] byHead = new int[4]; // set-first reads, their fractured; counter-first, theirs
      for (AtomicVerdicts.Read r : seen) {
        boolean byTheHead = verdicts.fracturedByHead(r);
        fractured += byTheHead || verdicts.fracturedAfterHead(r) ? 1 : 0;
        partial += verdicts.partial(r, failing) ? 1 : 0;
        if (r.head() != null) {
          int at = SET.equals(r.head()) ? 0 : 2;
          byHead[at]++;
          byHead[at + 1] += byTheHead ? 1 : 0;
        }
      }
      for (CallResult end : List.of(last, lastSet)) {
        if (end.result() instanceof List<?> finalValues) {
          partial += verdicts.partial(new AtomicVerdicts.Read(null, finalValues), failing) ? 1 : 0;
        }
      }
      return new Counts(
          atomic ? "atomic" : "normal",
          (int) writerCalls.get(),
          failing.size(),
          seen.size() + failedReads[0],
          failedReads[0],
          fractured,
          partial,
          byHead[0],
          byHead[1],
          byHead[2],
          byHead[3]);
    }
  }

  private static long wallMicros() {
    return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
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
    // Until the guest answers with the time it took just before its increment (a failing writer
    // never does), the call's start bounds that time from below.
    long[] span = {System.nanoTime(), 0, 0, wallMicros()};
    spans.put(stamp, span);
    List<Object> args = List.of(stamp, fail, pauseMs);
    (atomic ? client.invokeAtomic("ak_w", args, null, 30_000) : client.invoke("ak_w", args, 30_000))
        .onComplete(
            ar -> {
              span[1] = System.nanoTime();
              span[2] = wallMicros();
              if (ar.succeeded()
                  && ar.result().result() instanceof List<?> r
                  && r.size() == 2
                  && r.get(1) instanceof Number incremented) {
                span[3] = incremented.longValue();
              }
              writeLoop(atomic, pauseMs, stop, failing, calls, done);
            });
  }

  private void readLoop(
      String head,
      int calls,
      AtomicLong writers,
      AtomicLong next,
      List<AtomicVerdicts.Read> seen,
      int[] failed,
      Promise<Void> done) {
    // Reads go on until there were enough writers to read between, whatever their speed.
    if (next.getAndIncrement() >= calls && writers.get() >= MIN_WRITERS) {
      done.tryComplete();
      return;
    }
    (head == null
            ? client.invoke("ak_r", List.of(), 30_000)
            : client.invoke("ak_rh", List.of(head), 30_000))
        .onComplete(
            ar -> {
              synchronized (seen) {
                if (ar.succeeded()
                    && ar.result().status() == CallResult.Status.DONE
                    && ar.result().result() instanceof List<?> s
                    && s.size() == (head == null ? KEYS : KEYS + 1)) {
                  seen.add(new AtomicVerdicts.Read(head, s));
                } else {
                  failed[0]++;
                }
              }
              readLoop(head, calls, writers, next, seen, failed, done);
            });
  }
}
