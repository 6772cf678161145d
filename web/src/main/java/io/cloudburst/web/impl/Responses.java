package io.cloudburst.web.impl;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/**
 * How the routes answer: a JSON body with a status, or 204, once a future completes; any failure
 * (of the future or of the mapper) goes to {@link HttpErrors#send}. A response the client has
 * already closed is left alone.
 */
public final class Responses {
  static final String JSON = "application/json";

  private Responses() {}

  /** Answers {@code mapper(result)} with {@code status}, or the error. */
  public static <T> void respond(
      RoutingContext ctx, Future<T> f, int status, Function<? super T, ?> mapper) {
    f.<Object>map(mapper::apply)
        .onSuccess(body -> json(ctx, status, body))
        .onFailure(t -> HttpErrors.send(ctx, t));
  }

  /** Answers 204 once {@code f} succeeds, or the error. */
  public static void noContent(RoutingContext ctx, Future<?> f) {
    f.onSuccess(
            v -> {
              if (!ctx.response().ended() && !ctx.response().closed()) {
                ctx.response().setStatusCode(204).end();
              }
            })
        .onFailure(t -> HttpErrors.send(ctx, t));
  }

  /** Answers a {@link JsonObject} or {@link JsonArray} with {@code status}. */
  public static void json(RoutingContext ctx, int status, Object body) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    String text = body instanceof JsonObject o ? o.encode() : ((JsonArray) body).encode();
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(text);
  }
}
