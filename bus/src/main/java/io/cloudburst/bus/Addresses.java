package io.cloudburst.bus;

/** Every event-bus address of the project. Per-node addresses come from the helpers here only. */
public final class Addresses {
  private Addresses() {}

  /** Requests to the scheduler ({@link io.cloudburst.bus.msg.SchedulerRequest}). */
  public static final String SCHEDULER = "cloudburst.scheduler";

  /**
   * Executors announce themselves and their load here ({@link
   * io.cloudburst.bus.msg.ExecutorStatus}).
   */
  public static final String EXECUTOR_STATUS = "cloudburst.scheduler.executors";

  /** Published once per completed call ({@link io.cloudburst.bus.msg.CallResult}). */
  public static final String RESULTS = "cloudburst.results";

  /** Requests to the key-value store. */
  public static final String KVS = "cloudburst.kvs";

  /** Caches report the keys they hold here. */
  public static final String CACHE_REPORT = "cloudburst.scheduler.cache-report";

  /**
   * Node-local: {@link io.cloudburst.bus.msg.NodeEvent.NodeLeft}, published by the node in cluster
   * mode.
   */
  public static final String NODE_LEFT = "cloudburst.node.left";

  /**
   * Cluster-wide: {@link io.cloudburst.bus.msg.NodeEvent.RegistryChanged}, published by a
   * scheduler.
   */
  public static final String REGISTRY_CHANGED = "cloudburst.scheduler.registry-changed";

  /**
   * Node-local: {@link io.cloudburst.bus.msg.NodeEvent.ScalingDecision}s of the autoscaler and the
   * scheduler.
   */
  public static final String AUTOSCALE = "cloudburst.autoscale";

  /**
   * Cluster-wide (cluster mode): the owner of a key publishes its merged state ({@link
   * io.cloudburst.bus.msg.CacheEvent.Update}) after every change; each node's store forwards it to
   * the local subscribers of that key.
   */
  public static final String KVS_CHANGES = "cloudburst.kvs.changes";

  /** One node's scheduler (the cluster-wide {@link #SCHEDULER} is served by each node's own). */
  public static String scheduler(String nodeId) {
    return "cloudburst.scheduler." + nodeId;
  }

  /** Where executors report the steps of DAG calls started by a node's scheduler. */
  public static String dagEvents(String nodeId) {
    return "cloudburst.scheduler." + nodeId + ".dag-events";
  }

  /** The address of one executor verticle ({@link io.cloudburst.bus.msg.ExecutorRequest}). */
  public static String executor(String nodeId, int index) {
    return "cloudburst.executor." + nodeId + "." + index;
  }

  /** The address of one node's cache. */
  public static String cache(String nodeId) {
    return "cloudburst.cache." + nodeId;
  }

  /** Where the KVS pushes merged updates of keys a node's cache holds. */
  public static String cacheUpdates(String nodeId) {
    return "cloudburst.cache." + nodeId + ".updates";
  }

  // ---- the public addresses of the SockJS and TCP event-bus bridges (README, "Event-bus bridges")
  // ----

  /**
   * Bridge clients send {@code {"function"|"dag", "args", ...}} here; the reply is the call's
   * result JSON.
   */
  public static final String API_INVOKE = "cloudburst.api.invoke";

  /** A small JSON summary of every finished call on this node (the dashboard's live view). */
  public static final String API_CALLS = "cloudburst.api.calls";

  /** Prefix of {@link #apiResults}. */
  public static final String API_RESULTS_PREFIX = "cloudburst.api.results.";

  /** Prefix of {@link #apiKeys}. */
  public static final String API_KEYS_PREFIX = "cloudburst.api.keys.";

  /** Where a bridge client listens for the result JSON of one call. */
  public static String apiResults(String callId) {
    return API_RESULTS_PREFIX + callId;
  }

  /**
   * Where a bridge client listens for {@code {"key", "lattice", "value"}} each time a key's merged
   * value changes.
   */
  public static String apiKeys(String key) {
    return API_KEYS_PREFIX + key;
  }
}
