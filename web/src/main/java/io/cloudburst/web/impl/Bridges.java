package io.cloudburst.web.impl;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.Keys;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.KvsRequest;
import io.cloudburst.bus.msg.SchedulerReply;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.cloudburst.bus.value.Values;
import io.cloudburst.web.WebOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The SockJS ({@code /eventbus}, vertx-web's bridge) and TCP ({@link TcpBridge}) event-bus bridges
 * of the web front, and what stands behind their public addresses. Both bridges let through only these (README, "Event-bus
 * bridges"); the internal typed addresses never reach a bridge:
 *
 * <ul>
 *   <li>{@link Addresses#API_INVOKE} (inbound, send with a reply address): {@code {"function",
 *       "args": [...]}} or {@code {"dag", "args": {fn: [...]}, "consistency"?}}, plus {@code
 *       "wait"?}, {@code "timeout_ms"?} and the other fields of the HTTP invoke calls; the reply is the call's result JSON of API.md, or {@code
 *       {"status": "failed", "error": {"code", "message"}}} for a request that could not start.
 *   <li>{@link Addresses#apiResults} (outbound): the result JSON of one call, once, when it has
 *       finished (at once if it already has; an unknown id gets a RESULT_NOT_FOUND error body).
 *   <li>{@link Addresses#apiKeys} (outbound): {@code {"key", "lattice", "value"}} on register and
 *       each time the key's merged value changes ({@code lattice} and {@code value} null while the
 *       key is absent). The web front subscribes to the store for the keys that have listeners,
 *       under its own subscriber id ({@link #subscriberId}), and unsubscribes when the last goes.
 *   <li>{@link Addresses#API_CALLS} (outbound): a small summary of every finished call of this
 *       node ({@link #callSummary}); the last {@link #RECENT_CALLS} are sent on register.
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
  /** Longest logs (and error message) of a call summary, in chars. */
  public static final int MAX_SUMMARY_TEXT = 2000;

  private final Vertx vertx;
  private final WebOptions options;
  /** The token check in force (resolved when the web front starts). */
  private final java.util.function.Supplier<Auth> auth;
  private final String subscriber;
  private final BridgeListeners listeners = new BridgeListeners();
  private final Map<String, KeyWatch> watches = new HashMap<>();
  private final ArrayDeque<JsonObject> recentCalls = new ArrayDeque<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private TcpBridge tcpBridge;

  /** What the web front knows of one key that bridge clients listen on. */
  private static final class KeyWatch {
    /** The merged state seen so far (from the store's answer and its pushed updates); null while absent. */
    Lattice known;
    /** Whether {@link #known} has been read from the store (listeners have been told it). */
    boolean ready;
    /** Bumped by a delete, so an answer read before it is not taken as current. */
    long epoch;
    /** Listeners that registered before the first read came back: told the state once it does. */
    final Set<Object> waiting = Collections.newSetFromMap(new IdentityHashMap<>());
  }

  public Bridges(Vertx vertx, WebOptions options, java.util.function.Supplier<Auth> auth) {
    this.auth = auth;
    this.vertx = vertx;
    this.options = options;
    this.subscriber = subscriberId(options.nodeId());
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
    SockJSBridgeOptions bridgeOptions = new SockJSBridgeOptions()
        .setMaxAddressLength(Addresses.API_KEYS_PREFIX.length() + Keys.MAX_KEY_BYTES)
        .setMaxHandlersPerSocket(MAX_LISTENS_PER_SOCKET)
        // A waiting invoke may take as long as over HTTP.
        .setReplyTimeout(Deadlines.frontWait(0, true));
    bridgeOptions.addInboundPermitted(new PermittedOptions().setAddress(Addresses.API_INVOKE));
    bridgeOptions.addOutboundPermitted(new PermittedOptions().setAddress(Addresses.API_CALLS));
    // (?s): a key may hold any character, line breaks too. The same sets as inbound/outboundPermitted.
    bridgeOptions.addOutboundPermitted(new PermittedOptions().setAddressRegex("(?s)" + Pattern.quote(Addresses.API_RESULTS_PREFIX) + ".+"));
    bridgeOptions.addOutboundPermitted(new PermittedOptions().setAddressRegex("(?s)" + Pattern.quote(Addresses.API_KEYS_PREFIX) + ".+"));
    Router sockJs = SockJSHandler.create(vertx, new SockJSHandlerOptions().setInsertJSESSIONID(false))
        .bridge(bridgeOptions, this::onSockJsEvent);
    // Vert.x 5's XHR transports read a body that a BodyHandler collected; it lets WebSocket upgrades through.
    sockJs.route().order(-1).handler(BodyHandler.create(false).setBodyLimit(options.maxBodyBytes()));
    return sockJs;
  }

  /** Starts the consumers behind the public addresses, then the TCP bridge if it has a port. */
  public Future<Void> start() {
    consumers.add(vertx.eventBus().<Object>localConsumer(Addresses.API_INVOKE, this::invoke));
    consumers.add(vertx.eventBus().<CallResult>localConsumer(Addresses.RESULTS, m -> onResult(m.body())));
    // Not local: the store that pushes may live on another node of a cluster.
    consumers.add(vertx.eventBus().<CacheEvent>consumer(Addresses.cacheUpdates(subscriber), m -> {
      if (m.body() instanceof CacheEvent.Update u) {
        onUpdate(u.key(), u.lattice());
      }
    }));
    Future<Void> ready = Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
    if (options.tcpBridgePort() == WebOptions.TCP_BRIDGE_OFF) {
      return ready;
    }
    tcpBridge = new TcpBridge(vertx, this, options.maxBodyBytes(), Deadlines.frontWait(0, true));
    return ready.compose(v -> tcpBridge.listen(options.host(), options.tcpBridgePort())).onSuccess(server -> log.log(
        System.Logger.Level.INFO, "TCP event-bus bridge listening on " + options.host() + ":" + server.actualPort())).mapEmpty();
  }

  /** Tells the store to stop pushing (best effort, no answer awaited) and closes the TCP bridge. */
  public Future<Void> stop() {
    if (!watches.isEmpty()) {
      vertx.eventBus().send(Addresses.KVS, new KvsRequest.Unsubscribe(subscriber, List.copyOf(watches.keySet())));
      watches.clear();
    }
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
    JsonObject headers = frame == null ? null : frame.getValue("headers") instanceof JsonObject h ? h : null;
    Object token = headers == null ? null : headers.getValue(Auth.QUERY_PARAM);
    return auth.allowed(token instanceof String t ? t : null);
  }

  /** Whether bridge clients may send or publish to {@code address}: only {@link Addresses#API_INVOKE}. */
  public static boolean inboundPermitted(String address) {
    return address.equals(Addresses.API_INVOKE);
  }

  /** Whether bridge clients may listen on {@code address}: the call stream, a call's result, a key. */
  public static boolean outboundPermitted(String address) {
    return address.equals(Addresses.API_CALLS)
        || (address.startsWith(Addresses.API_RESULTS_PREFIX) && address.length() > Addresses.API_RESULTS_PREFIX.length())
        || (address.startsWith(Addresses.API_KEYS_PREFIX) && address.length() > Addresses.API_KEYS_PREFIX.length());
  }

  // ---- bridge events ----

  private void onSockJsEvent(BridgeEvent event) {
    SockJSSocket socket = event.socket();
    try {
      JsonObject raw = event.getRawMessage();
      String address = raw == null ? null : raw.getValue("address") instanceof String s ? s : null;
      switch (event.type()) {
        // The bridge itself checks the permitted addresses and the number of registrations.
        case SOCKET_CREATED, SEND, PUBLISH, REGISTER -> event.tryComplete(authorized(socket, raw));
        case REGISTERED -> {
          event.tryComplete(true);
          if (address != null) {
            registered(socket, address);
          }
        }
        case UNREGISTER -> {
          // Also sent for each registration of a closing socket.
          event.tryComplete(true);
          if (address != null) {
            unregistered(socket, address);
          }
        }
        case SOCKET_CLOSED -> {
          event.tryComplete(true);
          socketClosed(socket);
        }
        default -> event.tryComplete(true);
      }
    } catch (RuntimeException e) {
      log.log(System.Logger.Level.WARNING, "SockJS bridge event " + event.type() + " failed", e);
      event.tryComplete(false);
    }
  }

  /** A bridge socket now listens on {@code address} (a permitted one): tell it the current state. */
  void registered(Object socket, String address) {
    if (address.equals(Addresses.API_CALLS)) {
      listeners.add(socket, address);
      for (JsonObject call : recentCalls) {
        deliver(socket, address, call);
      }
    } else if (address.startsWith(Addresses.API_RESULTS_PREFIX)) {
      registeredForResult(socket, address, address.substring(Addresses.API_RESULTS_PREFIX.length()));
    } else if (address.startsWith(Addresses.API_KEYS_PREFIX)) {
      registeredForKey(socket, address, address.substring(Addresses.API_KEYS_PREFIX.length()));
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
      String key = address.substring(Addresses.API_KEYS_PREFIX.length());
      if (watches.remove(key) != null) {
        // Sent after any read that subscribed, so the store handles it after that read.
        kvs(new KvsRequest.Unsubscribe(subscriber, List.of(key))).onFailure(t -> log.log(System.Logger.Level.WARNING,
            "could not unsubscribe the bridges from key '" + key + "': " + t.getMessage()));
      }
    }
  }

  /** Writes one message straight to one bridge socket, in that bridge's own frame format. */
  private static void deliver(Object socket, String address, JsonObject body) {
    if (socket instanceof SockJSSocket s) {
      s.write(Buffer.buffer(new JsonObject().put("type", "rec").put("address", address).put("body", body).encode()));
    } else if (socket instanceof NetSocket n) {
      TcpBridge.write(n, new JsonObject().put("type", "message").put("address", address).put("send", false).put("body", body));
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
    long busTimeout = InvokeRequests.busTimeout(req);
    scheduler(req, busTimeout).onComplete(ar -> m.reply(ar.succeeded() && ar.result() instanceof CallResult r
        ? r.toJson()
        : failed(ar.failed() ? CloudburstException.from(ar.cause()) : CloudburstException.internal("unexpected reply"))));
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
    scheduler(new SchedulerRequest.GetResult(id), Deadlines.REQUEST_MS).onComplete(ar -> {
      JsonObject body;
      if (ar.failed()) {
        body = new JsonObject().put("id", id).put("status", "failed").put("error", CloudburstException.from(ar.cause()).toJson());
      } else if (ar.result() instanceof CallResult r && r.isFinished()) {
        body = r.toJson();
      } else {
        return; // pending: onResult tells it
      }
      if (listeners.listening(socket, address)) {
        listeners.remove(socket, address);
        deliver(socket, address, body);
      }
    });
  }

  private void onResult(CallResult r) {
    if (!r.isFinished()) {
      return;
    }
    JsonObject summary = callSummary(r, System.currentTimeMillis());
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

  /** {@code {"id", "function", "status", "duration_us", "executor", "at", "error"?: {"code", "message"}, "logs"?}}. */
  static JsonObject callSummary(CallResult r, long at) {
    JsonObject o = new JsonObject().put("id", r.id()).put("function", r.function()).put("status", r.status().wire())
        .put("duration_us", r.durationMicros()).put("executor", r.executor()).put("at", at);
    if (r.errorCode() != null) {
      o.put("error", new JsonObject().put("code", r.errorCode()).put("message", truncate(r.errorMessage())));
    }
    if (r.logs() != null && !r.logs().isEmpty()) {
      o.put("logs", truncate(r.logs()));
    }
    return o;
  }

  private static String truncate(String s) {
    return s == null || s.length() <= MAX_SUMMARY_TEXT ? s : s.substring(0, MAX_SUMMARY_TEXT) + "…";
  }

  // ---- key subscriptions ----

  private void registeredForKey(Object socket, String address, String key) {
    try {
      Keys.requireUserKey(key);
    } catch (CloudburstException e) {
      deliver(socket, address, new JsonObject().put("key", key).put("error", e.toJson()));
      return;
    }
    listeners.add(socket, address);
    KeyWatch w = watches.get(key);
    if (w != null && w.ready) {
      deliver(socket, address, keyJson(key, w.known));
      return;
    }
    boolean first = w == null;
    if (first) {
      w = new KeyWatch();
      watches.put(key, w);
    }
    w.waiting.add(socket);
    if (first) {
      read(key, w);
    }
  }

  /** Reads the key from the store, subscribing this web front to its updates before the read runs. */
  private void read(String key, KeyWatch w) {
    long epoch = w.epoch;
    kvs(new KvsRequest.Get(key, subscriber)).onComplete(ar -> {
      if (watches.get(key) != w || w.epoch != epoch) {
        return; // nobody listens any more, or a delete came in between (it read again)
      }
      String address = Addresses.apiKeys(key);
      if (ar.failed()) {
        JsonObject error = new JsonObject().put("key", key).put("error", CloudburstException.from(ar.cause()).toJson());
        w.waiting.forEach(s -> deliver(s, address, error));
        w.waiting.clear();
        return;
      }
      Lattice merged = merge(w.known, ((KvsReply.Found) ar.result()).lattice());
      boolean changed = !Objects.equals(merged, w.known);
      boolean wasReady = w.ready;
      w.known = merged;
      w.ready = true;
      if (changed && wasReady) {
        vertx.eventBus().publish(address, keyJson(key, merged)); // reaches the waiting ones too
      } else {
        JsonObject current = keyJson(key, merged);
        w.waiting.forEach(s -> deliver(s, address, current));
      }
      w.waiting.clear();
    });
  }

  private void onUpdate(String key, Lattice lattice) {
    KeyWatch w = watches.get(key);
    if (w == null) {
      return; // pushed before our unsubscribe reached the store
    }
    String address = Addresses.apiKeys(key);
    if (lattice == null) {
      // Deleted: the store dropped every subscription of the key; subscribe again by reading.
      w.known = null;
      w.epoch++;
      if (w.ready) {
        vertx.eventBus().publish(address, keyJson(key, null));
      }
      read(key, w);
      return;
    }
    Lattice merged = merge(w.known, lattice);
    if (!Objects.equals(merged, w.known)) {
      w.known = merged;
      if (w.ready) {
        vertx.eventBus().publish(address, keyJson(key, merged));
      }
    }
  }

  private static Lattice merge(Lattice known, Lattice other) {
    if (known == null || other == null) {
      return other == null ? known : other;
    }
    try {
      return known.merge(other);
    } catch (CloudburstException e) {
      return other; // another kind: the key was deleted and written anew
    }
  }

  /** {@code {"key", "lattice", "value"}}; lattice and value null for an absent key. */
  static JsonObject keyJson(String key, Lattice l) {
    return new JsonObject().put("key", key).put("lattice", l == null ? null : l.kind().wireName())
        .put("value", l == null ? null : Values.toJson(l.value()));
  }

  // ---- plumbing ----

  private Future<SchedulerReply> scheduler(SchedulerRequest req, long timeoutMs) {
    return vertx.eventBus()
        .<SchedulerReply>request(Addresses.SCHEDULER, req, new DeliveryOptions().setSendTimeout(timeoutMs))
        .map(Message::body);
  }

  private Future<KvsReply> kvs(KvsRequest req) {
    return vertx.eventBus()
        .<KvsReply>request(Addresses.KVS, req, new DeliveryOptions().setSendTimeout(options.kvsTimeoutMs()))
        .map(Message::body);
  }
}
