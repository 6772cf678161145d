package io.cloudburst.scheduler;

import io.vertx.core.json.JsonObject;

/**
 * Configuration of the scheduler verticle.
 *
 * @param nodeId this node's id
 * @param defaultTimeoutMs deadline of a call that names none
 * @param maxTimeoutMs the longest deadline a call may ask for
 * @param resultRetentionMs how long a finished result stays readable through GET /v1/results/{id}
 * @param maxResults how many results are kept at most (oldest dropped first)
 * @param executorStaleMs an executor silent for this long is no longer placed on
 * @param maxCallDepth nesting limit of calls made from inside functions
 * @param maxSourceBytes largest accepted function source
 * @param persistent keep the registry of functions and DAGs in the key-value store at {@link
 *     io.cloudburst.bus.Addresses#KVS}, loaded on start (which then fails when no store answers);
 *     false keeps it in memory only, lost when the verticle stops (tests, stateless schedulers)
 * @param kvsTimeoutMs how long a request to the key-value store may take
 * @param cacheReportStaleMs a node whose cache has not reported its keys for this long counts as
 *     caching nothing (caches report at least every few seconds)
 */
public record SchedulerOptions(
    String nodeId,
    long defaultTimeoutMs,
    long maxTimeoutMs,
    long resultRetentionMs,
    int maxResults,
    long executorStaleMs,
    int maxCallDepth,
    int maxSourceBytes,
    boolean persistent,
    long kvsTimeoutMs,
    long cacheReportStaleMs) {

  public static final String DEFAULT_NODE_ID = "local";
  public static final long DEFAULT_TIMEOUT_MS = io.cloudburst.bus.Deadlines.CALL_DEFAULT_MS;
  public static final long DEFAULT_MAX_TIMEOUT_MS = io.cloudburst.bus.Deadlines.CALL_MAX_MS;
  public static final long DEFAULT_RESULT_RETENTION_MS = 600_000;
  public static final int DEFAULT_MAX_RESULTS = 100_000;
  public static final long DEFAULT_EXECUTOR_STALE_MS = 5_000;
  public static final int DEFAULT_MAX_CALL_DEPTH = 16;
  public static final int DEFAULT_MAX_SOURCE_BYTES = 1 << 20;
  public static final boolean DEFAULT_PERSISTENT = true;
  public static final long DEFAULT_KVS_TIMEOUT_MS = 10_000;

  /** Three missed reports of a cache that reports every 5 s (the cache's default). */
  public static final long DEFAULT_CACHE_REPORT_STALE_MS = 15_000;

  public SchedulerOptions {
    require(nodeId != null && !nodeId.isBlank(), "nodeId");
    require(defaultTimeoutMs > 0, "defaultTimeoutMs");
    require(maxTimeoutMs >= defaultTimeoutMs, "maxTimeoutMs");
    require(resultRetentionMs > 0, "resultRetentionMs");
    require(maxResults > 0, "maxResults");
    require(executorStaleMs > 0, "executorStaleMs");
    require(maxCallDepth > 0, "maxCallDepth");
    require(maxSourceBytes > 0, "maxSourceBytes");
    require(kvsTimeoutMs > 0, "kvsTimeoutMs");
    require(cacheReportStaleMs > 0, "cacheReportStaleMs");
  }

  private static void require(boolean ok, String field) {
    if (!ok) {
      throw new IllegalArgumentException("invalid scheduler option: " + field);
    }
  }

  public static SchedulerOptions fromJson(JsonObject c) {
    return new SchedulerOptions(
        c.getString("nodeId", DEFAULT_NODE_ID),
        c.getLong("defaultTimeoutMs", DEFAULT_TIMEOUT_MS),
        c.getLong("maxTimeoutMs", DEFAULT_MAX_TIMEOUT_MS),
        c.getLong("resultRetentionMs", DEFAULT_RESULT_RETENTION_MS),
        c.getInteger("maxResults", DEFAULT_MAX_RESULTS),
        c.getLong("executorStaleMs", DEFAULT_EXECUTOR_STALE_MS),
        c.getInteger("maxCallDepth", DEFAULT_MAX_CALL_DEPTH),
        c.getInteger("maxSourceBytes", DEFAULT_MAX_SOURCE_BYTES),
        c.getBoolean("persistent", DEFAULT_PERSISTENT),
        c.getLong("kvsTimeoutMs", DEFAULT_KVS_TIMEOUT_MS),
        c.getLong("cacheReportStaleMs", DEFAULT_CACHE_REPORT_STALE_MS));
  }

  /** Clamps a requested deadline: 0 or less means the default. */
  public long deadline(long requestedMs) {
    return io.cloudburst.bus.Deadlines.callTimeout(requestedMs, defaultTimeoutMs, maxTimeoutMs);
  }
}
