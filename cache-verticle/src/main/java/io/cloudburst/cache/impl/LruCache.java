package io.cloudburst.cache.impl;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A least-recently-used map bounded by the bytes of its entries (sizes given by the caller). Not
 * thread-safe; the cache verticle confines it to its event loop.
 *
 * @param <V> the entry type
 */
public final class LruCache<V> {
  private record Entry<V>(V value, long size) {}

  private final long maxBytes;
  // Insertion order, and get() re-inserts: iteration starts at the least recently used entry,
  // while peek() can read without reordering (an access-ordered map reorders on every read).
  private final LinkedHashMap<String, Entry<V>> entries = new LinkedHashMap<>();
  private long bytes;
  private long evictions;

  public LruCache(long maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive");
    }
    this.maxBytes = maxBytes;
  }

  /** The entry, marked as just used; null when absent. */
  public V get(String key) {
    Entry<V> e = entries.remove(key);
    if (e == null) {
      return null;
    }
    entries.put(key, e);
    return e.value();
  }

  /** The entry without marking it used; null when absent. */
  public V peek(String key) {
    Entry<V> e = entries.get(key);
    return e == null ? null : e.value();
  }

  public boolean contains(String key) {
    return entries.containsKey(key);
  }

  /**
   * Inserts or replaces an entry of {@code size} bytes as the most recently used, then evicts least
   * recently used entries until the total fits. An entry larger than the whole bound is not kept
   * (an older entry of its key is dropped).
   *
   * @return the keys no longer held because of this put (may include {@code key} itself)
   */
  public List<String> put(String key, V value, long size) {
    if (size < 0) {
      throw new IllegalArgumentException("negative size");
    }
    Entry<V> old = entries.remove(key);
    if (old != null) {
      bytes -= old.size();
    }
    List<String> evicted = new ArrayList<>(0);
    if (size > maxBytes) {
      evicted.add(key);
      evictions++;
      return evicted;
    }
    entries.put(key, new Entry<>(value, size));
    bytes += size;
    Iterator<Map.Entry<String, Entry<V>>> it = entries.entrySet().iterator();
    while (bytes > maxBytes && it.hasNext()) {
      Map.Entry<String, Entry<V>> lru = it.next();
      it.remove();
      bytes -= lru.getValue().size();
      evicted.add(lru.getKey());
      evictions++;
    }
    return evicted;
  }

  /** Removes an entry (not counted as an eviction); true when it was there. */
  public boolean remove(String key) {
    Entry<V> old = entries.remove(key);
    if (old != null) {
      bytes -= old.size();
      return true;
    }
    return false;
  }

  /** The keys, least recently used first. */
  public List<String> keys() {
    return new ArrayList<>(entries.keySet());
  }

  public int size() {
    return entries.size();
  }

  /** The bytes the entries take. */
  public long bytes() {
    return bytes;
  }

  public long maxBytes() {
    return maxBytes;
  }

  /** How many entries were evicted to stay within the bound. */
  public long evictions() {
    return evictions;
  }
}
