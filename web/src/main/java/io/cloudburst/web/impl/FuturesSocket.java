package io.cloudburst.web.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.client.CloudburstClient;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The WebSocket {@code /v1/futures}: a client sends {@code {"subscribe": "<call id>"}} and gets the
 * call's result JSON once it has finished (at once if it already has); a bad frame or an unknown id
 * gets {@code {"id"?, "status": "failed"?, "error"}}. Confined to the web verticle's event loop.
 */
public final class FuturesSocket {
  private final CloudburstClient client;
  private final FutureSubscriptions subscriptions = new FutureSubscriptions();

  public FuturesSocket(CloudburstClient client) {
    this.client = client;
  }

  /** The route handler of the upgrade request; mount it before any body handler. */
  public void handle(RoutingContext ctx) {
    ctx.request()
        .toWebSocket()
        .onSuccess(
            ws -> {
              ws.textMessageHandler(text -> onText(ws, text));
              ws.closeHandler(v -> subscriptions.closed(ws));
              ws.exceptionHandler(t -> subscriptions.closed(ws));
            })
        .onFailure(
            t ->
                HttpErrors.send(
                    ctx,
                    CloudburstException.badRequest("WebSocket upgrade failed: " + t.getMessage()),
                    400));
  }

  /** A call finished: tell the sockets that wait on it. */
  public void onResult(CallResult r) {
    subscriptions.complete(r);
  }

  private void onText(ServerWebSocket ws, String text) {
    String id;
    try {
      JsonObject o = new JsonObject(text);
      Object sub = o.getValue("subscribe");
      if (!(sub instanceof String s) || s.isEmpty()) {
        sendError(ws, null, CloudburstException.badRequest("send {\"subscribe\": \"<call id>\"}"));
        return;
      }
      id = s;
    } catch (DecodeException | ClassCastException e) {
      sendError(ws, null, CloudburstException.badRequest("malformed JSON frame"));
      return;
    }
    if (!subscriptions.add(id, ws)) {
      sendError(
          ws,
          id,
          CloudburstException.of(
              ErrorCode.PAYLOAD_TOO_LARGE,
              "this socket already waits on " + FutureSubscriptions.MAX_PER_SOCKET + " calls"));
      return;
    }
    // Interest is registered before asking, so a completion in between is not lost.
    client
        .request(new SchedulerRequest.GetResult(id), Deadlines.REQUEST_MS)
        .onSuccess(
            r -> {
              if (((CallResult) r).isFinished()) {
                subscriptions.complete((CallResult) r);
              }
            })
        .onFailure(
            t -> {
              if (subscriptions.remove(id, ws)) {
                sendError(ws, id, CloudburstException.from(t));
              }
            });
  }

  private static void sendError(ServerWebSocket ws, String id, CloudburstException e) {
    if (ws.isClosed()) {
      return;
    }
    JsonObject o = new JsonObject();
    if (id != null) {
      o.put("id", id).put("status", "failed");
    }
    ws.writeTextMessage(o.put("error", e.toJson()).encode());
  }
}
