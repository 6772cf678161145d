package io.cloudburst.kvs;

import io.vertx.core.json.JsonObject;

/**
 * Configuration of the key-value store verticle.
 *
 * @param dataDir the directory of the RocksDB store (created if missing; one store per directory)
 * @param nodeId this node's id (logs)
 * @param maxKeyBytes the longest key, in UTF-8 bytes; longer ones fail with PAYLOAD_TOO_LARGE
 * @param maxValueBytes the largest encoded lattice, before and after the merge; larger ones fail
 *     with PAYLOAD_TOO_LARGE
 * @param maxBatchWrites the most writes group-committed in one synced batch
 * @param maxPendingWrites the most writes waiting for the disk; more fail with NO_RESOURCES
 * @param readerThreads worker threads serving reads
 * @param tombstoneRetentionHours how long the embedded store keeps the tombstone of a deleted key
 *     before removing it when it next opens (default 24; 0 keeps tombstones until their key is
 *     written again: executors delete a mailbox key per message-using invocation, so "forever"
 *     grows without bound). See {@link KvsVerticle} for what a removal keeps safe. Atomic calls'
 *     commit records marked applied are removed after the same time, by both stores (0 keeps them).
 */
public record KvsOptions(
    String dataDir,
    String nodeId,
    int maxKeyBytes,
    int maxValueBytes,
    int maxBatchWrites,
    int maxPendingWrites,
    int readerThreads,
    long tombstoneRetentionHours) {

  public static final String DEFAULT_DATA_DIR = "data/kvs";
  public static final String DEFAULT_NODE_ID = "local";
  public static final int DEFAULT_MAX_KEY_BYTES = 1024;
  public static final int DEFAULT_MAX_VALUE_BYTES = 4 << 20;
  public static final int DEFAULT_MAX_BATCH_WRITES = 512;
  public static final int DEFAULT_MAX_PENDING_WRITES = 10_000;
  public static final int DEFAULT_READER_THREADS = 2;
  public static final long DEFAULT_TOMBSTONE_RETENTION_HOURS = 24;

  public KvsOptions {
    require(dataDir != null && !dataDir.isBlank(), "dataDir");
    require(nodeId != null && !nodeId.isBlank(), "nodeId");
    require(maxKeyBytes > 0, "maxKeyBytes");
    require(maxValueBytes > 0, "maxValueBytes");
    require(maxBatchWrites > 0, "maxBatchWrites");
    require(maxPendingWrites > 0, "maxPendingWrites");
    require(readerThreads > 0, "readerThreads");
    require(
        tombstoneRetentionHours >= 0 && tombstoneRetentionHours < Long.MAX_VALUE / 3_600_000,
        "tombstoneRetentionHours");
  }

  /** The tombstone retention in milliseconds; 0 keeps tombstones. */
  public long tombstoneRetentionMs() {
    return tombstoneRetentionHours * 3_600_000;
  }

  private static void require(boolean ok, String field) {
    if (!ok) {
      throw new IllegalArgumentException("invalid kvs option: " + field);
    }
  }

  public static KvsOptions fromJson(JsonObject c) {
    return new KvsOptions(
        c.getString("dataDir", DEFAULT_DATA_DIR),
        c.getString("nodeId", DEFAULT_NODE_ID),
        c.getInteger("maxKeyBytes", DEFAULT_MAX_KEY_BYTES),
        c.getInteger("maxValueBytes", DEFAULT_MAX_VALUE_BYTES),
        c.getInteger("maxBatchWrites", DEFAULT_MAX_BATCH_WRITES),
        c.getInteger("maxPendingWrites", DEFAULT_MAX_PENDING_WRITES),
        c.getInteger("readerThreads", DEFAULT_READER_THREADS),
        c.getLong("tombstoneRetentionHours", DEFAULT_TOMBSTONE_RETENTION_HOURS));
  }
}
