package io.cloudburst.kvs.impl;

import com.hazelcast.map.MapStore;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The cluster map's write-through to one member's disk: Hazelcast calls {@link #store} on a key's
 * owner, synchronously inside the put (write delay 0), before the put completes, and each call is a
 * synced RocksDB write ({@link LatticeStore#writeRaw}); so an acknowledged put or delete (a
 * tombstone is a stored value like any other) is on the owner's disk. Values are stored as the map
 * holds them ({@link StoredValue} bytes, already merged on the owner).
 *
 * <p>It loads nothing: {@link #load} and {@link #loadAllKeys} find no keys. A key may sit on the
 * disks of several members (ownership moves on migration and crashes, and Hazelcast's one-owner
 * load would pick one of them), so each member instead joins its whole disk into the map when it
 * starts ({@link RestoreProcessor}).
 */
public final class DiskMapStore implements MapStore<String, byte[]> {
  private final LatticeStore disk;

  public DiskMapStore(LatticeStore disk) {
    this.disk = disk;
  }

  @Override
  public void store(String key, byte[] value) {
    disk.writeRaw(Map.of(key, value), List.of());
  }

  @Override
  public void storeAll(Map<String, byte[]> values) {
    disk.writeRaw(values, List.of());
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
}
