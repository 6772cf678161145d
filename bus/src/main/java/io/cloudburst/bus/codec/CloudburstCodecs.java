package io.cloudburst.bus.codec;

import io.cloudburst.bus.msg.DagEvent;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.msg.ExecutorStatus;
import io.cloudburst.bus.msg.SchedulerReply;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The one entry point that registers the codec of every message family on a Vert.x instance, once,
 * before any verticle deploys. Families added by other issues are appended to {@link #FAMILIES}.
 */
public final class CloudburstCodecs {
  private static final Map<Vertx, Boolean> REGISTERED = new WeakHashMap<>();

  /** Every sealed family of bus records with its codec name. */
  private static final List<FamilyCodec<?>> FAMILIES =
      List.of(
          new FamilyCodec<>("cb.scheduler-request", SchedulerRequest.class),
          new FamilyCodec<>("cb.scheduler-reply", SchedulerReply.class),
          new FamilyCodec<>("cb.executor-request", ExecutorRequest.class),
          new FamilyCodec<>("cb.executor-status", ExecutorStatus.class),
          new FamilyCodec<>("cb.dag-event", DagEvent.class),
          new FamilyCodec<>("cb.kvs-request", io.cloudburst.bus.msg.KvsRequest.class),
          new FamilyCodec<>("cb.kvs-reply", io.cloudburst.bus.msg.KvsReply.class),
          new FamilyCodec<>("cb.cache-request", io.cloudburst.bus.msg.CacheRequest.class),
          new FamilyCodec<>("cb.cache-event", io.cloudburst.bus.msg.CacheEvent.class),
          new FamilyCodec<>("cb.node-event", io.cloudburst.bus.msg.NodeEvent.class));

  private CloudburstCodecs() {}

  /** The sealed families of bus records, one codec each. */
  static List<Class<?>> families() {
    List<Class<?>> out = new ArrayList<>();
    for (FamilyCodec<?> c : FAMILIES) {
      out.add(c.family());
    }
    return out;
  }

  /** Registers the codecs and the selector that picks them; a second call is a no-op. */
  public static synchronized void register(Vertx vertx) {
    if (REGISTERED.put(vertx, Boolean.TRUE) != null) {
      return;
    }
    EventBus eb = vertx.eventBus();
    List<FamilyCodec<?>> families = new ArrayList<>(FAMILIES);
    for (FamilyCodec<?> c : families) {
      eb.registerCodec(c);
    }
    eb.codecSelector(
        body -> {
          if (body == null) {
            return null;
          }
          for (FamilyCodec<?> c : families) {
            if (c.family().isInstance(body)) {
              return c.name();
            }
          }
          return null;
        });
  }
}
