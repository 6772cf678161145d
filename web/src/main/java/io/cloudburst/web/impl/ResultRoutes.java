package io.cloudburst.web.impl;

import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.client.CloudburstClient;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /v1/results/{id}}, and the answer of both invoke routes. */
public final class ResultRoutes {
  private final CloudburstClient client;

  public ResultRoutes(CloudburstClient client) {
    this.client = client;
  }

  public void mount(Router router) {
    router.get("/v1/results/:id").handler(this::get);
  }

  private void get(RoutingContext ctx) {
    // Reading a result back is a successful request, whatever the call's outcome.
    Responses.respond(
        ctx,
        client.request(new SchedulerRequest.GetResult(ctx.pathParam("id")), Deadlines.REQUEST_MS),
        200,
        r -> ((CallResult) r).toJson());
  }

  /** Sends an invocation and answers its result with {@link ApiJson#callStatus}. */
  static void invoke(CloudburstClient client, RoutingContext ctx, SchedulerRequest req) {
    client
        .request(req, InvokeRequests.busTimeout(req))
        .onSuccess(
            r -> Responses.json(ctx, ApiJson.callStatus((CallResult) r), ((CallResult) r).toJson()))
        .onFailure(t -> HttpErrors.send(ctx, t));
  }
}
