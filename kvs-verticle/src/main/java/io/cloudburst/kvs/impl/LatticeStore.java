package io.cloudburst.kvs.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.lattice.Lattice;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The lattices of the store on disk, in RocksDB: key bytes are the key's UTF-8, values are {@link
 * StoredValue}s (a lattice or a tombstone, with the key's generation). No Vert.x in here; the
 * verticle calls {@link #apply} from one writer thread only (read-merge-write is atomic because
 * nothing else writes) and {@link #get} from any thread.
 *
 * <p><b>Tombstones</b> stay until their key is written again (the new value keeps the generation).
 * With a retention ({@link #open(Path, int, long, LongSupplier)}), tombstones older than it are
 * removed when the store opens; the highest generation removed raises the store's <i>generation
 * floor</i>, kept under {@link #FLOOR_KEY}, which is the generation of every key with no record. So
 * a key whose tombstone was purged still reads at a generation above any state read before its
 * delete, and a stale write of it is still refused.
 */
public final class LatticeStore implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  /** Where the generation floor is kept: 0xFF never occurs in UTF-8, so no user key collides. */
  static final byte[] FLOOR_KEY = {(byte) 0xFF, 'f', 'l', 'o', 'o', 'r'};

  /** One write of a batch. */
  public sealed interface Op {
    String key();

    /**
     * Merge {@code lattice} into the key; {@code baseGeneration} as {@link
     * io.cloudburst.bus.msg.KvsRequest.Put}.
     */
    record Put(String key, Lattice lattice, long baseGeneration) implements Op {}

    /** Replace the key's value by a tombstone. */
    record Delete(String key) implements Op {}
  }

  /** What became of one {@link Op}. */
  public sealed interface Outcome {
    /** The key now holds {@code merged} at {@code generation}. */
    record Stored(Lattice merged, long generation) implements Outcome {}

    /** The put's base generation is below the key's {@code generation}; nothing was stored. */
    record Stale(long generation) implements Outcome {}

    /**
     * The key holds no value now, at {@code generation}; {@code existed} tells whether it held one.
     */
    record Deleted(boolean existed, long generation) implements Outcome {}

    /** Nothing of this op was stored. */
    record Failed(CloudburstException error) implements Outcome {}
  }

  private final Options options;
  private final WriteOptions syncWrites;
  private final RocksDB db;
  private final int maxValueBytes;
  private final LongSupplier clock;

  /** Written only while opening, before any reader runs. */
  private long floor;

  private final AtomicLong syncedBatches = new AtomicLong();

  private LatticeStore(
      Options options, WriteOptions syncWrites, RocksDB db, int maxValueBytes, LongSupplier clock) {
    this.options = options;
    this.syncWrites = syncWrites;
    this.db = db;
    this.maxValueBytes = maxValueBytes;
    this.clock = clock;
  }

  /** Opens the store in {@code dir}, keeping every tombstone. Blocking. */
  public static LatticeStore open(Path dir, int maxValueBytes) {
    return open(dir, maxValueBytes, 0, System::currentTimeMillis);
  }

  /**
   * Opens (creating if needed) the store in {@code dir}; with {@code tombstoneRetentionMs > 0},
   * first removes the tombstones written more than that long ago (by {@code clock}, which also
   * dates new tombstones) and raises the generation floor past them. Blocking.
   *
   * @throws CloudburstException INTERNAL when RocksDB cannot open it (e.g. another store holds the
   *     lock)
   */
  public static LatticeStore open(
      Path dir, int maxValueBytes, long tombstoneRetentionMs, LongSupplier clock) {
    Options options = new Options().setCreateIfMissing(true);
    WriteOptions sync = new WriteOptions().setSync(true);
    RocksDB db = null;
    try {
      Files.createDirectories(dir);
      db = RocksDB.open(options, dir.toString());
      LatticeStore store = new LatticeStore(options, sync, db, maxValueBytes, clock);
      byte[] floor = db.get(FLOOR_KEY);
      store.floor = floor == null ? 0 : ByteBuffer.wrap(floor).getLong();
      if (tombstoneRetentionMs > 0) {
        store.purgeTombstones(clock.getAsLong() - tombstoneRetentionMs);
      }
      return store;
    } catch (Exception e) {
      if (db != null) {
        db.close();
      }
      sync.close();
      options.close();
      throw CloudburstException.internal("cannot open the store in " + dir + ": " + e.getMessage());
    }
  }

  /**
   * Removes tombstones written before {@code before}, raising the floor past them in the same
   * synced write.
   */
  private void purgeTombstones(long before) throws RocksDBException {
    long newFloor = floor;
    List<byte[]> purged = new ArrayList<>();
    try (RocksIterator it = db.newIterator()) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        if (Arrays.equals(it.key(), FLOOR_KEY)) {
          continue;
        }
        StoredValue v =
            StoredValue.decode(new String(it.key(), StandardCharsets.UTF_8), it.value());
        if (v.isTombstone() && v.deletedAt() < before) {
          purged.add(it.key());
          newFloor = Math.max(newFloor, v.generation());
        }
      }
    }
    if (purged.isEmpty()) {
      return;
    }
    try (WriteBatch batch = new WriteBatch()) {
      batch.put(FLOOR_KEY, ByteBuffer.allocate(Long.BYTES).putLong(newFloor).array());
      for (byte[] k : purged) {
        batch.delete(k);
      }
      db.write(syncWrites, batch);
    }
    floor = newFloor;
  }

  /** The generation of keys with no record (0 until tombstones were purged). */
  public long floor() {
    return floor;
  }

  /**
   * The key's value or tombstone; a key with no record reads as a tombstone at the floor. Blocking.
   */
  public StoredValue get(String key) {
    try {
      return orAbsent(StoredValue.decode(key, db.get(bytes(key))));
    } catch (RocksDBException e) {
      throw CloudburstException.internal("cannot read '" + key + "': " + e.getMessage());
    }
  }

  /** Each key's value or tombstone (as {@link #get}), in request order. Blocking. */
  public Map<String, StoredValue> getMany(List<String> keys) {
    List<byte[]> raw = new ArrayList<>(keys.size());
    for (String k : keys) {
      raw.add(bytes(k));
    }
    try {
      List<byte[]> values = db.multiGetAsList(raw);
      Map<String, StoredValue> out = new LinkedHashMap<>();
      for (int i = 0; i < keys.size(); i++) {
        out.put(keys.get(i), orAbsent(StoredValue.decode(keys.get(i), values.get(i))));
      }
      return out;
    } catch (RocksDBException e) {
      throw CloudburstException.internal("cannot read " + keys.size() + " keys: " + e.getMessage());
    }
  }

  /**
   * Applies the ops in order as one atomic, synced write: each put merges into the state left by
   * the ops before it (of this batch or on disk), by the rules of {@link StoredValue}. An op that
   * fails (CONFLICT, PAYLOAD_TOO_LARGE) or is stale changes nothing and does not affect the others.
   * Blocking; call from one thread only.
   *
   * @throws CloudburstException INTERNAL when the write fails, in which case nothing is stored
   */
  public List<Outcome> apply(List<Op> ops) {
    // The batch's view of each key it touches.
    Map<String, StoredValue> staged = new HashMap<>();
    Map<String, byte[]> encoded = new LinkedHashMap<>();
    List<Outcome> outcomes = new ArrayList<>(ops.size());
    for (Op op : ops) {
      try {
        StoredValue current = staged.containsKey(op.key()) ? staged.get(op.key()) : get(op.key());
        switch (op) {
          case Op.Put p -> {
            switch (StoredValue.put(
                p.key(), current, p.lattice(), p.baseGeneration(), maxValueBytes)) {
              case StoredValue.PutOutcome.Stale s ->
                  outcomes.add(new Outcome.Stale(s.generation()));
              case StoredValue.PutOutcome.Merged m -> {
                staged.put(p.key(), m.value());
                encoded.put(
                    p.key(), StoredValue.encodeLive(m.value().generation(), m.latticeBytes()));
                outcomes.add(new Outcome.Stored(m.value().lattice(), m.value().generation()));
              }
            }
          }
          case Op.Delete d -> {
            StoredValue after = StoredValue.delete(current, clock.getAsLong());
            if (after != current) {
              staged.put(d.key(), after);
              encoded.put(d.key(), after.encode());
            }
            outcomes.add(new Outcome.Deleted(after != current, StoredValue.generationOf(after)));
          }
        }
      } catch (CloudburstException e) {
        outcomes.add(new Outcome.Failed(e));
      } catch (IllegalArgumentException e) {
        outcomes.add(new Outcome.Failed(CloudburstException.badRequest(e.getMessage())));
      } catch (ArithmeticException e) {
        outcomes.add(
            new Outcome.Failed(
                CloudburstException.badRequest("counter overflow in '" + op.key() + "'")));
      }
    }
    if (encoded.isEmpty()) {
      return outcomes;
    }
    try (WriteBatch batch = new WriteBatch()) {
      for (Map.Entry<String, byte[]> e : encoded.entrySet()) {
        batch.put(bytes(e.getKey()), e.getValue());
      }
      db.write(syncWrites, batch);
      syncedBatches.incrementAndGet();
    } catch (RocksDBException e) {
      throw CloudburstException.internal(
          "write failed, nothing of " + ops.size() + " writes stored: " + e.getMessage());
    }
    return outcomes;
  }

  /**
   * Writes {@link StoredValue} bytes as they are (no merge) and deletes {@code removed}, as one
   * atomic, synced write: for a store whose merging happens elsewhere (the cluster map's owner).
   * Blocking; safe from several threads (RocksDB joins concurrent synced writes into one WAL sync).
   *
   * @throws CloudburstException INTERNAL when the write fails, in which case nothing is stored
   */
  public void writeRaw(Map<String, byte[]> values, Collection<String> removed) {
    if (values.isEmpty() && removed.isEmpty()) {
      return;
    }
    try (WriteBatch batch = new WriteBatch()) {
      for (Map.Entry<String, byte[]> e : values.entrySet()) {
        batch.put(bytes(e.getKey()), e.getValue());
      }
      for (String k : removed) {
        batch.delete(bytes(k));
      }
      db.write(syncWrites, batch);
    } catch (RocksDBException e) {
      throw CloudburstException.internal(
          "write failed, nothing of "
              + (values.size() + removed.size())
              + " writes stored: "
              + e.getMessage());
    }
  }

  /** The key's stored bytes as they are, or null when it has no record. Blocking. */
  public byte[] getRaw(String key) {
    try {
      return db.get(bytes(key));
    } catch (RocksDBException e) {
      throw CloudburstException.internal("cannot read '" + key + "': " + e.getMessage());
    }
  }

  /** Calls {@code each} with every key's stored bytes, in key order. Blocking. */
  public void forEachRaw(BiConsumer<String, byte[]> each) {
    try (RocksIterator it = db.newIterator()) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        if (!Arrays.equals(it.key(), FLOOR_KEY)) {
          each.accept(new String(it.key(), StandardCharsets.UTF_8), it.value());
        }
      }
    }
  }

  /** Calls {@code each} with every live key under {@code prefix} and its state. Blocking. */
  public void forEachUnder(String prefix, BiConsumer<String, Lattice> each) {
    try (RocksIterator it = db.newIterator()) {
      for (it.seek(bytes(prefix)); it.isValid(); it.next()) {
        String key = new String(it.key(), StandardCharsets.UTF_8);
        if (!key.startsWith(prefix)) {
          break;
        }
        Lattice l = StoredValue.latticeOf(StoredValue.decode(key, it.value()));
        if (l != null) {
          each.accept(key, l);
        }
      }
    }
  }

  /** How many synced writes {@link #apply} has made (group-commit batches). */
  public long syncedBatches() {
    return syncedBatches.get();
  }

  @Override
  public void close() {
    db.close();
    syncWrites.close();
    options.close();
  }

  private StoredValue orAbsent(StoredValue v) {
    return v != null ? v : StoredValue.tombstone(floor, 0);
  }

  private static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }
}
