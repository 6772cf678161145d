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

/**
 * One executor verticle on its own Vert.x, shared by a test class (contexts take seconds to make).
 */
final class ExecutorHarness {
  static final String NODE = "t";
  private static final AtomicInteger versions = new AtomicInteger();

  final Vertx vertx;
  final String address;

  /** The executors deployed, by index. */
  final java.util.Map<Integer, ExecutorVerticle> executors =
      new java.util.concurrent.ConcurrentHashMap<>();

  private ExecutorHarness(Vertx vertx, String address) {
    this.vertx = vertx;
    this.address = address;
  }

  static ExecutorHarness start(JsonObject extra) throws Exception {
    Vertx vertx = Vertx.vertx();
    CloudburstCodecs.register(vertx);
    ExecutorHarness h = new ExecutorHarness(vertx, Addresses.executor(NODE, 0));
    h.deployExecutor(0, extra);
    return h;
  }

  /** Deploys another executor of the same node on this Vert.x (its own engines: seconds). */
  String deployExecutor(int index, JsonObject extra) throws Exception {
    JsonObject config =
        new JsonObject()
            .put("nodeId", NODE)
            .put("index", index)
            .put("threads", 2)
            .put("maxContexts", 8)
            .put("pythonSpares", 1)
            .put("jsSpares", 1)
            .mergeIn(extra);
    ExecutorVerticle v = new ExecutorVerticle();
    vertx.deployVerticle(v, new DeploymentOptions().setConfig(config)).await(120, TimeUnit.SECONDS);
    executors.put(index, v);
    return Addresses.executor(NODE, index);
  }

  /** Deploys a real key-value store on a fresh temporary directory. */
  void deployStore() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("executor-kvs");
    vertx
        .deployVerticle(
            new io.cloudburst.kvs.KvsVerticle(),
            new DeploymentOptions()
                .setConfig(new JsonObject().put("dataDir", dir.toString()).put("nodeId", NODE)))
        .await(60, TimeUnit.SECONDS);
  }

  static FunctionInfo fn(String name, String language, String source) {
    return new FunctionInfo(
        name, language, versions.incrementAndGet(), source, name, System.currentTimeMillis());
  }

  Future<FunctionInfo> validate(FunctionInfo f) {
    return vertx
        .eventBus()
        .<FunctionInfo>request(
            address, new ExecutorRequest.Validate(f), new DeliveryOptions().setSendTimeout(60_000))
        .map(m -> m.body());
  }

  Future<CallResult> execute(FunctionInfo f, long timeoutMs, Object... args) {
    return vertx
        .eventBus()
        .<CallResult>request(
            address,
            new ExecutorRequest.Execute("c-" + f.versionKey(), f, List.of(args), timeoutMs, 0),
            new DeliveryOptions().setSendTimeout(timeoutMs + 30_000))
        .map(m -> m.body());
  }

  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }
}
