package io.cloudburst.kvs.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.Lattices;
import io.vertx.core.eventbus.Message;
import java.nio.charset.StandardCharsets;

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
      throw CloudburstException.tooLarge("key is " + n + " bytes, over the limit of " + maxKeyBytes);
    }
  }

  public static void requireNode(String nodeId) {
    if (nodeId == null || nodeId.isEmpty()) {
      throw CloudburstException.badRequest("node id is missing");
    }
  }

  /** Subscribe and Unsubscribe, answered alike by both stores. */
  public static void subscription(Message<?> m, io.cloudburst.bus.msg.KvsRequest r, Subscriptions subscriptions) {
    switch (r) {
      case io.cloudburst.bus.msg.KvsRequest.Subscribe s -> {
        requireNode(s.nodeId());
        subscriptions.subscribe(s.nodeId(), s.keys());
      }
      case io.cloudburst.bus.msg.KvsRequest.Unsubscribe u -> {
        requireNode(u.nodeId());
        subscriptions.unsubscribe(u.nodeId(), u.keys());
      }
      default -> throw new IllegalArgumentException("not a subscription: " + r.getClass().getSimpleName());
    }
    m.reply(new io.cloudburst.bus.msg.KvsReply.Ack());
  }

  /** A stored value's lattice, or null for none; a value that does not decode is INTERNAL. */
  public static Lattice decode(String key, byte[] value) {
    if (value == null) {
      return null;
    }
    try {
      return Lattices.decode(value);
    } catch (IllegalArgumentException e) {
      throw CloudburstException.internal("the stored value of '" + key + "' is corrupt: " + e.getMessage());
    }
  }
}
