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
 * @param auth whether requests need the API token: {@code "on"}, {@code "off"} or {@code "auto"}
 *     (on when a token is configured or {@code host} is not a loopback address), see {@link
 *     #authEnabled()}
 * @param token the API token, or null to use the one stored in {@code tokenFile} (generated there
 *     on first start)
 * @param tokenFile where a generated token is kept across starts (the node's {@code data/token}),
 *     or null to generate a fresh token at every start
 * @param tcpBridgePort the port of the TCP event-bus bridge on {@code host}, or -1 for none
 * @param metricsRegistry the name of the Micrometer registry this Vert.x instance's metrics write
 *     to ({@code MicrometerMetricsOptions.setRegistryName}), which {@code /metrics} serves with the
 *     node's own series added; null (or a registry that is not Prometheus) serves the node's series
 *     alone from a private registry
 */
public record WebOptions(
    String host,
    int port,
    long maxBodyBytes,
    String nodeId,
    String runtimeMode,
    long kvsTimeoutMs,
    String auth,
    String token,
    String tokenFile,
    int tcpBridgePort,
    String metricsRegistry) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final long DEFAULT_MAX_BODY_BYTES = 4L << 20;
  public static final long DEFAULT_KVS_TIMEOUT_MS = 15_000;
  public static final String DEFAULT_AUTH = "auto";

  /** No TCP event-bus bridge. */
  public static final int TCP_BRIDGE_OFF = -1;

  public WebOptions {
    if (tcpBridgePort != TCP_BRIDGE_OFF && (tcpBridgePort < 1 || tcpBridgePort > 65535)) {
      throw new IllegalArgumentException(
          "invalid web option: tcpBridgePort must be -1 (off) or 1-65535, not " + tcpBridgePort);
    }
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
    if (auth == null || !java.util.Set.of("on", "off", "auto").contains(auth)) {
      throw new IllegalArgumentException(
          "invalid web option: auth must be on, off or auto, not '" + auth + "'");
    }
    if (token != null
        && (token.isBlank() || token.length() > 1024 || !token.matches("\\p{Graph}+"))) {
      throw new IllegalArgumentException(
          "invalid web option: token must be 1-1024 visible ASCII characters");
    }
    if (token != null && auth.equals("off")) {
      throw new IllegalArgumentException(
          "invalid web option: a token is configured but auth is off");
    }
  }

  /**
   * Whether requests need the token: {@code auth} on, or auto and either a token is configured or
   * the node listens on something else than loopback.
   */
  public boolean authEnabled() {
    return switch (auth) {
      case "on" -> true;
      case "off" -> false;
      default -> token != null || !isLoopback(host);
    };
  }

  /**
   * Whether {@code host} is a loopback address: {@code localhost}, {@code 127.0.0.0/8} or {@code
   * ::1}. Decided on the literal, with no name lookup; any other name counts as reachable from
   * outside.
   */
  public static boolean isLoopback(String host) {
    String h = host.trim();
    if (h.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (!h.matches("[0-9.]+") && !h.contains(":")) {
      return false; // a host name: InetAddress.ofLiteral would reject it anyway
    }
    try {
      return java.net.InetAddress.ofLiteral(h).isLoopbackAddress();
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public static WebOptions fromJson(JsonObject c) {
    return new WebOptions(
        c.getString("host", DEFAULT_HOST),
        c.getInteger("port", DEFAULT_PORT),
        c.getLong("maxBodyBytes", DEFAULT_MAX_BODY_BYTES),
        c.getString("nodeId", "local"),
        c.getString("runtimeMode", "interpreted"),
        c.getLong("kvsTimeoutMs", DEFAULT_KVS_TIMEOUT_MS),
        c.getString("auth", DEFAULT_AUTH),
        c.getString("token"),
        c.getString("tokenFile"),
        c.getInteger("tcpBridgePort", TCP_BRIDGE_OFF),
        c.getString("metricsRegistry"));
  }
}
