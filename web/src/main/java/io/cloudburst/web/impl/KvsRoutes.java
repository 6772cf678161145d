package io.cloudburst.web.impl;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.Keys;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LatticeKind;
import io.cloudburst.bus.msg.CacheRequest;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.value.Values;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * {@code /v1/kvs/{key}}: put, get and delete through this node's cache.
 *
 * <p>A key is the whole rest of the path, percent-decoded, so keys that hold {@code '/'} work sent
 * literally ({@code /v1/kvs/users/alice}) or encoded ({@code /v1/kvs/users%2Falice}, as the Python
 * client sends them). Other reserved characters ({@code '?'}, {@code '#'}, {@code '%'}) must be
 * percent-encoded. The path is normalized before routing, so a key made of or holding the dot
 * segments {@code .} or {@code ..} between literal slashes cannot be addressed. A key whose
 * percent-escapes do not decode to UTF-8 is BAD_REQUEST.
 */
public final class KvsRoutes {
  /**
   * A key-value route: the key is everything after the prefix (empty keys reach the handler and get
   * BAD_REQUEST).
   */
  public static final String ROUTE = "/v1/kvs/(?<key>.*)";

  private static final String PREFIX = "/v1/kvs/";

  private final Vertx vertx;
  private final String cacheAddress;
  private final long timeoutMs;

  public KvsRoutes(Vertx vertx, String nodeId, long timeoutMs) {
    this.vertx = vertx;
    this.cacheAddress = Addresses.cache(nodeId);
    this.timeoutMs = timeoutMs;
  }

  public void mount(Router router) {
    router.routeWithRegex(HttpMethod.PUT, ROUTE).handler(this::put);
    router.routeWithRegex(HttpMethod.GET, ROUTE).handler(this::get);
    router.routeWithRegex(HttpMethod.DELETE, ROUTE).handler(this::delete);
  }

  private void put(RoutingContext ctx) {
    String key = key(ctx);
    JsonObject b = Requests.body(ctx, false);
    String lattice = Requests.string(b, "lattice", false);
    // Null lets the cache use the key's own kind (lww for a new key), as the user library's put
    // does.
    LatticeKind kind = lattice == null ? null : LatticeKind.parse(lattice);
    Object value = Values.fromJson(Requests.finite(Requests.present(b, "value"), "value"));
    Responses.noContent(
        ctx, cache(new CacheRequest.PutValue(key, kind, value), KvsReply.Stored.class));
  }

  private void get(RoutingContext ctx) {
    String key = key(ctx);
    Responses.respond(
        ctx,
        cache(new CacheRequest.Get(key), KvsReply.Found.class),
        200,
        found -> {
          Lattice l = found.lattice();
          if (l == null) {
            throw CloudburstException.notFound(ErrorCode.KEY_NOT_FOUND, "no key '" + key + "'");
          }
          return ApiJson.key(key, l);
        });
  }

  private void delete(RoutingContext ctx) {
    // Deleting an absent key is a success too (KvsReply.Deleted says whether it existed).
    Responses.noContent(ctx, cache(new CacheRequest.Delete(key(ctx)), KvsReply.Deleted.class));
  }

  /**
   * The decoded key of a {@link #ROUTE} request, validated as a user key. Decoded here, strictly,
   * from the normalized path the route matched (which keeps reserved characters such as {@code %2F}
   * encoded): vertx-web's own decoding of the path parameter turns bytes that are not UTF-8 into
   * U+FFFD, so {@code %ff} and {@code %fe} would name the same key.
   */
  private static String key(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    return Keys.requireUserKey(
        path.startsWith(PREFIX) ? decode(path.substring(PREFIX.length())) : ctx.pathParam("key"));
  }

  /**
   * Percent-decodes {@code raw} ({@code '+'} stays itself, as in a path); BAD_REQUEST when an
   * escape is malformed or the decoded bytes are not UTF-8.
   */
  static String decode(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    StringBuilder out = new StringBuilder(raw.length());
    ByteBuffer bytes = ByteBuffer.allocate(raw.length() / 3);
    int i = 0;
    while (i < raw.length()) {
      char c = raw.charAt(i);
      if (c != '%') {
        out.append(c);
        i++;
        continue;
      }
      bytes.clear();
      while (i < raw.length() && raw.charAt(i) == '%') {
        int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
        int lo = hi < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
        if (lo < 0) {
          throw CloudburstException.badRequest(
              "the key has a malformed percent-escape at '"
                  + raw.substring(i, Math.min(i + 3, raw.length()))
                  + "'");
        }
        bytes.put((byte) (hi << 4 | lo));
        i += 3;
      }
      bytes.flip();
      try {
        out.append(
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(bytes));
      } catch (CharacterCodingException e) {
        throw CloudburstException.badRequest("the key is not valid UTF-8 once percent-decoded");
      }
    }
    return out.toString();
  }

  private <T extends KvsReply> Future<T> cache(CacheRequest req, Class<T> reply) {
    return vertx
        .eventBus()
        .<KvsReply>request(cacheAddress, req, new DeliveryOptions().setSendTimeout(timeoutMs))
        .map(m -> reply.cast(m.body()));
  }
}
