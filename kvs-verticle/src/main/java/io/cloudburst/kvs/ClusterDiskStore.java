package io.cloudburst.kvs;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapStoreConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.cloudburst.kvs.impl.DiskMapStore;
import io.cloudburst.kvs.impl.LatticeStore;
import io.cloudburst.kvs.impl.RestoreProcessor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A storage member's disk for the cluster map {@value ClusterKvsVerticle#MAP_NAME}: a RocksDB store
 * ({@link LatticeStore}, as the embedded node's) in {@code <data>/}{@value #DIR}, which the map
 * writes through to and which the member joins back into the map when it starts. Blocking calls;
 * the node runs them before it serves.
 *
 * <p><b>Writes.</b> {@link #configure} gives the map a write-through map store (write delay 0): on
 * the key's owner, each put or delete is written to this disk with a synced RocksDB write inside
 * the operation, before Hazelcast applies it and asks the backup; so when a put or delete is
 * acknowledged it is on the owner's disk (RocksDB's write-ahead log, synced) as well as in two
 * members' memory. Backups and migrations do not write to disk: a member stores what it owned when
 * it was written, and so, over time, one key may sit on several members' disks at different states,
 * none newer than the map's.
 *
 * <p><b>Restore.</b> {@link #restore} joins every key of this disk into the map on the key's owner
 * ({@link io.cloudburst.kvs.impl.StoredValue#join}: the highest generation wins, so a delete is not
 * undone by an older state elsewhere; equal generations merge their lattices). After a full restart
 * every member restores its disk, in any order, and the map holds the join of all of them: every
 * acknowledged write of every member that comes back. A member that rejoins a running cluster does
 * the same, and its older states change nothing. Hazelcast's own loading (one owner loads each key
 * from its own store) is not used: it would pick one member's state of a key.
 */
public final class ClusterDiskStore implements AutoCloseable {
  private static final System.Logger log = System.getLogger(ClusterDiskStore.class.getName());

  /** The directory under a node's data directory. */
  public static final String DIR = "cluster-kvs";

  /** How many restore merges are in flight at once. */
  private static final int WINDOW = 256;

  private final Path dir;
  private final LatticeStore disk;

  private ClusterDiskStore(Path dir, LatticeStore disk) {
    this.dir = dir;
    this.disk = disk;
  }

  /**
   * Opens (creating if needed) the store in {@code dir}.
   *
   * @throws io.cloudburst.bus.CloudburstException INTERNAL when RocksDB cannot open it (e.g.
   *     another process holds it)
   */
  public static ClusterDiskStore open(Path dir) {
    return new ClusterDiskStore(dir, LatticeStore.open(dir, Integer.MAX_VALUE));
  }

  /**
   * Adds the map ({@link ClusterKvsVerticle#configure}) with its write-through to this store to a
   * member's config; call it before creating the member.
   */
  public Config configure(Config config) {
    ClusterKvsVerticle.configure(config)
        .getMapConfig(ClusterKvsVerticle.MAP_NAME)
        .setMapStoreConfig(
            new MapStoreConfig()
                .setEnabled(true)
                .setImplementation(new DiskMapStore(disk))
                .setWriteDelaySeconds(0)
                .setInitialLoadMode(MapStoreConfig.InitialLoadMode.LAZY));
    return config;
  }

  /**
   * Joins every key of this store into the map of {@code hazelcast} (a data member configured with
   * {@link #configure}), each merge within {@code timeoutMs}; returns how many keys it read.
   *
   * @throws IllegalStateException when a merge fails or times out (the member must not serve with
   *     part of its data missing)
   */
  public long restore(HazelcastInstance hazelcast, long timeoutMs) {
    long t0 = System.nanoTime();
    IMap<String, byte[]> map = hazelcast.getMap(ClusterKvsVerticle.MAP_NAME);
    List<String> keys = new ArrayList<>(WINDOW);
    List<CompletableFuture<String>> window = new ArrayList<>(WINDOW);
    long[] count = {0};
    disk.forEachRaw(
        (key, bytes) -> {
          keys.add(key);
          window.add(map.submitToKey(key, new RestoreProcessor(bytes)).toCompletableFuture());
          count[0]++;
          if (window.size() == WINDOW) {
            await(keys, window, timeoutMs);
          }
        });
    await(keys, window, timeoutMs);
    log.log(
        System.Logger.Level.INFO,
        "restored "
            + count[0]
            + " keys from "
            + dir
            + " into the cluster map in "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)
            + " ms");
    return count[0];
  }

  private void await(List<String> keys, List<CompletableFuture<String>> window, long timeoutMs) {
    for (int i = 0; i < window.size(); i++) {
      String error;
      try {
        error = window.get(i).get(timeoutMs, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while restoring " + dir, e);
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException(
            "cannot restore '" + keys.get(i) + "' from " + dir + " into the cluster map: " + e, e);
      }
      if (error != null) {
        // A corrupt or conflicting state on this disk: the map keeps its own; the rest goes on.
        log.log(System.Logger.Level.WARNING, "not restored from " + dir + ": " + error);
      }
    }
    keys.clear();
    window.clear();
  }

  @Override
  public void close() {
    disk.close();
  }
}
