package io.cloudburst.web.impl;

import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.client.CloudburstClient;
import io.cloudburst.bus.msg.SchedulerReply;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.cloudburst.web.WebOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code /health}, {@code /v1/status}, {@code /v1/echo} and the OpenAPI document. */
public final class NodeRoutes {
  private final CloudburstClient client;
  private final WebOptions options;

  public NodeRoutes(CloudburstClient client, WebOptions options) {
    this.client = client;
    this.options = options;
  }

  public void mount(Router router) {
    router.get(OpenApi.PATH).handler(OpenApi::serve);
    router.get("/health").handler(this::health);
    router.get("/v1/status").handler(this::status);
    router
        .post("/v1/echo")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, Responses.JSON)
                    .end(ctx.body().buffer() == null ? Buffer.buffer("{}") : ctx.body().buffer()));
  }

  private void health(RoutingContext ctx) {
    Responses.json(
        ctx,
        200,
        new JsonObject()
            .put("status", "up")
            .put("node", options.nodeId())
            .put("runtime_mode", options.runtimeMode()));
  }

  private void status(RoutingContext ctx) {
    Responses.respond(
        ctx,
        client.request(new SchedulerRequest.GetStatus(), Deadlines.REQUEST_MS),
        200,
        r -> ApiJson.status((SchedulerReply.Status) r, options.nodeId(), options.runtimeMode()));
  }
}
