package io.cloudburst.web;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.Keys;
import io.cloudburst.bus.client.CloudburstClient;
import io.cloudburst.web.impl.Auth;
import io.cloudburst.web.impl.AuthTokens;
import io.cloudburst.web.impl.Bridges;
import io.cloudburst.web.impl.DagRoutes;
import io.cloudburst.web.impl.FunctionRoutes;
import io.cloudburst.web.impl.FuturesSocket;
import io.cloudburst.web.impl.HttpErrors;
import io.cloudburst.web.impl.KvsRoutes;
import io.cloudburst.web.impl.MetricsRoutes;
import io.cloudburst.web.impl.NodeMetrics;
import io.cloudburst.web.impl.NodeRoutes;
import io.cloudburst.web.impl.RecentCalls;
import io.cloudburst.web.impl.ResultFanOut;
import io.cloudburst.web.impl.ResultRoutes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The web front of a node: the HTTP API (README, "The API"), the WebSocket futures endpoint, the
 * event-bus bridges, /metrics, /health and the dashboard. It talks to the scheduler ({@link
 * CloudburstClient#request}) and, for {@code /v1/kvs}, to this node's cache, only over the event
 * bus; every error leaves as {@code {"error": {"code", "message"}}} with the code's HTTP status
 * ({@link HttpErrors}). This class assembles the router from the route classes of {@code impl} and
 * starts the server once every consumer is registered.
 */
public final class WebVerticle extends VerticleBase {
  private static final System.Logger log = System.getLogger(WebVerticle.class.getName());

  /**
   * Longest request line accepted (Vert.x's default is 4096). Generous, so that a key over {@link
   * Keys#MAX_KEY_BYTES}, even percent-encoded, reaches the router and gets 413 PAYLOAD_TOO_LARGE; a
   * longer line gets 414 with the same error body ({@link HttpErrors#invalidRequests}).
   */
  static final int MAX_REQUEST_LINE = 64 * 1024;

  private HttpServer server;
  private Bridges bridges;
  private Router router;

  /**
   * The token check (disabled until start resolves it; no request arrives before listen).
   * Immutable: bridges may share it.
   */
  private Auth auth = Auth.disabled();

  private NodeMetrics metrics;

  @Override
  public Future<?> start() {
    WebOptions options = WebOptions.fromJson(config());
    CloudburstClient client = new CloudburstClient(vertx);
    RecentCalls recentCalls = new RecentCalls(RecentCalls.DEFAULT_PER_FUNCTION);
    FuturesSocket futures = new FuturesSocket(client);
    bridges = new Bridges(vertx, options, client, () -> auth);
    metrics = MetricsRoutes.create(options.metricsRegistry());

    router = Router.router(vertx);
    router.route().handler(ctx -> auth.handle(ctx));
    // The WebSocket upgrade must come before the body handler, which would consume the request.
    router.get("/v1/futures").handler(futures::handle);
    router.route(Bridges.SOCKJS_ROUTE).subRouter(bridges.sockJsRouter());
    router.route().handler(BodyHandler.create(false).setBodyLimit(options.maxBodyBytes()));
    MetricsRoutes.route(router, metrics);
    new NodeRoutes(client, options).mount(router);
    new FunctionRoutes(client, recentCalls).mount(router);
    new ResultRoutes(client).mount(router);
    new DagRoutes(client).mount(router);
    new KvsRoutes(vertx, options.nodeId(), options.kvsTimeoutMs()).mount(router);
    // The dashboard (GET /) and the browser client (/js/cloudburst.js); unknown files fall through
    // to the 404.
    router.get().handler(StaticHandler.create("webroot").setMaxAgeSeconds(60));
    router.route().failureHandler(HttpErrors::failure);
    // No route for the path: 404; a route for the path but not this method: 405 (a catch-all
    // route here would answer 404 before the router could tell the two apart).
    router.errorHandler(
        404,
        ctx ->
            HttpErrors.send(
                ctx,
                CloudburstException.of(
                    ErrorCode.BAD_REQUEST,
                    "no such endpoint: " + ctx.request().method() + " " + ctx.request().path()),
                404));
    router.errorHandler(
        413,
        ctx ->
            HttpErrors.send(
                ctx,
                CloudburstException.tooLarge(
                    "request body is larger than " + options.maxBodyBytes() + " bytes"),
                413));
    // Reached when the router itself rejects a request, e.g. a path with a bad percent-encoding.
    router.errorHandler(
        400,
        ctx ->
            HttpErrors.send(
                ctx,
                CloudburstException.badRequest(
                    "malformed request "
                        + ctx.request().method()
                        + " "
                        + ctx.request().path()
                        + (ctx.failure() == null
                            ? " (check its percent-encoding)"
                            : ": " + ctx.failure().getMessage())),
                400));
    router.errorHandler(
        405,
        ctx ->
            HttpErrors.send(
                ctx,
                CloudburstException.badRequest(
                    "method " + ctx.request().method() + " not allowed on " + ctx.request().path()),
                405));

    ResultFanOut results =
        new ResultFanOut(
            List.of(futures::onResult, recentCalls::add, bridges::onResult, metrics::onResult));
    server =
        vertx.createHttpServer(
            new HttpServerOptions()
                .setHost(options.host())
                .setPort(options.port())
                .setMaxInitialLineLength(MAX_REQUEST_LINE)
                // The same room over HTTP/2 (h2c, which e.g. Java's HttpClient upgrades to): its
                // default
                // 8 KiB header list would answer a long key with a bare 431 instead of the JSON
                // error.
                .setInitialSettings(
                    new Http2Settings().setMaxHeaderListSize(MAX_REQUEST_LINE + 16 * 1024))
                .setMaxWebSocketFrameSize(1 << 20)
                .setMaxWebSocketMessageSize(1 << 20));
    return results
        .start(vertx)
        .compose(v -> bridges.start())
        .compose(v -> MetricsRoutes.consume(vertx, metrics, options.nodeId()))
        .compose(v -> AuthTokens.forOptions(vertx, options))
        .onSuccess(a -> auth = a)
        .compose(
            v ->
                server
                    .requestHandler(router)
                    .invalidRequestHandler(HttpErrors.invalidRequests(MAX_REQUEST_LINE))
                    .listen())
        .onSuccess(
            s ->
                log.log(
                    System.Logger.Level.INFO,
                    "HTTP API listening on " + options.host() + ":" + s.actualPort()));
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
    return server == null ? Future.succeededFuture() : server.shutdown(1, TimeUnit.SECONDS);
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
}
