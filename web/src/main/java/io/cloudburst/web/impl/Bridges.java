package io.cloudburst.web.impl;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.client.CloudburstClient;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.cloudburst.web.WebOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Supplier;

/**
 * The event-bus bridges of the web front ({@link SockJsBridge} at {@code /eventbus}, {@link
 * TcpBridge}) and what stands behind their public addresses. Both bridges let through only these
 * (README, "Event-bus bridges"); the internal typed addresses never reach a bridge:
 *
 * <ul>
 *   <li>{@link Addresses#API_INVOKE} (inbound, send with a reply address): {@code {"function",
 *       "args": [...]}} or {@code {"dag", "args": {fn: [...]}, "consistency"?}}, plus {@code
 *       "wait"?}, {@code "timeout_ms"?} and the other fields of the HTTP invoke calls ({@link
 *       InvokeRequests}); the reply is the call's result JSON of the API, or {@code {"status":
 *       "failed", "error": {"code", "message"}}} for a request that could not start.
 *   <li>{@link Addresses#apiResults} (outbound): the result JSON of one call, once, when it has
 *       finished (at once if it already has; an unknown id gets a RESULT_NOT_FOUND error body).
 *   <li>{@link Addresses#apiKeys} (outbound): the key's state on register and on each change
 *       ({@link KeyWatches}).
 *   <li>{@link Addresses#API_CALLS} (outbound): a small summary of every finished call of this node
 *       ({@link ApiJson#callSummary}); the last {@link #RECENT_CALLS} are sent on register.
 * </ul>
 *
 * <p>Confined to the web verticle's event loop: the bridges' event hooks, the consumers and the
 * replies all run there.
 */
public final class Bridges {
  private static final System.Logger log = System.getLogger(Bridges.class.getName());

  /** Where the SockJS bridge is mounted. */
  public static final String SOCKJS_ROUTE = "/eventbus/*";

  /** Most bridge addresses one socket may listen on. */
  public static final int MAX_LISTENS_PER_SOCKET = 1000;

  /** Finished calls kept for a new listener of {@link Addresses#API_CALLS}. */
  public static final int RECENT_CALLS = 50;

  private final Vertx vertx;
  private final WebOptions options;
  private final CloudburstClient client;

  /** The token check in force (resolved when the web front starts). */
  private final Supplier<Auth> auth;

  private final BridgeListeners listeners = new BridgeListeners();
  private final KeyWatches keys;
  private final ArrayDeque<JsonObject> recentCalls = new ArrayDeque<>();
  private TcpBridge tcpBridge;

  public Bridges(Vertx vertx, WebOptions options, CloudburstClient client, Supplier<Auth> auth) {
    this.vertx = vertx;
    this.options = options;
    this.client = client;
    this.auth = auth;
    this.keys =
        new KeyWatches(vertx, subscriberId(options.nodeId()), options.kvsTimeoutMs(), listeners);
  }

  /**
   * The id the web front of {@code nodeId} subscribes to the store under: a name no node can have
   * ({@code '~'} is not allowed in node names), so the store pushes to it even when this node's
   * cache wrote the key.
   */
  public static String subscriberId(String nodeId) {
    return "web~" + nodeId;
  }

  /** The SockJS bridge's router, to mount at {@link #SOCKJS_ROUTE}. */
  public Router sockJsRouter() {
    return SockJsBridge.router(vertx, this, options.maxBodyBytes());
  }

  /** Starts the consumers behind the public addresses, then the TCP bridge if it has a port. */
  public Future<Void> start() {
    List<MessageConsumer<?>> consumers =
        List.of(
            vertx.eventBus().<Object>localConsumer(Addresses.API_INVOKE, this::invoke),
            keys.consumeUpdates());
    Future<Void> ready =
        Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
    if (options.tcpBridgePort() == WebOptions.TCP_BRIDGE_OFF) {
      return ready;
    }
    tcpBridge = new TcpBridge(vertx, this, options.maxBodyBytes(), Deadlines.frontWait(0, true));
    return ready
        .compose(v -> tcpBridge.listen(options.host(), options.tcpBridgePort()))
        .onSuccess(
            server ->
                log.log(
                    System.Logger.Level.INFO,
                    "TCP event-bus bridge listening on "
                        + options.host()
                        + ":"
                        + server.actualPort()))
        .mapEmpty();
  }

  /** Tells the store to stop pushing (best effort, no answer awaited) and closes the TCP bridge. */
  public Future<Void> stop() {
    keys.stop();
    return tcpBridge == null ? Future.succeededFuture() : tcpBridge.close();
  }

  /**
   * The hook of the API token check: whether the client of a bridge socket ({@link SockJSSocket},
   * whose handshake request the HTTP token check has already seen, or a TCP {@link NetSocket}) may
   * send, publish or register with {@code frame}. With the token check on, a TCP frame must carry
   * the token as {@code "headers": {"token": ...}}; a SockJS socket was checked at its handshake.
   * Asked for every new SockJS socket (with a null frame) and every such frame of both bridges.
   */
  boolean authorized(Object socket, JsonObject frame) {
    Auth auth = this.auth.get();
    if (!auth.enabled() || socket instanceof SockJSSocket) {
      return true; // a SockJS socket passed the HTTP token check at its handshake
    }
    JsonObject headers =
        frame == null ? null : frame.getValue("headers") instanceof JsonObject h ? h : null;
    Object token = headers == null ? null : headers.getValue(Auth.QUERY_PARAM);
    return auth.allowed(token instanceof String t ? t : null);
  }

  /**
   * Whether bridge clients may send or publish to {@code address}: only {@link
   * Addresses#API_INVOKE}.
   */
  public static boolean inboundPermitted(String address) {
    return address.equals(Addresses.API_INVOKE);
  }

  /**
   * Whether bridge clients may listen on {@code address}: the call stream, a call's result, a key.
   */
  public static boolean outboundPermitted(String address) {
    return address.equals(Addresses.API_CALLS)
        || (address.startsWith(Addresses.API_RESULTS_PREFIX)
            && address.length() > Addresses.API_RESULTS_PREFIX.length())
        || (address.startsWith(Addresses.API_KEYS_PREFIX)
            && address.length() > Addresses.API_KEYS_PREFIX.length());
  }

  // ---- who listens on what ----

  /**
   * A bridge socket now listens on {@code address} (a permitted one): tell it the current state.
   */
  void registered(Object socket, String address) {
    if (address.equals(Addresses.API_CALLS)) {
      listeners.add(socket, address);
      for (JsonObject call : recentCalls) {
        deliver(socket, address, call);
      }
    } else if (address.startsWith(Addresses.API_RESULTS_PREFIX)) {
      registeredForResult(
          socket, address, address.substring(Addresses.API_RESULTS_PREFIX.length()));
    } else if (address.startsWith(Addresses.API_KEYS_PREFIX)) {
      keys.registered(socket, address, address.substring(Addresses.API_KEYS_PREFIX.length()));
    }
  }

  /** A bridge socket stopped listening on {@code address}. */
  void unregistered(Object socket, String address) {
    if (listeners.remove(socket, address)) {
      lastListenerGone(address);
    }
  }

  /** A bridge socket closed: whatever it listened on, it listens no more. */
  void socketClosed(Object socket) {
    for (String address : listeners.removeSocket(socket)) {
      lastListenerGone(address);
    }
  }

  private void lastListenerGone(String address) {
    if (address.startsWith(Addresses.API_KEYS_PREFIX)) {
      keys.lastListenerGone(address.substring(Addresses.API_KEYS_PREFIX.length()));
    }
  }

  /** Writes one message straight to one bridge socket, in that bridge's own frame format. */
  static void deliver(Object socket, String address, JsonObject body) {
    if (socket instanceof SockJSSocket s) {
      s.write(
          Buffer.buffer(
              new JsonObject()
                  .put("type", "rec")
                  .put("address", address)
                  .put("body", body)
                  .encode()));
    } else if (socket instanceof NetSocket n) {
      TcpBridge.write(
          n,
          new JsonObject()
              .put("type", "message")
              .put("address", address)
              .put("send", false)
              .put("body", body));
    }
  }

  // ---- invoke ----

  private void invoke(Message<Object> m) {
    SchedulerRequest req;
    try {
      req = invokeRequest(m.body());
    } catch (CloudburstException e) {
      m.reply(failed(e));
      return;
    }
    client
        .request(req, InvokeRequests.busTimeout(req))
        .map(
            r ->
                r instanceof CallResult c
                    ? c.toJson()
                    : failed(CloudburstException.internal("unexpected reply")))
        .onSuccess(m::reply)
        .onFailure(t -> m.reply(failed(CloudburstException.from(t))));
  }

  /** The scheduler request of an invoke message; BAD_REQUEST naming the field when malformed. */
  static SchedulerRequest invokeRequest(Object body) {
    if (!(body instanceof JsonObject b)) {
      throw CloudburstException.badRequest(
          "send a JSON object: {\"function\": name, \"args\": [...]} or {\"dag\": name, \"args\": {\"fn\": [...]}}");
    }
    String function = Requests.string(b, "function", false);
    String dag = Requests.string(b, "dag", false);
    if ((function == null) == (dag == null)) {
      throw CloudburstException.badRequest("name exactly one of 'function' or 'dag'");
    }
    return function != null ? InvokeRequests.function(function, b) : InvokeRequests.dag(dag, b);
  }

  private static JsonObject failed(CloudburstException e) {
    return new JsonObject().put("status", "failed").put("error", e.toJson());
  }

  // ---- results and the call stream ----

  private void registeredForResult(Object socket, String address, String id) {
    listeners.add(socket, address);
    // Interest is recorded before asking, so a completion in between is not lost; whichever of
    // the two comes first tells the socket, once.
    client
        .request(new SchedulerRequest.GetResult(id), Deadlines.REQUEST_MS)
        .map(
            r ->
                r instanceof CallResult c && c.isFinished()
                    ? c.toJson()
                    : null) // null: pending, onResult tells it
        .otherwise(
            t ->
                new JsonObject()
                    .put("id", id)
                    .put("status", "failed")
                    .put("error", CloudburstException.from(t).toJson()))
        .onSuccess(
            body -> {
              if (body != null && listeners.listening(socket, address)) {
                listeners.remove(socket, address);
                deliver(socket, address, body);
              }
            });
  }

  /** A call of this node finished: the call stream and the listeners of its result hear of it. */
  public void onResult(CallResult r) {
    if (!r.isFinished()) {
      return;
    }
    JsonObject summary = ApiJson.callSummary(r, System.currentTimeMillis());
    if (recentCalls.size() == RECENT_CALLS) {
      recentCalls.removeFirst();
    }
    recentCalls.addLast(summary);
    if (listeners.hasListeners(Addresses.API_CALLS)) {
      vertx.eventBus().publish(Addresses.API_CALLS, summary);
    }
    String address = Addresses.apiResults(r.id());
    if (listeners.hasListeners(address)) {
      listeners.removeAddress(address);
      vertx.eventBus().publish(address, r.toJson());
    }
  }
}
