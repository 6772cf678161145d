// Over 400 lines (as formatted): one declaration per /metrics series with its help text and labels;
// splitting them by source would scatter the list an operator reads as one.
package io.cloudburst.web.impl;

import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.codec.WireCounters;
import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.ExecutorStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The node's own Prometheus series, built from messages the verticles already put on the bus (so no
 * verticle module depends on another): finished calls ({@link CallResult} at {@code RESULTS}),
 * executor load ({@link ExecutorStatus}) and cache counters ({@link CacheEvent.Report}); plus the
 * end-to-end time of invocations as the HTTP front sees it. No Vert.x in here: the web verticle
 * feeds it from its consumers and routes.
 *
 * <p>Series (Prometheus names):
 *
 * <ul>
 *   <li>{@code cloudburst_invocations_total{function,status}}: finished calls, status {@code done}
 *       or {@code failed}; a DAG call counts once under the DAG's name
 *   <li>{@code cloudburst_invocation_errors_total{function,code}}: failed calls by error code
 *   <li>{@code cloudburst_call_duration_seconds{function,status}}: histogram of the time inside the
 *       executor ({@code CallResult.durationMicros}; 0 for a call that never ran)
 *   <li>{@code cloudburst_invoke_duration_seconds{kind,name,http_status}}: histogram of invoke
 *       requests from arrival to response, {@code kind} function or dag
 *   <li>{@code cloudburst_executor_threads|busy|queued|utilization|warm_functions{node,executor}}:
 *       the latest status of each executor; utilization is (busy + queued) / threads
 *   <li>{@code cloudburst_cache_keys|cache_bytes{node}} gauges and {@code
 *       cloudburst_cache_hits|misses|evictions_total{node}} counters, from the cache's reports
 *   <li>{@code cloudburst_executors{node}}: the node's live executors (those whose latest status is
 *       not a leaving one), which the autoscaler moves between its bounds
 *   <li>{@code cloudburst_autoscaling_decisions_total{action}}: the autoscaler's changes, {@code
 *       action} up or down, and the scheduler's replications of a hot function onto another
 *       executor, {@code action} replicate (every series exists from the start, at 0)
 * </ul>
 *
 * <p>Function names are user input, so at most {@link #MAX_FUNCTIONS} distinct ones get their own
 * series; calls of later ones count under {@code function="_other"}.
 *
 * <p>Meters may be registered in a registry shared with Vert.x's own metrics; {@link #close()}
 * removes exactly the meters made here.
 */
public final class NodeMetrics implements AutoCloseable {
  public static final int MAX_FUNCTIONS = 1000;
  static final String OTHER = "_other";
  static final String UNKNOWN = "_unknown";

  /** Histogram buckets from 100 µs (a warm call) to 5 minutes (the longest default deadline). */
  static final Duration[] BUCKETS =
      durations(
          0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
          5, 10, 30, 60, 120, 300);

  private final MeterRegistry registry;
  private final boolean ownsRegistry;
  private final Set<Meter> meters = ConcurrentHashMap.newKeySet();
  private final Set<String> functions = ConcurrentHashMap.newKeySet();

  /**
   * Latest status per executor address; gauges read it at scrape time. Values are immutable
   * records.
   */
  private final Map<String, Latest<ExecutorStatus>> executors = new ConcurrentHashMap<>();

  private final Map<String, Latest<CacheEvent.Report>> caches = new ConcurrentHashMap<>();

  /**
   * A holder the gauges keep a strong reference to (Micrometer's gauges hold their object weakly).
   */
  private static final class Latest<T> {
    volatile T value;
    final List<Meter> meters = new java.util.concurrent.CopyOnWriteArrayList<>();

    Latest(T value) {
      this.value = value;
    }
  }

  /**
   * The per-call meters, by their labels, made once each: building and registering a meter
   * (builder, tags, id lookup, bucket array) for every call cost several µs on the event loop, on
   * the path of each call. Bounded like the labels: {@link #MAX_FUNCTIONS} names, two statuses, the
   * error codes, a few HTTP statuses.
   */
  private final Map<Labels, Counter> callCounts = new ConcurrentHashMap<>();

  private final Map<Labels, Counter> errorCounts = new ConcurrentHashMap<>();
  private final Map<Labels, Timer> callTimes = new ConcurrentHashMap<>();
  private final Map<Labels, Timer> invokeTimes = new ConcurrentHashMap<>();

  /** The label values of one per-call meter. */
  private record Labels(String a, String b, String c) {}

  /** Nodes whose executor count has a gauge. */
  private final Set<String> executorNodes = ConcurrentHashMap.newKeySet();

  private final Map<String, Counter> decisions = new ConcurrentHashMap<>();

  private NodeMetrics(MeterRegistry registry, boolean ownsRegistry) {
    this.registry = registry;
    this.ownsRegistry = ownsRegistry;
    for (String action : List.of("up", "down", "replicate")) {
      decisions.put(
          action,
          remember(
              Counter.builder("cloudburst.autoscaling.decisions")
                  .description(
                      "Scaling decisions: up adds an executor, down removes one, replicate loads a hot function"
                          + " onto another executor because its warm ones are saturated")
                  .tags("action", action)
                  .register(registry)));
    }
    remember(
        FunctionCounter.builder(
                "cloudburst.guest.compiler.cpu", this, m -> guestCompilerCpuNanos() / 1e9)
            .description(
                "CPU time the Graal compiler's threads spent compiling guest code (jit mode; 0 interpreted)")
            .baseUnit("seconds")
            .register(registry));
    for (Class<?> type : WireCounters.recordTypes()) {
      Class<?> outer = type.getEnclosingClass();
      Tags tags =
          Tags.of(
              "record", (outer == null ? "" : outer.getSimpleName() + ".") + type.getSimpleName());
      remember(
          FunctionCounter.builder(
                  "cloudburst.bus.wire.messages", type, t -> WireCounters.messages(t))
              .description("Bus records this node wrote for another node (cluster hops only)")
              .tags(tags)
              .register(registry));
      remember(
          FunctionCounter.builder("cloudburst.bus.wire.bytes", type, t -> WireCounters.bytes(t))
              .description("Encoded bytes of the bus records this node wrote for another node")
              .baseUnit("bytes")
              .tags(tags)
              .register(registry));
    }
  }

  /**
   * CPU time seen so far per guest-compiler thread id, and the total of what was seen (guarded by
   * the class).
   */
  private static final Map<Long, Long> compilerCpuSeen = new java.util.HashMap<>();

  private static long compilerCpuTotal;

  /**
   * CPU time (ns) this JVM's threads that compile guest code ({@code TruffleCompilerThread*}, jit
   * mode only) have used, as far as it was observed: HotSpot's own compilation time does not count
   * them. Monotonic: those threads end when idle, and what they used up to the last look stays
   * counted (what they used after it is lost).
   */
  public static synchronized long guestCompilerCpuNanos() {
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    Set<Long> alive = new java.util.HashSet<>();
    for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith("TruffleCompilerThread")) {
        long cpu = threads.getThreadCpuTime(info.getThreadId());
        if (cpu > 0) {
          alive.add(info.getThreadId());
          Long before = compilerCpuSeen.put(info.getThreadId(), cpu);
          compilerCpuTotal += Math.max(0, cpu - (before == null ? 0 : before));
        }
      }
    }
    compilerCpuSeen.keySet().retainAll(alive); // thread ids are not reused: forget the ended ones
    return compilerCpuTotal;
  }

  /** Series in {@code registry}, which the caller owns (e.g. the one Vert.x's metrics write to). */
  public static NodeMetrics in(MeterRegistry registry) {
    return new NodeMetrics(registry, false);
  }

  /** Series in a private Prometheus registry, closed with this. */
  public static NodeMetrics standalone() {
    return new NodeMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), true);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Counts a finished call and records its time; pending results are ignored. */
  public void onResult(CallResult r) {
    if (!r.isFinished()) {
      return;
    }
    String fn = functionLabel(r.function());
    String status = r.status().wire();
    Labels labels = new Labels(fn, status, null);
    callCounts
        .computeIfAbsent(
            labels,
            l ->
                remember(
                    Counter.builder("cloudburst.invocations")
                        .description(
                            "Finished calls per function (a DAG call counts once, under the DAG's name) and outcome")
                        .tags("function", fn, "status", status)
                        .register(registry)))
        .increment();
    if (r.status() == CallResult.Status.FAILED) {
      // Parsed, so that only the enum's names become label values.
      String code =
          r.errorCode() == null ? ErrorCode.INTERNAL.name() : ErrorCode.parse(r.errorCode()).name();
      errorCounts
          .computeIfAbsent(
              new Labels(fn, code, null),
              l ->
                  remember(
                      Counter.builder("cloudburst.invocation.errors")
                          .description("Failed calls per function and error code")
                          .tags("function", fn, "code", code)
                          .register(registry)))
          .increment();
    }
    callTimes
        .computeIfAbsent(
            labels,
            l ->
                remember(
                    Timer.builder("cloudburst.call.duration")
                        .description(
                            "Time of a call inside the executor (0 for a call that never ran)")
                        .tags("function", fn, "status", status)
                        .serviceLevelObjectives(BUCKETS)
                        .register(registry)))
        .record(Math.max(0, r.durationMicros()), TimeUnit.MICROSECONDS);
  }

  /** Records an invoke request ({@code kind} "function" or "dag") from arrival to response. */
  public void onInvokeAnswered(String kind, String name, int httpStatus, long nanos) {
    String label = functionLabel(name);
    String status = Integer.toString(httpStatus);
    invokeTimes
        .computeIfAbsent(
            new Labels(kind, label, status),
            l ->
                remember(
                    Timer.builder("cloudburst.invoke.duration")
                        .description(
                            "Invoke requests from arrival to response, as the HTTP front sees them")
                        .tags("kind", kind, "name", label, "http_status", status)
                        .serviceLevelObjectives(BUCKETS)
                        .register(registry)))
        .record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  /** Keeps the latest status of an executor; one that leaves loses its series. */
  public void onExecutorStatus(ExecutorStatus s) {
    if (s.leaving()) {
      Latest<ExecutorStatus> gone = executors.remove(s.address());
      if (gone != null) {
        gone.meters.forEach(this::removeMeter);
      }
      return;
    }
    Latest<ExecutorStatus> known = executors.get(s.address());
    if (known != null) {
      known.value = s;
      return;
    }
    Latest<ExecutorStatus> l = new Latest<>(s);
    executors.put(s.address(), l);
    if (executorNodes.add(s.nodeId())) {
      String node = s.nodeId();
      // Reads this object (held strongly by its owner) at scrape time; stays, at 0, if all leave.
      remember(
          Gauge.builder("cloudburst.executors", this, m -> m.executorCount(node))
              .description(
                  "Executors the node runs now (the autoscaler moves this between its bounds)")
              .tags("node", node)
              .register(registry));
    }
    Tags tags = Tags.of("node", s.nodeId(), "executor", s.address());
    gauge(l, "cloudburst.executor.threads", "Threads that run guest code", tags, e -> e.threads());
    gauge(l, "cloudburst.executor.busy", "Calls running now", tags, e -> e.busy());
    gauge(l, "cloudburst.executor.queued", "Calls waiting for a thread", tags, e -> e.queued());
    gauge(
        l,
        "cloudburst.executor.utilization",
        "(busy + queued) / threads",
        tags,
        ExecutorStatus::utilization);
    gauge(
        l,
        "cloudburst.executor.warm.functions",
        "Function versions with warm contexts",
        tags,
        e -> e.warm().size());
  }

  /**
   * Counts one autoscaling decision; {@code action} is "up" or "down" (anything else is ignored).
   */
  public void onAutoscaleDecision(String action) {
    Counter c = action == null ? null : decisions.get(action);
    if (c != null) {
      c.increment();
    }
  }

  /** The executors of {@code node} with a live (not leaving) latest status. */
  private double executorCount(String node) {
    int n = 0;
    for (Latest<ExecutorStatus> l : executors.values()) {
      if (node.equals(l.value.nodeId())) {
        n++;
      }
    }
    return n;
  }

  /** Keeps the latest report of a node's cache. */
  public void onCacheReport(CacheEvent.Report r) {
    Latest<CacheEvent.Report> known = caches.get(r.nodeId());
    if (known != null) {
      known.value = r;
      return;
    }
    Latest<CacheEvent.Report> l = new Latest<>(r);
    caches.put(r.nodeId(), l);
    Tags tags = Tags.of("node", r.nodeId());
    gauge(l, "cloudburst.cache.keys", "Keys the node's cache holds", tags, c -> c.keys().size());
    l.meters.add(
        remember(
            Gauge.builder("cloudburst.cache.bytes", l, h -> h.value.bytes())
                .description("Bytes the node's cache entries take")
                .baseUnit("bytes")
                .tags(tags)
                .register(registry)));
    counter(
        l,
        "cloudburst.cache.hits",
        "Reads served by the node's cache",
        tags,
        CacheEvent.Report::hits);
    counter(
        l,
        "cloudburst.cache.misses",
        "Reads the node's cache passed to the store",
        tags,
        CacheEvent.Report::misses);
    counter(
        l,
        "cloudburst.cache.evictions",
        "Entries evicted to stay within the cache's bound",
        tags,
        CacheEvent.Report::evictions);
  }

  /** Removes every meter made here; closes the registry if it is this object's own. */
  @Override
  public void close() {
    meters.forEach(registry::remove);
    meters.clear();
    callCounts.clear();
    errorCounts.clear();
    callTimes.clear();
    invokeTimes.clear();
    executors.clear();
    caches.clear();
    executorNodes.clear();
    if (ownsRegistry) {
      registry.close();
    }
  }

  private <T> void gauge(Latest<T> l, String name, String help, Tags tags, ToDoubleFunction<T> f) {
    l.meters.add(
        remember(
            Gauge.builder(name, l, h -> f.applyAsDouble(h.value))
                .description(help)
                .tags(tags)
                .register(registry)));
  }

  private <T> void counter(
      Latest<T> l, String name, String help, Tags tags, ToDoubleFunction<T> f) {
    l.meters.add(
        remember(
            FunctionCounter.builder(name, l, h -> f.applyAsDouble(h.value))
                .description(help)
                .tags(tags)
                .register(registry)));
  }

  private <M extends Meter> M remember(M m) {
    meters.add(m);
    return m;
  }

  private void removeMeter(Meter m) {
    meters.remove(m);
    registry.remove(m);
  }

  private String functionLabel(String name) {
    if (name == null || name.isEmpty()) {
      return UNKNOWN;
    }
    if (functions.contains(name)) {
      return name;
    }
    // Racy by at most a few names over the bound when called from several threads: harmless.
    if (functions.size() < MAX_FUNCTIONS) {
      functions.add(name);
      return name;
    }
    return OTHER;
  }

  private static Duration[] durations(double... seconds) {
    Duration[] d = new Duration[seconds.length];
    for (int i = 0; i < seconds.length; i++) {
      d[i] = Duration.ofNanos(Math.round(seconds[i] * 1e9));
    }
    return d;
  }
}
