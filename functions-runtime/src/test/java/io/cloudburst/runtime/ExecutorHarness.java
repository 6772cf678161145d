package io.cloudburst.runtime;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.codec.CloudburstCodecs;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** One executor verticle on its own Vert.x, shared by a test class (contexts take seconds to make). */
final class ExecutorHarness {
  static final String NODE = "t";
  private static final AtomicInteger versions = new AtomicInteger();

  final Vertx vertx;
  final String address;

  private ExecutorHarness(Vertx vertx, String address) {
    this.vertx = vertx;
    this.address = address;
  }

  static ExecutorHarness start(JsonObject extra) throws Exception {
    Vertx vertx = Vertx.vertx();
    CloudburstCodecs.register(vertx);
    JsonObject config = new JsonObject().put("nodeId", NODE).put("index", 0).put("threads", 2).put("maxContexts", 8)
        .put("pythonSpares", 1).put("jsSpares", 1).mergeIn(extra);
    vertx.deployVerticle(new ExecutorVerticle(), new DeploymentOptions().setConfig(config)).await(120, TimeUnit.SECONDS);
    return new ExecutorHarness(vertx, Addresses.executor(NODE, 0));
  }

  static FunctionInfo fn(String name, String language, String source) {
    return new FunctionInfo(name, language, versions.incrementAndGet(), source, name, System.currentTimeMillis());
  }

  Future<FunctionInfo> validate(FunctionInfo f) {
    return vertx.eventBus().<FunctionInfo>request(address, new ExecutorRequest.Validate(f), new DeliveryOptions().setSendTimeout(60_000))
        .map(m -> m.body());
  }

  Future<CallResult> execute(FunctionInfo f, long timeoutMs, Object... args) {
    return vertx.eventBus().<CallResult>request(address, new ExecutorRequest.Execute("c-" + f.versionKey(), f, List.of(args), timeoutMs, 0),
        new DeliveryOptions().setSendTimeout(timeoutMs + 30_000)).map(m -> m.body());
  }

  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }
}
