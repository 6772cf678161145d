package io.cloudburst.kvs.impl;

import com.hazelcast.map.MapStore;
import io.cloudburst.bus.CloudburstException;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The cluster map's write-through to one member's disk: Hazelcast calls {@link #store} on a key's
 * owner, synchronously inside the put (write delay 0), before the put completes, and each call is a
 * synced RocksDB write ({@link LatticeStore#writeRaw}); so an acknowledged put or delete (a
 * tombstone is a stored value like any other) is on the owner's disk.
 *
 * <p><b>The disk only grows.</b> A store writes the join ({@link StoredValue#join}) of the map's
 * new state and the state already on this disk, never the map's state alone: the disk may hold a
 * state the map has not seen yet (on a restart, another member's restore can write to this member
 * before this member restored its own disk), and overwriting it would lose it. The read-join-write
 * of a key holds one of {@link #STRIPES} locks, so two stores of one key never interleave.
 *
 * <p>It loads nothing: {@link #load} and {@link #loadAllKeys} find no keys. A key may sit on the
 * disks of several members (ownership moves on migration and crashes, and Hazelcast's one-owner
 * load would pick one of them), so each member instead joins its whole disk into the map when it
 * starts ({@link RestoreProcessor}).
 */
public final class DiskMapStore implements MapStore<String, byte[]> {
  private static final System.Logger log = System.getLogger(DiskMapStore.class.getName());

  private static final int STRIPES = 64;

  private final LatticeStore disk;
  private final Object[] locks = new Object[STRIPES];

  public DiskMapStore(LatticeStore disk) {
    this.disk = disk;
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  @Override
  public void store(String key, byte[] value) {
    synchronized (locks[Math.floorMod(key.hashCode(), STRIPES)]) {
      disk.writeRaw(Map.of(key, join(key, disk.getRaw(key), value)), List.of());
    }
  }

  @Override
  public void storeAll(Map<String, byte[]> values) {
    for (Map.Entry<String, byte[]> e : values.entrySet()) {
      store(e.getKey(), e.getValue());
    }
  }

  /** Only for removals from the map, which the store never makes (a delete is a tombstone). */
  @Override
  public void delete(String key) {
    disk.writeRaw(Map.of(), List.of(key));
  }

  @Override
  public void deleteAll(Collection<String> keys) {
    disk.writeRaw(Map.of(), keys);
  }

  @Override
  public byte[] load(String key) {
    return null;
  }

  @Override
  public Map<String, byte[]> loadAll(Collection<String> keys) {
    return Map.of();
  }

  @Override
  public Iterable<String> loadAllKeys() {
    return null;
  }

  /** The bytes of the join of the disk's state and the map's; the map's when the disk's is bad. */
  private static byte[] join(String key, byte[] onDisk, byte[] fromMap) {
    if (onDisk == null) {
      return fromMap;
    }
    try {
      StoredValue incoming = StoredValue.decode(key, fromMap);
      StoredValue joined = StoredValue.join(StoredValue.decode(key, onDisk), incoming);
      return joined == incoming ? fromMap : joined.encode();
    } catch (CloudburstException | IllegalArgumentException | ArithmeticException e) {
      log.log(
          System.Logger.Level.WARNING,
          "the disk's state of '" + key + "' does not join the map's; keeping the map's: " + e);
      return fromMap;
    }
  }
}
