package io.cloudburst.web;

import io.vertx.core.json.JsonObject;

/**
 * Configuration of the web front.
 *
 * @param host the address to listen on
 * @param port the HTTP port (0 picks a free one)
 * @param maxBodyBytes largest accepted request body; larger ones get PAYLOAD_TOO_LARGE
 * @param nodeId this node's id, shown by /health; the key-value API talks to this node's cache
 * @param runtimeMode the executors' runtime mode, shown by /health
 * @param kvsTimeoutMs how long a key-value request to this node's cache may take before it fails
 *     with TIMEOUT; longer than the cache's own timeout towards the store, so the cache's answer
 *     (or its TIMEOUT) normally arrives first
 */
public record WebOptions(String host, int port, long maxBodyBytes, String nodeId, String runtimeMode, long kvsTimeoutMs) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final long DEFAULT_MAX_BODY_BYTES = 4L << 20;
  public static final long DEFAULT_KVS_TIMEOUT_MS = 15_000;

  public WebOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("invalid web option: host");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("invalid web option: port " + port);
    }
    if (maxBodyBytes <= 0) {
      throw new IllegalArgumentException("invalid web option: maxBodyBytes");
    }
    if (kvsTimeoutMs <= 0) {
      throw new IllegalArgumentException("invalid web option: kvsTimeoutMs");
    }
  }

  public static WebOptions fromJson(JsonObject c) {
    return new WebOptions(
        c.getString("host", DEFAULT_HOST),
        c.getInteger("port", DEFAULT_PORT),
        c.getLong("maxBodyBytes", DEFAULT_MAX_BODY_BYTES),
        c.getString("nodeId", "local"),
        c.getString("runtimeMode", "interpreted"),
        c.getLong("kvsTimeoutMs", DEFAULT_KVS_TIMEOUT_MS));
  }
}
