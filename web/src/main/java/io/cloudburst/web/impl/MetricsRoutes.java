package io.cloudburst.web.impl;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.ExecutorStatus;
import io.cloudburst.bus.msg.NodeEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.backends.BackendRegistries;

/**
 * Wires {@link NodeMetrics} into a web verticle: picks the registry, feeds it from the bus, serves
 * it at {@code GET /metrics} and times the invoke routes.
 */
public final class MetricsRoutes {
  private MetricsRoutes() {}

  /**
   * The node's series in the Prometheus registry named {@code registryName}, the one this Vert.x
   * instance's metrics write to ({@link BackendRegistries#getNow}, vertx-micrometer's public
   * lookup), so one scrape shows both; a private registry when no name is given (e.g. in the web
   * module's tests), no such registry exists or it has another backend.
   */
  public static NodeMetrics create(String registryName) {
    MeterRegistry shared = registryName == null ? null : BackendRegistries.getNow(registryName);
    return shared instanceof PrometheusMeterRegistry
        ? NodeMetrics.in(shared)
        : NodeMetrics.standalone();
  }

  /**
   * Feeds the series from this node's executor statuses, cache reports and autoscaling decisions
   * (its results come from the web front's {@link ResultFanOut}). Local consumers: in a cluster
   * each node's /metrics shows its own scheduler, executors, cache and autoscaler, so that summing
   * over nodes counts every call once.
   */
  public static Future<Void> consume(Vertx vertx, NodeMetrics metrics, String nodeId) {
    // Statuses and reports are published cluster-wide (every scheduler places by them), and a local
    // consumer sees the other nodes' too once this node's scheduler listens: keep this node's own.
    MessageConsumer<ExecutorStatus> executors =
        vertx
            .eventBus()
            .localConsumer(
                Addresses.EXECUTOR_STATUS,
                m -> {
                  if (nodeId.equals(m.body().nodeId())) {
                    metrics.onExecutorStatus(m.body());
                  }
                });
    MessageConsumer<CacheEvent> caches =
        vertx
            .eventBus()
            .localConsumer(
                Addresses.CACHE_REPORT,
                m -> {
                  if (m.body() instanceof CacheEvent.Report r && nodeId.equals(r.nodeId())) {
                    metrics.onCacheReport(r);
                  }
                });
    MessageConsumer<NodeEvent.ScalingDecision> autoscale =
        vertx
            .eventBus()
            .localConsumer(
                Addresses.AUTOSCALE, m -> metrics.onAutoscaleDecision(m.body().action().label()));
    return Future.all(executors.completion(), caches.completion(), autoscale.completion())
        .mapEmpty();
  }

  /**
   * Adds {@code GET /metrics}, and a timer in front of both invoke routes; call before those routes
   * are added.
   */
  public static void route(Router router, NodeMetrics metrics) {
    router
        .get("/metrics")
        .handler(PrometheusScrapingHandler.create((PrometheusMeterRegistry) metrics.registry()));
    router
        .post("/v1/functions/:name/invoke")
        .handler(ctx -> timeInvoke(ctx.pathParam("name"), "function", ctx, metrics));
    router
        .post("/v1/dags/:name/invoke")
        .handler(ctx -> timeInvoke(ctx.pathParam("name"), "dag", ctx, metrics));
  }

  private static void timeInvoke(
      String name, String kind, io.vertx.ext.web.RoutingContext ctx, NodeMetrics metrics) {
    long t0 = System.nanoTime();
    ctx.addEndHandler(
        ar ->
            metrics.onInvokeAnswered(
                kind, name, ctx.response().getStatusCode(), System.nanoTime() - t0));
    ctx.next();
  }
}
