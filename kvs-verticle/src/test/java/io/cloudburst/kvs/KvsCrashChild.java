package io.cloudburst.kvs;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.codec.CloudburstCodecs;
import io.cloudburst.bus.lattice.CounterLattice;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.msg.KvsRequest;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * The process {@link KvsCrashTest} kills with SIGKILL: a store on the directory given as the only
 * argument, and eight writers that put keys one after another, printing {@code ACK w i} for each
 * acknowledged write, until the process dies.
 */
public final class KvsCrashChild {
  static final int WRITERS = 8;

  private KvsCrashChild() {}

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    CloudburstCodecs.register(vertx);
    JsonObject config = new JsonObject().put("dataDir", args[0]).put("nodeId", "child");
    vertx
        .deployVerticle(new KvsVerticle(), new DeploymentOptions().setConfig(config))
        .onSuccess(
            id -> {
              for (int w = 0; w < WRITERS; w++) {
                write(vertx, w, 1);
              }
            })
        .onFailure(
            t -> {
              t.printStackTrace();
              System.exit(2);
            });
  }

  private static void write(Vertx vertx, int w, int i) {
    DeliveryOptions timeout = new DeliveryOptions().setSendTimeout(30_000);
    vertx
        .eventBus()
        .request(
            Addresses.KVS,
            new KvsRequest.Put("k-" + w + "-" + i, LwwLattice.of((long) i, i, "child"), null),
            timeout)
        .compose(
            x ->
                vertx
                    .eventBus()
                    .request(
                        Addresses.KVS,
                        new KvsRequest.Put("count", CounterLattice.of("w" + w, i), null),
                        timeout))
        .onSuccess(
            x -> {
              synchronized (System.out) {
                System.out.println("ACK " + w + " " + i);
                System.out.flush();
              }
              write(vertx, w, i + 1);
            });
  }
}
