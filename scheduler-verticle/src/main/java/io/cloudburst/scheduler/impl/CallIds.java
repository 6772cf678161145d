package io.cloudburst.scheduler.impl;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * Ids of calls: {@code <node id>-<32 hex digits>}, the digits 128 random bits, so that knowing some
 * ids tells nothing of others (a result is read by its id alone). The node id in front says which
 * node's scheduler holds the result; the random part has no '-', so the node id is everything
 * before the last '-' even when the node id itself contains '-'.
 */
public final class CallIds {
  /** Random bits in every id. */
  public static final int RANDOM_BITS = 128;

  private final String prefix;
  private final RandomGenerator random;
  private final byte[] bytes = new byte[RANDOM_BITS / 8];

  /** Ids of calls started on node {@code nodeId}, drawn from a {@link SecureRandom}. */
  public CallIds(String nodeId) {
    this(nodeId, new SecureRandom());
  }

  CallIds(String nodeId, RandomGenerator random) {
    this.prefix = nodeId + "-";
    this.random = random;
  }

  /** A new id. */
  public String next() {
    random.nextBytes(bytes);
    return prefix + HexFormat.of().formatHex(bytes);
  }

  /**
   * The node that started call {@code id} (whose scheduler holds its result), or null when the id
   * has no node part.
   */
  public static String originNode(String id) {
    int dash = id == null ? -1 : id.lastIndexOf('-');
    return dash <= 0 ? null : id.substring(0, dash);
  }
}
