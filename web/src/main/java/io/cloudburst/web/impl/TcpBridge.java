package io.cloudburst.web.impl;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.util.HashMap;
import java.util.Map;

/**
 * The TCP event-bus bridge: the wire protocol of Vert.x's {@code vertx-tcp-eventbus-bridge}, so its
 * clients work unchanged, served by this small implementation because the library's (5.0.8) wedges
 * a connection on one frame with an unknown or missing {@code type} (its frame parser throws, then
 * reads the JSON as the next length and buffers without bound) and drops a frame that is not JSON
 * without a word.
 *
 * <p>A frame is a 4-byte big-endian length, then that many bytes of UTF-8 JSON. Up: {@code {"type":
 * "send" | "publish" | "register" | "unregister" | "ping", "address", "replyAddress"?, "headers"?,
 * "body"?}}. Down: {@code {"type": "message", "address", "send", "body"}} for a message on a
 * registered address or a reply (then at the {@code replyAddress}); {@code {"type": "err",
 * "address", "failureCode", "failureType", "message"}} for a failed request; {@code {"type": "err",
 * "message": reason}} for a refused frame, with reasons {@code invalid_json}, {@code missing_type},
 * {@code missing_address}, {@code unknown_type}, {@code access_denied}, {@code unauthorized},
 * {@code address_already_registered}, {@code max_handlers_reached}, {@code unknown_address}, and
 * {@code frame_too_large} (after which the connection closes: the stream cannot be trusted any
 * more); {@code {"type": "pong"}} for a ping. Every other refused frame leaves the connection
 * usable.
 */
final class TcpBridge {
  private static final System.Logger log = System.getLogger(TcpBridge.class.getName());

  private final Vertx vertx;
  private final Bridges bridges;
  private final long maxFrameBytes;
  private final long replyTimeoutMs;
  private NetServer server;

  TcpBridge(Vertx vertx, Bridges bridges, long maxFrameBytes, long replyTimeoutMs) {
    this.vertx = vertx;
    this.bridges = bridges;
    this.maxFrameBytes = maxFrameBytes;
    this.replyTimeoutMs = replyTimeoutMs;
  }

  Future<NetServer> listen(String host, int port) {
    server = vertx.createNetServer(new NetServerOptions().setHost(host).setPort(port));
    return server.connectHandler(this::connected).listen();
  }

  Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** Writes one frame. */
  static void write(NetSocket socket, JsonObject frame) {
    Buffer json = frame.toBuffer();
    socket.write(Buffer.buffer(4 + json.length()).appendInt(json.length()).appendBuffer(json));
  }

  private static void refuse(NetSocket socket, String reason) {
    write(socket, new JsonObject().put("type", "err").put("message", reason));
  }

  private void connected(NetSocket socket) {
    new Connection(socket).start();
  }

  /** One client: its registrations, and a parser that alternates between a length and a frame. */
  private final class Connection {
    private final NetSocket socket;
    private final Map<String, MessageConsumer<Object>> registrations = new HashMap<>();
    private final RecordParser parser = RecordParser.newFixed(4);
    private boolean readingLength = true;
    private boolean closed;

    Connection(NetSocket socket) {
      this.socket = socket;
    }

    void start() {
      parser.handler(this::record);
      socket.handler(parser);
      socket.exceptionHandler(
          t -> {
            log.log(System.Logger.Level.DEBUG, "TCP bridge connection failed: " + t);
            socket.close();
          });
      socket.closeHandler(
          v -> {
            closed = true;
            registrations.values().forEach(MessageConsumer::unregister);
            registrations.clear();
            bridges.socketClosed(socket);
          });
    }

    private void record(Buffer b) {
      if (closed) {
        return;
      }
      if (!readingLength) {
        readingLength = true;
        parser.fixedSizeMode(4);
        frame(b);
        return;
      }
      int length = b.getInt(0);
      if (length <= 0 || length > maxFrameBytes) {
        if (length == 0) {
          refuse(socket, "invalid_json");
          return;
        }
        refuse(socket, "frame_too_large");
        closed = true;
        socket.close();
        return;
      }
      readingLength = false;
      parser.fixedSizeMode(length);
    }

    private void frame(Buffer b) {
      JsonObject frame;
      try {
        if (!(Json.decodeValue(b) instanceof JsonObject o)) {
          refuse(socket, "invalid_json");
          return;
        }
        frame = o;
      } catch (DecodeException e) {
        refuse(socket, "invalid_json");
        return;
      }
      if (!(frame.getValue("type") instanceof String type)) {
        refuse(socket, "missing_type");
        return;
      }
      if (type.equals("ping")) {
        write(socket, new JsonObject().put("type", "pong"));
        return;
      }
      if (!(frame.getValue("address") instanceof String address) || address.isEmpty()) {
        refuse(socket, "missing_address");
        return;
      }
      switch (type) {
        case "send", "publish" -> sendOrPublish(frame, address, type.equals("send"));
        case "register" -> register(frame, address);
        case "unregister" -> unregister(address);
        default -> refuse(socket, "unknown_type");
      }
    }

    private void sendOrPublish(JsonObject frame, String address, boolean send) {
      if (!Bridges.inboundPermitted(address)) {
        refuse(socket, "access_denied");
        return;
      }
      if (!bridges.authorized(socket, frame)) {
        refuse(socket, "unauthorized");
        return;
      }
      Object body = frame.getValue("body");
      if (!send) {
        vertx.eventBus().publish(address, body);
        return;
      }
      if (!(frame.getValue("replyAddress") instanceof String replyAddress)) {
        vertx.eventBus().send(address, body);
        return;
      }
      vertx
          .eventBus()
          .request(address, body, new DeliveryOptions().setSendTimeout(replyTimeoutMs))
          .onSuccess(
              reply ->
                  write(
                      socket,
                      new JsonObject()
                          .put("type", "message")
                          .put("address", replyAddress)
                          .put("send", true)
                          .put("body", reply.body())))
          .onFailure(
              t -> {
                JsonObject err =
                    new JsonObject()
                        .put("type", "err")
                        .put("address", replyAddress)
                        .put("message", t.getMessage());
                if (t instanceof ReplyException re) {
                  err.put("failureCode", re.failureCode())
                      .put("failureType", re.failureType().name());
                }
                write(socket, err);
              });
    }

    private void register(JsonObject frame, String address) {
      if (!Bridges.outboundPermitted(address)) {
        refuse(socket, "access_denied");
        return;
      }
      if (!bridges.authorized(socket, frame)) {
        refuse(socket, "unauthorized");
        return;
      }
      if (registrations.containsKey(address)) {
        refuse(socket, "address_already_registered");
        return;
      }
      if (registrations.size() >= Bridges.MAX_LISTENS_PER_SOCKET) {
        refuse(socket, "max_handlers_reached");
        return;
      }
      MessageConsumer<Object> consumer =
          vertx
              .eventBus()
              .consumer(
                  address,
                  m ->
                      write(
                          socket,
                          new JsonObject()
                              .put("type", "message")
                              .put("address", address)
                              .put("send", m.isSend())
                              .put("body", m.body())));
      registrations.put(address, consumer);
      consumer
          .completion()
          .onSuccess(
              v -> {
                if (!closed && registrations.get(address) == consumer) {
                  bridges.registered(socket, address);
                }
              });
    }

    private void unregister(String address) {
      MessageConsumer<Object> consumer = registrations.remove(address);
      if (consumer == null) {
        refuse(socket, "unknown_address");
        return;
      }
      consumer.unregister();
      bridges.unregistered(socket, address);
    }
  }
}
