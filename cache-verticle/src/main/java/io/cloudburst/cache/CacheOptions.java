package io.cloudburst.cache;

import io.vertx.core.json.JsonObject;

/**
 * Configuration of a node's cache verticle.
 *
 * @param nodeId the node whose cache this is (its address is {@code Addresses.cache(nodeId)})
 * @param maxBytes the bound on the bytes of cached entries (encoded lattice, key and bookkeeping)
 * @param kvsTimeoutMs how long a request to the store may take before it fails with TIMEOUT
 * @param reportIntervalMs the shortest time between two key reports sent because the key set
 *     changed
 * @param fullReportIntervalMs a report is sent at least this often, changed or not
 */
public record CacheOptions(
    String nodeId,
    long maxBytes,
    long kvsTimeoutMs,
    long reportIntervalMs,
    long fullReportIntervalMs) {

  public static final String DEFAULT_NODE_ID = "local";
  public static final long DEFAULT_MAX_BYTES = 64L << 20;
  public static final long DEFAULT_KVS_TIMEOUT_MS = 10_000;
  public static final long DEFAULT_REPORT_INTERVAL_MS = 100;
  public static final long DEFAULT_FULL_REPORT_INTERVAL_MS = 5_000;

  public CacheOptions {
    require(nodeId != null && !nodeId.isBlank(), "nodeId");
    require(maxBytes > 0, "maxBytes");
    require(kvsTimeoutMs > 0, "kvsTimeoutMs");
    require(reportIntervalMs > 0, "reportIntervalMs");
    require(fullReportIntervalMs >= reportIntervalMs, "fullReportIntervalMs");
  }

  private static void require(boolean ok, String field) {
    if (!ok) {
      throw new IllegalArgumentException("invalid cache option: " + field);
    }
  }

  public static CacheOptions fromJson(JsonObject c) {
    return new CacheOptions(
        c.getString("nodeId", DEFAULT_NODE_ID),
        c.getLong("maxBytes", DEFAULT_MAX_BYTES),
        c.getLong("kvsTimeoutMs", DEFAULT_KVS_TIMEOUT_MS),
        c.getLong("reportIntervalMs", DEFAULT_REPORT_INTERVAL_MS),
        c.getLong("fullReportIntervalMs", DEFAULT_FULL_REPORT_INTERVAL_MS));
  }
}
