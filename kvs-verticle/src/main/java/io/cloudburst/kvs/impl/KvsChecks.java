package io.cloudburst.kvs.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.lattice.Lattice;
import io.vertx.core.eventbus.Message;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** What both stores (embedded and cluster) check and answer alike. */
public final class KvsChecks {
  private KvsChecks() {}

  /** A key must be present and at most {@code maxKeyBytes} bytes of UTF-8. */
  public static void checkKey(String key, int maxKeyBytes) {
    if (key == null || key.isEmpty()) {
      throw CloudburstException.badRequest("key is missing");
    }
    int n = key.getBytes(StandardCharsets.UTF_8).length;
    if (n > maxKeyBytes) {
      throw CloudburstException.tooLarge(
          "key is " + n + " bytes, over the limit of " + maxKeyBytes);
    }
  }

  public static void requireNode(String nodeId) {
    if (nodeId == null || nodeId.isEmpty()) {
      throw CloudburstException.badRequest("node id is missing");
    }
  }

  /** Subscribe and Unsubscribe, answered alike by both stores. */
  public static void subscription(
      Message<?> m, io.cloudburst.bus.msg.KvsRequest r, Subscriptions subscriptions) {
    switch (r) {
      case io.cloudburst.bus.msg.KvsRequest.Subscribe s -> {
        requireNode(s.nodeId());
        subscriptions.subscribe(s.nodeId(), s.keys());
      }
      case io.cloudburst.bus.msg.KvsRequest.Unsubscribe u -> {
        requireNode(u.nodeId());
        subscriptions.unsubscribe(u.nodeId(), u.keys());
      }
      default ->
          throw new IllegalArgumentException("not a subscription: " + r.getClass().getSimpleName());
    }
    m.reply(new io.cloudburst.bus.msg.KvsReply.Ack());
  }

  /**
   * The reply to a GetMany: the lattices of the keys that hold one, the generations that are not 0.
   */
  public static io.cloudburst.bus.msg.KvsReply.FoundMany foundMany(
      Map<String, StoredValue> values) {
    Map<String, Lattice> lattices = new LinkedHashMap<>();
    Map<String, Long> generations = new LinkedHashMap<>();
    values.forEach(
        (key, v) -> {
          if (v != null && v.lattice() != null) {
            lattices.put(key, v.lattice());
          }
          if (StoredValue.generationOf(v) != 0) {
            generations.put(key, v.generation());
          }
        });
    return new io.cloudburst.bus.msg.KvsReply.FoundMany(lattices, generations);
  }
}
