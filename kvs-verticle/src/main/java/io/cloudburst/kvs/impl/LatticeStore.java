package io.cloudburst.kvs.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.lattice.Lattice;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The lattices of the store on disk, in RocksDB: key bytes are the key's UTF-8, values are {@link
 * Lattice#encode()}. No Vert.x in here; the verticle calls {@link #apply} from one writer thread
 * only (read-merge-write is atomic because nothing else writes) and {@link #get} from any thread.
 */
public final class LatticeStore implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  /** One write of a batch. */
  public sealed interface Op {
    String key();

    /** Merge {@code lattice} into the key. */
    record Put(String key, Lattice lattice) implements Op {}

    /** Remove the key. */
    record Delete(String key) implements Op {}
  }

  /** What became of one {@link Op}. */
  public sealed interface Outcome {
    /** The key now holds {@code merged}. */
    record Stored(Lattice merged) implements Outcome {}

    /** The key is gone; {@code existed} tells whether it was there. */
    record Deleted(boolean existed) implements Outcome {}

    /** Nothing of this op was stored. */
    record Failed(CloudburstException error) implements Outcome {}
  }

  private final Options options;
  private final WriteOptions syncWrites;
  private final RocksDB db;
  private final int maxValueBytes;
  private final AtomicLong syncedBatches = new AtomicLong();

  private LatticeStore(Options options, WriteOptions syncWrites, RocksDB db, int maxValueBytes) {
    this.options = options;
    this.syncWrites = syncWrites;
    this.db = db;
    this.maxValueBytes = maxValueBytes;
  }

  /**
   * Opens (creating if needed) the store in {@code dir}. Blocking.
   *
   * @throws CloudburstException INTERNAL when RocksDB cannot open it (e.g. another store holds the lock)
   */
  public static LatticeStore open(Path dir, int maxValueBytes) {
    Options options = new Options().setCreateIfMissing(true);
    WriteOptions sync = new WriteOptions().setSync(true);
    try {
      Files.createDirectories(dir);
      return new LatticeStore(options, sync, RocksDB.open(options, dir.toString()), maxValueBytes);
    } catch (Exception e) {
      sync.close();
      options.close();
      throw CloudburstException.internal("cannot open the store in " + dir + ": " + e.getMessage());
    }
  }

  /** The key's lattice, or null when absent. Blocking. */
  public Lattice get(String key) {
    try {
      return KvsChecks.decode(key, db.get(bytes(key)));
    } catch (RocksDBException e) {
      throw CloudburstException.internal("cannot read '" + key + "': " + e.getMessage());
    }
  }

  /** The lattices of the keys that are present, in request order. Blocking. */
  public Map<String, Lattice> getMany(List<String> keys) {
    List<byte[]> raw = new ArrayList<>(keys.size());
    for (String k : keys) {
      raw.add(bytes(k));
    }
    try {
      List<byte[]> values = db.multiGetAsList(raw);
      Map<String, Lattice> out = new LinkedHashMap<>();
      for (int i = 0; i < keys.size(); i++) {
        Lattice l = KvsChecks.decode(keys.get(i), values.get(i));
        if (l != null) {
          out.put(keys.get(i), l);
        }
      }
      return out;
    } catch (RocksDBException e) {
      throw CloudburstException.internal("cannot read " + keys.size() + " keys: " + e.getMessage());
    }
  }

  /**
   * Applies the ops in order as one atomic, synced write: each put merges into the state left by
   * the ops before it (of this batch or on disk). An op that fails (CONFLICT, PAYLOAD_TOO_LARGE)
   * changes nothing and does not affect the others. Blocking; call from one thread only.
   *
   * @throws CloudburstException INTERNAL when the write fails, in which case nothing is stored
   */
  public List<Outcome> apply(List<Op> ops) {
    // The batch's view of each key it touches: a lattice, or null once deleted.
    Map<String, Lattice> staged = new HashMap<>();
    Map<String, byte[]> encoded = new LinkedHashMap<>();
    List<Outcome> outcomes = new ArrayList<>(ops.size());
    for (Op op : ops) {
      try {
        Lattice current = staged.containsKey(op.key()) ? staged.get(op.key()) : get(op.key());
        switch (op) {
          case Op.Put p -> {
            Lattice merged = current == null ? p.lattice() : current.merge(p.lattice());
            byte[] bytes = merged.encode();
            if (bytes.length > maxValueBytes) {
              throw CloudburstException.tooLarge(
                  "the value of '" + p.key() + "' would be " + bytes.length + " bytes, over the limit of " + maxValueBytes);
            }
            staged.put(p.key(), merged);
            encoded.put(p.key(), bytes);
            outcomes.add(new Outcome.Stored(merged));
          }
          case Op.Delete d -> {
            staged.put(d.key(), null);
            encoded.put(d.key(), null);
            outcomes.add(new Outcome.Deleted(current != null));
          }
        }
      } catch (CloudburstException e) {
        outcomes.add(new Outcome.Failed(e));
      } catch (IllegalArgumentException e) {
        outcomes.add(new Outcome.Failed(CloudburstException.badRequest(e.getMessage())));
      } catch (ArithmeticException e) {
        outcomes.add(new Outcome.Failed(CloudburstException.badRequest("counter overflow in '" + op.key() + "'")));
      }
    }
    if (encoded.isEmpty()) {
      return outcomes;
    }
    try (WriteBatch batch = new WriteBatch()) {
      for (Map.Entry<String, byte[]> e : encoded.entrySet()) {
        if (e.getValue() == null) {
          batch.delete(bytes(e.getKey()));
        } else {
          batch.put(bytes(e.getKey()), e.getValue());
        }
      }
      db.write(syncWrites, batch);
      syncedBatches.incrementAndGet();
    } catch (RocksDBException e) {
      throw CloudburstException.internal("write failed, nothing of " + ops.size() + " writes stored: " + e.getMessage());
    }
    return outcomes;
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

  private static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

}
