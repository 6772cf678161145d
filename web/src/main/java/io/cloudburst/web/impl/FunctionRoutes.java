package io.cloudburst.web.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.client.CloudburstClient;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.msg.SchedulerReply.FunctionList;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code /v1/functions}: register, list, read, versions, logs, restore, delete and invoke. */
public final class FunctionRoutes {
  private final CloudburstClient client;
  private final RecentCalls recentCalls;

  public FunctionRoutes(CloudburstClient client, RecentCalls recentCalls) {
    this.client = client;
    this.recentCalls = recentCalls;
  }

  public void mount(Router router) {
    router.post("/v1/functions").handler(this::register);
    router.get("/v1/functions").handler(this::list);
    router.get("/v1/functions/:name").handler(this::get);
    router.get("/v1/functions/:name/versions").handler(this::versions);
    router.get("/v1/functions/:name/logs").handler(this::logs);
    router.post("/v1/functions/:name/restore").handler(this::restore);
    router.delete("/v1/functions/:name").handler(this::delete);
    router.post("/v1/functions/:name/invoke").handler(this::invoke);
  }

  private void register(RoutingContext ctx) {
    JsonObject b = Requests.body(ctx, false);
    var req =
        new SchedulerRequest.RegisterFunction(
            Requests.string(b, "name", true),
            Requests.string(b, "language", true),
            Requests.string(b, "source", true),
            Requests.string(b, "entrypoint", false));
    Responses.respond(
        ctx,
        client.request(req, Deadlines.REQUEST_MS),
        201,
        r -> ApiJson.registered((FunctionInfo) r));
  }

  private void list(RoutingContext ctx) {
    Responses.respond(
        ctx,
        client.request(new SchedulerRequest.ListFunctions(), Deadlines.REQUEST_MS),
        200,
        r -> ApiJson.functions(((FunctionList) r).functions()));
  }

  private void get(RoutingContext ctx) {
    String v = ctx.request().getParam("version");
    int version = v == null ? 0 : Requests.positiveInt(v, "version");
    Responses.respond(
        ctx,
        client.request(
            new SchedulerRequest.GetFunction(ctx.pathParam("name"), version), Deadlines.REQUEST_MS),
        200,
        r -> ApiJson.functionDetail((FunctionInfo) r));
  }

  private void versions(RoutingContext ctx) {
    Responses.respond(
        ctx,
        client.request(
            new SchedulerRequest.ListVersions(ctx.pathParam("name")), Deadlines.REQUEST_MS),
        200,
        r -> ApiJson.versions(((FunctionList) r).functions()));
  }

  /**
   * The last calls of a function that this node's scheduler finished, newest first, with their
   * output.
   */
  private void logs(RoutingContext ctx) {
    JsonArray out = new JsonArray();
    for (CallResult r : recentCalls.of(ctx.pathParam("name"))) {
      out.add(r.toJson().put("at", recentCalls.finishedAt(r)));
    }
    Responses.json(ctx, 200, out);
  }

  private void restore(RoutingContext ctx) {
    JsonObject b = Requests.body(ctx, false);
    long version = Requests.nonNegativeLong(b, "version", 0);
    if (version <= 0 || version > Integer.MAX_VALUE) {
      throw CloudburstException.badRequest("field 'version' must be a positive integer");
    }
    var req = new SchedulerRequest.RestoreFunction(ctx.pathParam("name"), (int) version);
    Responses.respond(
        ctx,
        client.request(req, Deadlines.REQUEST_MS),
        201,
        r -> ApiJson.restored((FunctionInfo) r, version));
  }

  private void delete(RoutingContext ctx) {
    Responses.noContent(
        ctx,
        client.request(
            new SchedulerRequest.DeleteFunction(ctx.pathParam("name")), Deadlines.REQUEST_MS));
  }

  private void invoke(RoutingContext ctx) {
    ResultRoutes.invoke(
        client, ctx, InvokeRequests.function(ctx.pathParam("name"), Requests.body(ctx, true)));
  }
}
