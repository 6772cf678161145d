package io.cloudburst.node;

import io.cloudburst.bus.codec.CloudburstCodecs;
import io.cloudburst.cache.CacheVerticle;
import io.cloudburst.kvs.KvsVerticle;
import io.cloudburst.runtime.ExecutorVerticle;
import io.cloudburst.scheduler.SchedulerVerticle;
import io.cloudburst.web.WebVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;

/**
 * Assembles a node: key-value store, cache, scheduler, executors and web front on one Vert.x
 * instance (embedded mode), and the {@code main} behind {@code ./cloudburst start}.
 */
public final class CloudburstNode {
  private static final java.util.concurrent.atomic.AtomicInteger METRICS_REGISTRIES =
      new java.util.concurrent.atomic.AtomicInteger();

  private final Vertx vertx;
  private final NodeOptions options;

  /** This node's Hazelcast member in cluster mode, else null. */
  private final com.hazelcast.core.HazelcastInstance hazelcast;

  private WebVerticle web;
  private final java.util.Map<Integer, String> executorDeployments =
      new java.util.concurrent.ConcurrentHashMap<>();

  private CloudburstNode(
      Vertx vertx, NodeOptions options, com.hazelcast.core.HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.options = options;
    this.hazelcast = hazelcast;
  }

  /**
   * A new (non-clustered) Vert.x for a node: {@link #vertxOptions()} on the {@link #transport()}.
   */
  public static Vertx newVertx() {
    io.vertx.core.VertxOptions o = vertxOptions();
    return remember(Vertx.builder().with(o).withTransport(transport()).build(), o);
  }

  /**
   * vertx-micrometer 5.0.8 registers its {@code vertx.eventbus.handlers} gauge again for every
   * event-bus consumer, and Micrometer warns about the duplicate ("This Gauge has been already
   * registered") at every start although the gauge's value stays right. Only that message is
   * dropped; the logger is held here because JUL keeps loggers weakly.
   */
  private static final java.util.logging.Logger MICROMETER_REGISTRY_LOG = quietDuplicateGauges();

  private static java.util.logging.Logger quietDuplicateGauges() {
    java.util.logging.Logger l =
        java.util.logging.Logger.getLogger("io.micrometer.core.instrument.MeterRegistry");
    l.setFilter(
        r ->
            r.getMessage() == null
                || !r.getMessage().contains("Gauge has been already registered"));
    return l;
  }

  /** Where a node's Vert.x keeps what the node needs to know of how it was built (node-local). */
  private static final String NODE_MAP = "cloudburst.node";

  /**
   * Notes on {@code vertx} the name of the metrics registry its options chose, for the web front's
   * /metrics ({@code metricsRegistry}); call it on every Vert.x a node runs on.
   */
  static Vertx remember(Vertx vertx, io.vertx.core.VertxOptions o) {
    if (o.getMetricsOptions() instanceof io.vertx.micrometer.MicrometerMetricsOptions m
        && m.getRegistryName() != null) {
      vertx.sharedData().getLocalMap(NODE_MAP).put("metricsRegistry", m.getRegistryName());
    }
    return vertx;
  }

  /**
   * The transport of a node's Vert.x: Linux epoll when it loads (each request and each wake-up of
   * an event loop takes fewer system calls than with NIO), its event loops polling their queues for
   * {@link #spinMicros()} after their last work before they block ({@link SpinningEpollTransport});
   * else NIO. {@code -Dcloudburst.transport=nio} forces NIO. The node says which one it uses.
   */
  public static io.vertx.core.transport.Transport transport() {
    if (!"nio".equals(System.getProperty("cloudburst.transport"))) {
      io.vertx.core.transport.Transport epoll = new SpinningEpollTransport(spinMicros());
      if (epoll.available()) {
        return epoll;
      }
    }
    return io.vertx.core.transport.Transport.NIO;
  }

  /**
   * How long the threads on a call's path (the event loop, and one worker thread per executor) keep
   * looking for work after their last before they sleep: {@code -Dcloudburst.spinMicros}, default
   * 200; 0 turns polling off.
   */
  public static long spinMicros() {
    return io.cloudburst.runtime.ExecutorOptions.DEFAULT_SPIN_MICROS;
  }

  /**
   * The Vert.x options of a node: one event loop unless {@code -Dcloudburst.eventLoops=N} says
   * otherwise. Every hop between threads costs a wake-up (tens of microseconds on a small VM), and
   * with one loop the scheduler, cache, store and web front hand messages to each other on the same
   * thread, which halved an in-JVM call here (see the README's figures); guest code runs on the
   * executors' own workers and RocksDB on its own threads either way.
   */
  public static io.vertx.core.VertxOptions vertxOptions() {
    io.vertx.core.VertxOptions o = new io.vertx.core.VertxOptions();
    o.setEventLoopPoolSize(Integer.getInteger("cloudburst.eventLoops", 1));
    // Vert.x's and the JVM's metrics in a Prometheus registry, which the web front extends with the
    // node's own series and serves at /metrics. One registry per instance (Vert.x closes it by
    // name).
    o.setMetricsOptions(
        new io.vertx.micrometer.MicrometerMetricsOptions()
            .setEnabled(true)
            .setPrometheusOptions(new io.vertx.micrometer.VertxPrometheusOptions().setEnabled(true))
            .setJvmMetricsEnabled(true)
            .addLabels(io.vertx.micrometer.Label.HTTP_ROUTE)
            .setRegistryName("cloudburst-" + METRICS_REGISTRIES.incrementAndGet()));
    return o;
  }

  /** The runtime mode the executors run in ("interpreted" or "jit"), as chosen by the launcher. */
  public static String runtimeMode() {
    return System.getProperty("cloudburst.runtime.mode", "interpreted");
  }

  /** Deploys a whole node on {@code vertx}; completes once it can run functions and serves HTTP. */
  public static Future<CloudburstNode> start(Vertx vertx, NodeOptions options) {
    return start(vertx, options, null);
  }

  /**
   * Deploys a node on a clustered {@code vertx} whose Hazelcast member is {@code hazelcast} (from
   * {@link ClusterBoot#join}); its store is the cluster's partitioned map instead of local disk.
   */
  public static Future<CloudburstNode> start(
      Vertx vertx, NodeOptions options, com.hazelcast.core.HazelcastInstance hazelcast) {
    CloudburstCodecs.register(vertx);
    CloudburstNode node = new CloudburstNode(vertx, options, hazelcast);
    return node.deploy().map(v -> node);
  }

  private Future<Void> deploy() {
    try {
      Files.createDirectories(options.dataDir());
    } catch (java.io.IOException e) {
      return Future.failedFuture(
          new IllegalArgumentException(
              "cannot create data directory " + options.dataDir() + ": " + e));
    }
    JsonObject kvs =
        new JsonObject()
            .put("nodeId", options.nodeId())
            .put("dataDir", options.dataDir().resolve("kvs").toString());
    JsonObject cache =
        new JsonObject().put("nodeId", options.nodeId()).put("maxBytes", options.cacheBytes());
    JsonObject scheduler = new JsonObject().put("nodeId", options.nodeId());
    java.util.function.IntFunction<JsonObject> executor =
        i ->
            new JsonObject()
                .put("nodeId", options.nodeId())
                .put("index", i)
                .put("threads", options.executorThreads())
                .put("maxContexts", options.maxContexts())
                .put("pythonSpares", options.pythonSpares())
                .put("jsSpares", options.jsSpares());
    JsonObject webConfig =
        new JsonObject()
            .put("host", options.host())
            .put("port", options.port())
            .put("nodeId", options.nodeId())
            .put("runtimeMode", runtimeMode())
            .put("auth", options.auth())
            .put("token", options.token())
            .put("tokenFile", options.tokenFile().toString())
            .put("tcpBridgePort", options.tcpBridgePort());
    Object registry = vertx.sharedData().getLocalMap(NODE_MAP).get("metricsRegistry");
    if (registry != null) {
      webConfig.put("metricsRegistry", registry);
    }
    web = new WebVerticle();
    io.vertx.core.Deployable store =
        hazelcast == null ? new KvsVerticle() : new io.cloudburst.kvs.ClusterKvsVerticle(hazelcast);
    return vertx
        .deployVerticle(store, new DeploymentOptions().setConfig(kvs))
        .compose(
            id ->
                vertx.deployVerticle(new CacheVerticle(), new DeploymentOptions().setConfig(cache)))
        .compose(
            id ->
                vertx.deployVerticle(
                    new SchedulerVerticle(), new DeploymentOptions().setConfig(scheduler)))
        .compose(
            id ->
                options.cluster().compute() ? deployExecutors(executor) : Future.succeededFuture())
        .compose(id -> vertx.deployVerticle(web, new DeploymentOptions().setConfig(webConfig)))
        .mapEmpty();
  }

  private Future<Void> deployExecutors(java.util.function.IntFunction<JsonObject> config) {
    // One after the other: the first makes the shared engines and its first contexts, seconds of
    // CPU on a small machine; the others share those engines.
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < options.executors(); i++) {
      int index = i;
      chain = chain.compose(v -> deployExecutor(index, config));
    }
    if (!options.scaling().enabled()) {
      return chain;
    }
    io.cloudburst.node.scaling.ExecutorAutoscaler.Pool pool =
        new io.cloudburst.node.scaling.ExecutorAutoscaler.Pool() {
          @Override
          public java.util.Set<Integer> live() {
            return java.util.Set.copyOf(executorDeployments.keySet());
          }

          @Override
          public Future<Void> add(int index) {
            return deployExecutor(index, config);
          }

          @Override
          public Future<Void> remove(int index) {
            return stopExecutor(index);
          }
        };
    return chain
        .compose(
            v ->
                vertx.deployVerticle(
                    new io.cloudburst.node.scaling.ExecutorAutoscaler(
                        options.nodeId(), options.scaling(), pool)))
        .mapEmpty();
  }

  private Future<Void> deployExecutor(
      int index, java.util.function.IntFunction<JsonObject> config) {
    JsonObject c = config.apply(index);
    if (options.scaling().enabled()) {
      // The autoscaler samples every 250 ms: reports once a second would blur a short window.
      c.put("statusIntervalMs", Math.clamp(options.scaling().windowMs() / 4, 100L, 1_000L));
    }
    return vertx
        .deployVerticle(new ExecutorVerticle(), new DeploymentOptions().setConfig(c))
        .map(
            id -> {
              executorDeployments.put(index, id);
              return null;
            });
  }

  /**
   * Stops one executor (as when it dies, or the autoscaler sheds it): it tells the scheduler it
   * leaves, and the calls it was running are run again elsewhere.
   */
  public Future<Void> stopExecutor(int index) {
    String id = executorDeployments.remove(index);
    return id == null
        ? Future.failedFuture(new IllegalArgumentException("no executor " + index))
        : vertx.undeploy(id);
  }

  /** The executors this node runs now (the autoscaler changes it between its bounds). */
  public int executorCount() {
    return executorDeployments.size();
  }

  /** The HTTP port the node serves. */
  public int httpPort() {
    return web.actualPort();
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The node's command line; see {@link NodeLauncher#main}. */
  public static void main(String[] args) throws InterruptedException {
    NodeLauncher.main(args);
  }
}
