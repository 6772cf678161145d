package io.cloudburst.web.impl;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.Keys;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.util.regex.Pattern;

/**
 * The SockJS event-bus bridge ({@code /eventbus}, vertx-web's bridge) with the public addresses of
 * {@link Bridges}: vertx-web checks the permitted addresses and the number of registrations; its
 * events tell {@link Bridges} who listens on what.
 */
final class SockJsBridge {
  private static final System.Logger log = System.getLogger(SockJsBridge.class.getName());

  private SockJsBridge() {}

  /** The bridge's router, to mount at {@link Bridges#SOCKJS_ROUTE}. */
  static Router router(Vertx vertx, Bridges bridges, long maxBodyBytes) {
    SockJSBridgeOptions bridgeOptions =
        new SockJSBridgeOptions()
            .setMaxAddressLength(Addresses.API_KEYS_PREFIX.length() + Keys.MAX_KEY_BYTES)
            .setMaxHandlersPerSocket(Bridges.MAX_LISTENS_PER_SOCKET)
            // A waiting invoke may take as long as over HTTP.
            .setReplyTimeout(Deadlines.frontWait(0, true));
    bridgeOptions.addInboundPermitted(new PermittedOptions().setAddress(Addresses.API_INVOKE));
    bridgeOptions.addOutboundPermitted(new PermittedOptions().setAddress(Addresses.API_CALLS));
    // (?s): a key may hold any character, line breaks too. The same sets as
    // Bridges.inbound/outboundPermitted.
    bridgeOptions.addOutboundPermitted(
        new PermittedOptions()
            .setAddressRegex("(?s)" + Pattern.quote(Addresses.API_RESULTS_PREFIX) + ".+"));
    bridgeOptions.addOutboundPermitted(
        new PermittedOptions()
            .setAddressRegex("(?s)" + Pattern.quote(Addresses.API_KEYS_PREFIX) + ".+"));
    Router sockJs =
        SockJSHandler.create(vertx, new SockJSHandlerOptions().setInsertJSESSIONID(false))
            .bridge(bridgeOptions, event -> onEvent(bridges, event));
    // Vert.x 5's XHR transports read a body that a BodyHandler collected; it lets WebSocket
    // upgrades through.
    sockJs.route().order(-1).handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes));
    return sockJs;
  }

  private static void onEvent(Bridges bridges, BridgeEvent event) {
    SockJSSocket socket = event.socket();
    try {
      JsonObject raw = event.getRawMessage();
      String address = raw == null ? null : raw.getValue("address") instanceof String s ? s : null;
      switch (event.type()) {
        // The bridge itself checks the permitted addresses and the number of registrations.
        case SOCKET_CREATED, SEND, PUBLISH, REGISTER ->
            event.tryComplete(bridges.authorized(socket, raw));
        case REGISTERED -> {
          event.tryComplete(true);
          if (address != null) {
            bridges.registered(socket, address);
          }
        }
        case UNREGISTER -> {
          // Also sent for each registration of a closing socket.
          event.tryComplete(true);
          if (address != null) {
            bridges.unregistered(socket, address);
          }
        }
        case SOCKET_CLOSED -> {
          event.tryComplete(true);
          bridges.socketClosed(socket);
        }
        // E.g. a WebSocket message over the server's size limit: Vert.x drops what it had
        // gathered and goes on with the rest of that message as if it were a new one, so the
        // socket is no longer in step with its client. Close it (1009: message too big) rather
        // than leave it half-dead; the client reconnects.
        case SOCKET_ERROR -> {
          event.tryComplete(true);
          socket.close(
              1009,
              "closed after an error: " + String.valueOf(raw == null ? "" : raw.getValue("body")));
        }
        default -> event.tryComplete(true);
      }
    } catch (RuntimeException e) {
      log.log(System.Logger.Level.WARNING, "SockJS bridge event " + event.type() + " failed", e);
      event.tryComplete(false);
    }
  }
}
