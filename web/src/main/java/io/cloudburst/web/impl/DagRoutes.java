package io.cloudburst.web.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.client.CloudburstClient;
import io.cloudburst.bus.msg.SchedulerReply;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/** {@code /v1/dags}: register, list, read, delete and invoke. */
public final class DagRoutes {
  private final CloudburstClient client;

  public DagRoutes(CloudburstClient client) {
    this.client = client;
  }

  public void mount(Router router) {
    router.post("/v1/dags").handler(this::register);
    router.get("/v1/dags").handler(this::list);
    router.get("/v1/dags/:name").handler(this::get);
    router.delete("/v1/dags/:name").handler(this::delete);
    router.post("/v1/dags/:name/invoke").handler(this::invoke);
  }

  private void register(RoutingContext ctx) {
    JsonObject b = Requests.body(ctx, false);
    String name = Requests.string(b, "name", true);
    List<String> functions = Requests.strings(b, "functions");
    List<List<String>> connections = new ArrayList<>();
    for (Object c : Requests.array(b, "connections")) {
      if (!(c instanceof JsonArray pair)
          || pair.size() != 2
          || !(pair.getValue(0) instanceof String)
          || !(pair.getValue(1) instanceof String)) {
        throw CloudburstException.badRequest(
            "each connection must be a pair [\"from\", \"to\"] of function names");
      }
      connections.add(List.of(pair.getString(0), pair.getString(1)));
    }
    Responses.respond(
        ctx,
        client.request(
            new SchedulerRequest.RegisterDag(name, functions, connections), Deadlines.REQUEST_MS),
        201,
        r -> ApiJson.dag((SchedulerReply.DagInfo) r));
  }

  private void list(RoutingContext ctx) {
    Responses.respond(
        ctx,
        client.request(new SchedulerRequest.ListDags(), Deadlines.REQUEST_MS),
        200,
        r -> ApiJson.dags(((SchedulerReply.DagList) r).dags()));
  }

  private void get(RoutingContext ctx) {
    Responses.respond(
        ctx,
        client.request(new SchedulerRequest.GetDag(ctx.pathParam("name")), Deadlines.REQUEST_MS),
        200,
        r -> ApiJson.dag((SchedulerReply.DagInfo) r));
  }

  private void delete(RoutingContext ctx) {
    Responses.noContent(
        ctx,
        client.request(
            new SchedulerRequest.DeleteDag(ctx.pathParam("name")), Deadlines.REQUEST_MS));
  }

  private void invoke(RoutingContext ctx) {
    ResultRoutes.invoke(
        client, ctx, InvokeRequests.dag(ctx.pathParam("name"), Requests.body(ctx, true)));
  }
}
