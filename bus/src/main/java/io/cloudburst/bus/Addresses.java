package io.cloudburst.bus;

/** Every event-bus address of the project. Per-node addresses come from the helpers here only. */
public final class Addresses {
  private Addresses() {}

  /** Requests to the scheduler ({@link io.cloudburst.bus.msg.SchedulerRequest}). */
  public static final String SCHEDULER = "cloudburst.scheduler";
  /** Executors announce themselves and their load here ({@link io.cloudburst.bus.msg.ExecutorStatus}). */
  public static final String EXECUTOR_STATUS = "cloudburst.scheduler.executors";
  /** Published once per completed call ({@link io.cloudburst.bus.msg.CallResult}). */
  public static final String RESULTS = "cloudburst.results";
  /** Requests to the key-value store. */
  public static final String KVS = "cloudburst.kvs";
  /** Caches report the keys they hold here. */
  public static final String CACHE_REPORT = "cloudburst.scheduler.cache-report";

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
}
