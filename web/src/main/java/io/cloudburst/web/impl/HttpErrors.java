package io.cloudburst.web.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.Keys;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The one place that turns a failure into the API's error answer: {@code {"error": {"code",
 * "message"}}} with the code's HTTP status. A {@link CloudburstException} keeps its code, a bus
 * {@link io.vertx.core.eventbus.ReplyException} gets the code the far side failed with (TIMEOUT and
 * NO_RESOURCES when the bus itself gave up), a {@link DecodeException} is BAD_REQUEST, anything
 * else INTERNAL (and logged).
 */
public final class HttpErrors {
  private static final System.Logger log = System.getLogger(HttpErrors.class.getName());

  private HttpErrors() {}

  /** The coded error of any failure that reaches a route. */
  public static CloudburstException of(Throwable t) {
    if (t instanceof DecodeException d) {
      return CloudburstException.badRequest("malformed JSON: " + firstLine(d.getMessage()));
    }
    return CloudburstException.from(t);
  }

  /** The error body of the API. */
  public static JsonObject body(CloudburstException e) {
    return new JsonObject().put("error", e.toJson());
  }

  /**
   * The code of a bare HTTP status that a handler of vertx-web set without an exception (e.g. the
   * body handler's 413, the auth check's 401).
   */
  public static ErrorCode codeOfStatus(int status) {
    return switch (status) {
      case 413, 414, 431 -> ErrorCode.PAYLOAD_TOO_LARGE;
      case 401 -> ErrorCode.UNAUTHORIZED;
      default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.BAD_REQUEST;
    };
  }

  /**
   * Answers {@code t} as an API error with its code's status; INTERNAL ones are logged with the
   * request.
   */
  public static void send(RoutingContext ctx, Throwable t) {
    CloudburstException e = of(t);
    if (e.code() == ErrorCode.INTERNAL) {
      log.log(
          System.Logger.Level.ERROR,
          "request " + ctx.request().method() + " " + ctx.request().path() + " failed",
          t);
    }
    send(ctx, e, e.code().httpStatus());
  }

  /**
   * Answers {@code e} with {@code status} (for the few answers whose status is not the code's own).
   */
  public static void send(RoutingContext ctx, CloudburstException e, int status) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, Responses.JSON)
        .end(body(e).encode());
  }

  /** The router's failure handler: a thrown failure, or a bare status some handler failed with. */
  public static void failure(RoutingContext ctx) {
    Throwable t = ctx.failure();
    if (t != null) {
      send(ctx, t);
      return;
    }
    int status = ctx.statusCode();
    send(
        ctx,
        CloudburstException.of(codeOfStatus(status), "request failed with HTTP " + status),
        status);
  }

  /**
   * The HTTP server's handler of requests it could not decode: a request line over the server's
   * limit ({@code maxLineBytes}) is 414 and headers over theirs 431, both with the
   * PAYLOAD_TOO_LARGE error body (the router never sees these requests); anything else gets
   * Vert.x's own answer.
   */
  public static Handler<HttpServerRequest> invalidRequests(int maxLineBytes) {
    return request -> {
      Throwable cause = request.decoderResult() == null ? null : request.decoderResult().cause();
      int status;
      String message;
      if (cause instanceof TooLongHttpLineException) {
        status = 414;
        message =
            "the request line is longer than "
                + maxLineBytes
                + " bytes (a key may have at most "
                + Keys.MAX_KEY_BYTES
                + " bytes)";
      } else if (cause instanceof TooLongHttpHeaderException) {
        status = 431;
        message = "the request headers are too large";
      } else {
        HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(request);
        return;
      }
      // The connection's stream cannot be trusted past an undecodable request: close it.
      request
          .response()
          .setStatusCode(status)
          .putHeader(HttpHeaders.CONTENT_TYPE, Responses.JSON)
          .putHeader(HttpHeaders.CONNECTION, "close")
          .end(body(CloudburstException.tooLarge(message)).encode());
    };
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int i = s.indexOf('\n');
    return i < 0 ? s : s.substring(0, i);
  }
}
