package io.cloudburst.web;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.Keys;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LatticeKind;
import io.cloudburst.bus.msg.CacheRequest;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.SchedulerReply;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.msg.SchedulerReply.FunctionList;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.cloudburst.bus.value.Values;
import io.cloudburst.web.impl.Auth;
import io.cloudburst.web.impl.AuthTokens;
import io.cloudburst.web.impl.Bridges;
import io.cloudburst.web.impl.FutureSubscriptions;
import io.cloudburst.web.impl.RecentCalls;
import io.cloudburst.web.impl.MetricsRoutes;
import io.cloudburst.web.impl.NodeMetrics;
import io.cloudburst.web.impl.OpenApi;
import io.cloudburst.web.impl.InvokeRequests;
import io.cloudburst.web.impl.Requests;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.List;

/**
 * The HTTP API of API.md, the WebSocket futures endpoint and /health. Talks to the scheduler, and
 * for {@code /v1/kvs} to this node's cache, only over the event bus; every error leaves as {@code
 * {"error": {"code", "message"}}} with the code's HTTP status.
 *
 * <p>A key of {@code /v1/kvs/{key}} is the whole rest of the path, percent-decoded, so keys that
 * hold {@code '/'} work sent literally ({@code /v1/kvs/users/alice}) or encoded ({@code
 * /v1/kvs/users%2Falice}, as the Python client sends them). Other reserved characters ({@code
 * '?'}, {@code '#'}, {@code '%'}) must be percent-encoded. The path is normalized before routing,
 * so a key made of or holding the dot segments {@code .} or {@code ..} between literal slashes
 * cannot be addressed.
 */
public final class WebVerticle extends VerticleBase {
  private static final System.Logger log = System.getLogger(WebVerticle.class.getName());
  private static final String JSON = "application/json";
  /** A key-value route: the key is everything after the prefix (empty keys reach the handler and get BAD_REQUEST). */
  static final String KVS_ROUTE = "/v1/kvs/(?<key>.*)";
  /**
   * Longest request line accepted (Vert.x's default is 4096). Generous, so that a key over {@link
   * Keys#MAX_KEY_BYTES}, even percent-encoded, reaches the router and gets a JSON PAYLOAD_TOO_LARGE
   * instead of the HTTP server's bare 414.
   */
  static final int MAX_REQUEST_LINE = 64 * 1024;

  private WebOptions options;
  private String cacheAddress;
  private HttpServer server;
  private Bridges bridges;
  private final FutureSubscriptions subscriptions = new FutureSubscriptions();
  private final RecentCalls recentCalls = new RecentCalls(RecentCalls.DEFAULT_PER_FUNCTION);
  private Router router;
  /** The token check (disabled until start resolves it; no request arrives before listen). Immutable: bridges may share it. */
  private Auth auth = Auth.disabled();
  private NodeMetrics metrics;

  @Override
  public Future<?> start() {
    options = WebOptions.fromJson(config());
    cacheAddress = Addresses.cache(options.nodeId());
    router = Router.router(vertx);
    router.route().handler(ctx -> auth.handle(ctx));
    // The WebSocket upgrade must come before the body handler, which would consume the request.
    router.get("/v1/futures").handler(this::futuresSocket);
    bridges = new Bridges(vertx, options, () -> auth);
    router.route(Bridges.SOCKJS_ROUTE).subRouter(bridges.sockJsRouter());
    router.route().handler(BodyHandler.create(false).setBodyLimit(options.maxBodyBytes()));
    metrics = MetricsRoutes.create(vertx);
    MetricsRoutes.route(router, metrics);
    router.get(OpenApi.PATH).handler(OpenApi::serve);

    router.get("/health").handler(this::health);
    router.get("/v1/status").handler(this::status);
    router.post("/v1/echo").handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(ctx.body().buffer() == null ? io.vertx.core.buffer.Buffer.buffer("{}") : ctx.body().buffer()));

    router.post("/v1/functions").handler(this::registerFunction);
    router.get("/v1/functions").handler(this::listFunctions);
    router.get("/v1/functions/:name").handler(this::getFunction);
    router.get("/v1/functions/:name/versions").handler(this::listVersions);
    router.get("/v1/functions/:name/logs").handler(this::functionLogs);
    router.post("/v1/functions/:name/restore").handler(this::restoreFunction);
    router.delete("/v1/functions/:name").handler(this::deleteFunction);
    router.post("/v1/functions/:name/invoke").handler(this::invokeFunction);
    router.get("/v1/results/:id").handler(this::getResult);
    router.post("/v1/dags").handler(this::registerDag);
    router.get("/v1/dags").handler(this::listDags);
    router.get("/v1/dags/:name").handler(this::getDag);
    router.delete("/v1/dags/:name").handler(this::deleteDag);
    router.post("/v1/dags/:name/invoke").handler(this::invokeDag);
    router.routeWithRegex(HttpMethod.PUT, KVS_ROUTE).handler(this::putKey);
    router.routeWithRegex(HttpMethod.GET, KVS_ROUTE).handler(this::getKey);
    router.routeWithRegex(HttpMethod.DELETE, KVS_ROUTE).handler(this::deleteKey);

    // The dashboard (GET /) and the browser client (/js/cloudburst.js); unknown files fall through to the 404.
    router.get().handler(StaticHandler.create("webroot").setMaxAgeSeconds(60));
    router.route().last().handler(ctx -> error(ctx, CloudburstException.of(
        ErrorCode.BAD_REQUEST, "no such endpoint: " + ctx.request().method() + " " + ctx.request().path()), 404));
    router.route().failureHandler(this::failure);
    router.errorHandler(413, ctx -> error(ctx, CloudburstException.tooLarge(
        "request body is larger than " + options.maxBodyBytes() + " bytes"), 413));
    // Reached when the router itself rejects a request, e.g. a path with a bad percent-encoding.
    router.errorHandler(400, ctx -> error(ctx, CloudburstException.badRequest("malformed request "
        + ctx.request().method() + " " + ctx.request().path()
        + (ctx.failure() == null ? " (check its percent-encoding)" : ": " + ctx.failure().getMessage())), 400));
    router.errorHandler(405, ctx -> error(ctx, CloudburstException.badRequest(
        "method " + ctx.request().method() + " not allowed on " + ctx.request().path()), 405));

    MessageConsumer<CallResult> results = vertx.eventBus().localConsumer(Addresses.RESULTS, m -> {
      subscriptions.complete(m.body());
      recentCalls.add(m.body());
    });
    server = vertx.createHttpServer(new HttpServerOptions().setHost(options.host()).setPort(options.port())
        .setMaxInitialLineLength(MAX_REQUEST_LINE)
        // The same room over HTTP/2 (h2c, which e.g. Java's HttpClient upgrades to): its default
        // 8 KiB header list would answer a long key with a bare 431 instead of the JSON error.
        .setInitialSettings(new io.vertx.core.http.Http2Settings().setMaxHeaderListSize(MAX_REQUEST_LINE + 16 * 1024))
        .setMaxWebSocketFrameSize(1 << 20).setMaxWebSocketMessageSize(1 << 20));
    return results.completion()
        .compose(v -> bridges.start())
        .compose(v -> MetricsRoutes.consume(vertx, metrics, options.nodeId()))
        .compose(v -> AuthTokens.forOptions(vertx, options)).onSuccess(a -> auth = a)
        .compose(v -> server.requestHandler(router).listen()).onSuccess(s ->
        log.log(System.Logger.Level.INFO, "HTTP API listening on " + options.host() + ":" + s.actualPort()));
  }

  @Override
  public Future<?> stop() {
    if (metrics != null) {
      metrics.close();
    }
    if (bridges != null) {
      bridges.stop();
    }
    // Open WebSockets would otherwise hold a graceful shutdown for its full default grace period.
    return server == null ? Future.succeededFuture() : server.shutdown(1, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** The router, for the test that keeps the OpenAPI document in step with the routes. */
  Router router() {
    return router;
  }

  /** The token check in force, for the event-bus bridges: {@code auth().allowed(presented)}. */
  public Auth auth() {
    return auth;
  }

  /** The port actually bound (useful with port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  // ---- status ----

  private void status(RoutingContext ctx) {
    scheduler(new SchedulerRequest.GetStatus(), Deadlines.REQUEST_MS).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, ar.cause());
        return;
      }
      SchedulerReply.Status st = (SchedulerReply.Status) ar.result();
      JsonArray nodes = new JsonArray();
      for (SchedulerReply.NodeInfo n : st.nodes()) {
        JsonArray execs = new JsonArray();
        for (SchedulerReply.ExecutorInfo e : n.executors()) {
          execs.add(new JsonObject().put("address", e.address()).put("threads", e.threads()).put("busy", e.busy())
              .put("queued", e.queued()).put("in_flight", e.inFlight()).put("warm", new JsonArray(e.warm()))
              .put("last_seen", e.lastSeen()));
        }
        long reads = n.cacheHits() + n.cacheMisses();
        nodes.add(new JsonObject().put("id", n.nodeId()).put("executors", execs)
            .put("cache", new JsonObject().put("keys", n.cachedKeyCount()).put("keys_shown", new JsonArray(n.cachedKeys()))
                .put("bytes", n.cacheBytes()).put("hits", n.cacheHits()).put("misses", n.cacheMisses())
                .put("evictions", n.cacheEvictions()).put("hit_rate", reads == 0 ? null : (double) n.cacheHits() / reads)
                .put("reported_at", n.cacheReportedAt())));
      }
      json(ctx, 200, new JsonObject().put("node", options.nodeId()).put("runtime_mode", options.runtimeMode())
          .put("nodes", nodes).put("at", st.at()).put("replications", st.replications()));
    });
  }

  // ---- functions ----

  private void registerFunction(RoutingContext ctx) {
    JsonObject b = Requests.body(ctx, false);
    var req = new SchedulerRequest.RegisterFunction(
        Requests.string(b, "name", true),
        Requests.string(b, "language", true),
        Requests.string(b, "source", true),
        Requests.string(b, "entrypoint", false));
    scheduler(req, Deadlines.REQUEST_MS).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, ar.cause());
        return;
      }
      FunctionInfo f = (FunctionInfo) ar.result();
      json(ctx, 201, new JsonObject().put("name", f.name()).put("version", f.version())
          .put("language", f.language()).put("entrypoint", f.entrypoint()));
    });
  }

  private void listFunctions(RoutingContext ctx) {
    scheduler(new SchedulerRequest.ListFunctions(), Deadlines.REQUEST_MS).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, ar.cause());
        return;
      }
      JsonArray out = new JsonArray();
      for (FunctionInfo f : ((FunctionList) ar.result()).functions()) {
        out.add(summary(f));
      }
      json(ctx, 200, out);
    });
  }

  private void getFunction(RoutingContext ctx) {
    String v = ctx.request().getParam("version");
    int version = v == null ? 0 : Requests.positiveInt(v, "version");
    scheduler(new SchedulerRequest.GetFunction(ctx.pathParam("name"), version), Deadlines.REQUEST_MS).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, ar.cause());
        return;
      }
      FunctionInfo f = (FunctionInfo) ar.result();
      json(ctx, 200, summary(f).put("source", f.source()).put("entrypoint", f.entrypoint()).put("created_at", f.createdAt()));
    });
  }

  /** The last calls of a function that this node's scheduler finished, newest first, with their output. */
  private void functionLogs(RoutingContext ctx) {
    JsonArray out = new JsonArray();
    for (CallResult r : recentCalls.of(ctx.pathParam("name"))) {
      out.add(r.toJson().put("at", recentCalls.finishedAt(r)));
    }
    json(ctx, 200, out);
  }

  private void listVersions(RoutingContext ctx) {
    scheduler(new SchedulerRequest.ListVersions(ctx.pathParam("name")), Deadlines.REQUEST_MS).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, ar.cause());
        return;
      }
      JsonArray out = new JsonArray();
      for (FunctionInfo f : ((FunctionList) ar.result()).functions()) {
        out.add(summary(f).put("created_at", f.createdAt()));
      }
      json(ctx, 200, out);
    });
  }

  private void restoreFunction(RoutingContext ctx) {
    JsonObject b = Requests.body(ctx, false);
    long version = Requests.nonNegativeLong(b, "version", 0);
    if (version <= 0 || version > Integer.MAX_VALUE) {
      throw CloudburstException.badRequest("field 'version' must be a positive integer");
    }
    scheduler(new SchedulerRequest.RestoreFunction(ctx.pathParam("name"), (int) version), Deadlines.REQUEST_MS)
        .onComplete(ar -> {
          if (ar.failed()) {
            error(ctx, ar.cause());
            return;
          }
          FunctionInfo f = (FunctionInfo) ar.result();
          json(ctx, 201, new JsonObject().put("name", f.name()).put("version", f.version()).put("restored_from", version));
        });
  }

  private void deleteFunction(RoutingContext ctx) {
    scheduler(new SchedulerRequest.DeleteFunction(ctx.pathParam("name")), Deadlines.REQUEST_MS).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, ar.cause());
      } else {
        ctx.response().setStatusCode(204).end();
      }
    });
  }

  private static JsonObject summary(FunctionInfo f) {
    return new JsonObject().put("name", f.name()).put("language", f.language()).put("version", f.version());
  }

  // ---- DAGs ----

  private void registerDag(RoutingContext ctx) {
    JsonObject b = Requests.body(ctx, false);
    String name = Requests.string(b, "name", true);
    List<String> functions = Requests.strings(b, "functions");
    List<List<String>> connections = new java.util.ArrayList<>();
    for (Object c : Requests.array(b, "connections")) {
      if (!(c instanceof JsonArray pair) || pair.size() != 2 || !(pair.getValue(0) instanceof String) || !(pair.getValue(1) instanceof String)) {
        throw CloudburstException.badRequest("each connection must be a pair [\"from\", \"to\"] of function names");
      }
      connections.add(List.of(pair.getString(0), pair.getString(1)));
    }
    scheduler(new SchedulerRequest.RegisterDag(name, functions, connections), Deadlines.REQUEST_MS).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, ar.cause());
      } else {
        json(ctx, 201, dagJson((SchedulerReply.DagInfo) ar.result()));
      }
    });
  }

  private void listDags(RoutingContext ctx) {
    scheduler(new SchedulerRequest.ListDags(), Deadlines.REQUEST_MS).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, ar.cause());
        return;
      }
      JsonArray out = new JsonArray();
      for (SchedulerReply.DagInfo d : ((SchedulerReply.DagList) ar.result()).dags()) {
        out.add(dagJson(d));
      }
      json(ctx, 200, out);
    });
  }

  private void getDag(RoutingContext ctx) {
    scheduler(new SchedulerRequest.GetDag(ctx.pathParam("name")), Deadlines.REQUEST_MS).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, ar.cause());
      } else {
        json(ctx, 200, dagJson((SchedulerReply.DagInfo) ar.result()));
      }
    });
  }

  private void deleteDag(RoutingContext ctx) {
    scheduler(new SchedulerRequest.DeleteDag(ctx.pathParam("name")), Deadlines.REQUEST_MS).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, ar.cause());
      } else {
        ctx.response().setStatusCode(204).end();
      }
    });
  }

  private static JsonObject dagJson(SchedulerReply.DagInfo d) {
    JsonArray conns = new JsonArray();
    for (List<String> c : d.connections()) {
      conns.add(new JsonArray(c));
    }
    return new JsonObject().put("name", d.name()).put("functions", new JsonArray(d.functions())).put("connections", conns);
  }

  private void invokeDag(RoutingContext ctx) {
    invoke(ctx, InvokeRequests.dag(ctx.pathParam("name"), Requests.body(ctx, true)));
  }

  // ---- calls ----

  private void invokeFunction(RoutingContext ctx) {
    invoke(ctx, InvokeRequests.function(ctx.pathParam("name"), Requests.body(ctx, true)));
  }

  private void invoke(RoutingContext ctx, SchedulerRequest req) {
    scheduler(req, InvokeRequests.busTimeout(req)).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, ar.cause());
      } else {
        callResult(ctx, (CallResult) ar.result());
      }
    });
  }

  private void getResult(RoutingContext ctx) {
    scheduler(new SchedulerRequest.GetResult(ctx.pathParam("id")), Deadlines.REQUEST_MS).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, ar.cause());
        return;
      }
      // Reading a result back is a successful request, whatever the call's outcome.
      json(ctx, 200, ((CallResult) ar.result()).toJson());
    });
  }

  private void callResult(RoutingContext ctx, CallResult r) {
    int status = switch (r.status()) {
      case PENDING -> 202;
      case DONE -> 200;
      case FAILED -> r.code().httpStatus();
    };
    json(ctx, status, r.toJson());
  }

  // ---- key-value store ----

  private void putKey(RoutingContext ctx) {
    String key = kvsKey(ctx);
    JsonObject b = Requests.body(ctx, false);
    String lattice = Requests.string(b, "lattice", false);
    // Null lets the cache use the key's own kind (lww for a new key), as the user library's put does.
    LatticeKind kind = lattice == null ? null : LatticeKind.parse(lattice);
    Object value = Values.fromJson(Requests.present(b, "value"));
    cache(new CacheRequest.PutValue(key, kind, value), KvsReply.Stored.class).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, ar.cause());
      } else {
        ctx.response().setStatusCode(204).end();
      }
    });
  }

  private void getKey(RoutingContext ctx) {
    String key = kvsKey(ctx);
    cache(new CacheRequest.Get(key), KvsReply.Found.class).map(found -> {
      Lattice l = found.lattice();
      if (l == null) {
        throw CloudburstException.notFound(ErrorCode.KEY_NOT_FOUND, "no key '" + key + "'");
      }
      return new JsonObject().put("key", key).put("lattice", l.kind().wireName()).put("value", Values.toJson(l.value()));
    }).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, ar.cause());
      } else {
        json(ctx, 200, ar.result());
      }
    });
  }

  private void deleteKey(RoutingContext ctx) {
    String key = kvsKey(ctx);
    // Deleting an absent key is a success too (KvsReply.Deleted says whether it existed).
    cache(new CacheRequest.Delete(key), KvsReply.Deleted.class).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, ar.cause());
      } else {
        ctx.response().setStatusCode(204).end();
      }
    });
  }

  /** The decoded key of a {@link #KVS_ROUTE} request, validated as a user key. */
  private static String kvsKey(RoutingContext ctx) {
    return Keys.requireUserKey(ctx.pathParam("key"));
  }

  // ---- WebSocket futures ----

  private void futuresSocket(RoutingContext ctx) {
    ctx.request().toWebSocket().onSuccess(ws -> {
      ws.textMessageHandler(text -> onSocketText(ws, text));
      ws.closeHandler(v -> subscriptions.closed(ws));
      ws.exceptionHandler(t -> subscriptions.closed(ws));
    }).onFailure(t -> {
      if (!ctx.response().ended()) {
        error(ctx, CloudburstException.badRequest("WebSocket upgrade failed: " + t.getMessage()), 400);
      }
    });
  }

  private void onSocketText(ServerWebSocket ws, String text) {
    String id;
    try {
      JsonObject o = new JsonObject(text);
      Object sub = o.getValue("subscribe");
      if (!(sub instanceof String s) || s.isEmpty()) {
        socketError(ws, null, CloudburstException.badRequest("send {\"subscribe\": \"<call id>\"}"));
        return;
      }
      id = s;
    } catch (DecodeException | ClassCastException e) {
      socketError(ws, null, CloudburstException.badRequest("malformed JSON frame"));
      return;
    }
    if (!subscriptions.add(id, ws)) {
      socketError(ws, id, CloudburstException.of(ErrorCode.PAYLOAD_TOO_LARGE,
          "this socket already waits on " + FutureSubscriptions.MAX_PER_SOCKET + " calls"));
      return;
    }
    // Interest is registered before asking, so a completion in between is not lost.
    scheduler(new SchedulerRequest.GetResult(id), Deadlines.REQUEST_MS).onComplete(ar -> {
      if (ar.failed()) {
        if (subscriptions.remove(id, ws)) {
          socketError(ws, id, CloudburstException.from(ar.cause()));
        }
        return;
      }
      CallResult r = (CallResult) ar.result();
      if (r.isFinished()) {
        subscriptions.complete(r);
      }
    });
  }

  private static void socketError(ServerWebSocket ws, String id, CloudburstException e) {
    if (ws.isClosed()) {
      return;
    }
    JsonObject o = new JsonObject();
    if (id != null) {
      o.put("id", id).put("status", "failed");
    }
    ws.writeTextMessage(o.put("error", e.toJson()).encode());
  }

  // ---- plumbing ----

  private void health(RoutingContext ctx) {
    json(ctx, 200, new JsonObject().put("status", "up").put("node", options.nodeId())
        .put("runtime_mode", options.runtimeMode()));
  }

  private Future<SchedulerReply> scheduler(SchedulerRequest req, long timeoutMs) {
    return vertx.eventBus()
        .<SchedulerReply>request(Addresses.SCHEDULER, req, new DeliveryOptions().setSendTimeout(timeoutMs))
        .map(m -> m.body());
  }

  private <T extends KvsReply> Future<T> cache(CacheRequest req, Class<T> reply) {
    return vertx.eventBus()
        .<KvsReply>request(cacheAddress, req, new DeliveryOptions().setSendTimeout(options.kvsTimeoutMs()))
        .map(m -> reply.cast(m.body()));
  }

  private void failure(RoutingContext ctx) {
    Throwable t = ctx.failure();
    if (t == null) {
      int status = ctx.statusCode();
      ErrorCode code = switch (status) {
        case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
        case 401 -> ErrorCode.UNAUTHORIZED;
        default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.BAD_REQUEST;
      };
      error(ctx, CloudburstException.of(code, "request failed with HTTP " + status), status);
      return;
    }
    error(ctx, t);
  }

  private void error(RoutingContext ctx, Throwable t) {
    CloudburstException e = CloudburstException.from(t);
    if (e.code() == ErrorCode.INTERNAL) {
      log.log(System.Logger.Level.ERROR, "request " + ctx.request().method() + " " + ctx.request().path() + " failed", t);
    }
    error(ctx, e, e.code().httpStatus());
  }

  private static void error(RoutingContext ctx, CloudburstException e, int status) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    json(ctx, status, new JsonObject().put("error", e.toJson()));
  }

  private static void json(RoutingContext ctx, int status, Object body) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    String text = body instanceof JsonObject o ? o.encode() : ((JsonArray) body).encode();
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(text);
  }
}
