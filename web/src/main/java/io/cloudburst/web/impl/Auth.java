package io.cloudburst.web.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The API token check of the web front. When enabled, every request but {@code GET /health} must
 * present the token, as {@code Authorization: Bearer <token>} or, for browsers and WebSocket
 * clients that cannot set headers, as the query parameter {@code token}; anything else is answered
 * 401 UNAUTHORIZED. {@code /metrics} and {@code /v1/openapi.json} are protected too.
 *
 * <p>Immutable, so the event-bus bridges may share the instance of their web verticle: a bridge
 * calls {@link #allowed(String)} with what its client presented (e.g. a {@code token} header of a
 * bridge message, or the query parameter of the SockJS handshake through {@link
 * #presented(HttpServerRequest)}).
 */
public final class Auth {
  /** The query parameter that may carry the token. */
  public static final String QUERY_PARAM = "token";

  /** The cookie that carries the token for a browser once it came with a right {@code ?token=}. */
  public static final String COOKIE = "cloudburst_token";

  private static final Auth DISABLED = new Auth(null);

  /**
   * SHA-256 of the token, so that comparing takes the same time whatever the presented length; null
   * when disabled.
   */
  private final byte[] tokenHash;

  private Auth(byte[] tokenHash) {
    this.tokenHash = tokenHash;
  }

  /** No check: every request is allowed. */
  public static Auth disabled() {
    return DISABLED;
  }

  /** Requests must present {@code token}. */
  public static Auth requiring(String token) {
    if (token == null || token.isEmpty()) {
      throw new IllegalArgumentException("an API token must not be empty");
    }
    return new Auth(sha256(token));
  }

  public boolean enabled() {
    return tokenHash != null;
  }

  /**
   * Whether a client that presented {@code presented} (null when it presented nothing) may go on:
   * always when disabled, else only for the exact token, compared in constant time.
   */
  public boolean allowed(String presented) {
    if (tokenHash == null) {
      return true;
    }
    // Hash even a missing token, so a miss costs the same as a wrong one.
    return MessageDigest.isEqual(tokenHash, sha256(presented == null ? "" : presented))
        && presented != null;
  }

  /**
   * The token a request presents: the Bearer credentials of its Authorization header, else its
   * {@code token} query parameter, else the {@link #COOKIE} cookie (set when a browser first came
   * with a right {@code ?token=}, so the dashboard's own scripts and styles load).
   */
  public static String presented(HttpServerRequest req) {
    String header = req.getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    String query = req.getParam(QUERY_PARAM);
    if (query != null) {
      return query;
    }
    io.vertx.core.http.Cookie cookie = req.getCookie(COOKIE);
    return cookie == null ? null : cookie.getValue();
  }

  /** Whether the request may pass: {@code GET /health} always, anything else with the token. */
  public boolean admits(HttpServerRequest req) {
    if (tokenHash == null || (req.method() == HttpMethod.GET && "/health".equals(req.path()))) {
      return true;
    }
    return allowed(presented(req));
  }

  /**
   * A route handler: lets allowed requests on, fails the others with 401 UNAUTHORIZED (the router's
   * failure handler writes the JSON error). Installed first, so it guards the WebSocket upgrade of
   * {@code /v1/futures} too: a refused upgrade is a plain 401 response.
   */
  public void handle(RoutingContext ctx) {
    if (admits(ctx.request())) {
      String query = tokenHash == null ? null : ctx.request().getParam(QUERY_PARAM);
      if (query != null) {
        // Strict same-site and script-proof: sent only by pages of this node, never readable by
        // them.
        ctx.response()
            .addCookie(
                io.vertx.core.http.Cookie.cookie(COOKIE, query)
                    .setPath("/")
                    .setHttpOnly(true)
                    .setSameSite(io.vertx.core.http.CookieSameSite.STRICT));
      }
      ctx.next();
      return;
    }
    boolean missing = presented(ctx.request()) == null;
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"cloudburst\"");
    ctx.fail(
        401,
        CloudburstException.of(
            ErrorCode.UNAUTHORIZED,
            missing
                ? "this node requires an API token: send 'Authorization: Bearer <token>' (or ?token=<token>)"
                : "wrong API token"));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
