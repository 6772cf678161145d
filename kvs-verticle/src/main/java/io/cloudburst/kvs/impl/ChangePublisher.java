package io.cloudburst.kvs.impl;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.msg.CacheEvent;
import io.vertx.core.eventbus.EventBus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * The cluster store's local entry listener: runs on the owner member's Hazelcast event threads for
 * every change of an entry it owns and publishes the key's state and generation on {@link
 * Addresses#KVS_CHANGES} (a null lattice for a tombstone). Publishing on the event bus is
 * thread-safe. Register it with values included.
 */
public final class ChangePublisher
    implements EntryAddedListener<String, byte[]>,
        EntryUpdatedListener<String, byte[]>,
        EntryRemovedListener<String, byte[]>,
        EntryMergedListener<String, byte[]> {
  private static final System.Logger log = System.getLogger(ChangePublisher.class.getName());

  private static final int BATCH = 256;

  private final EventBus bus;

  public ChangePublisher(EventBus bus) {
    this.bus = bus;
  }

  @Override
  public void entryAdded(EntryEvent<String, byte[]> e) {
    changed(e);
  }

  @Override
  public void entryUpdated(EntryEvent<String, byte[]> e) {
    changed(e);
  }

  @Override
  public void entryMerged(EntryEvent<String, byte[]> e) {
    changed(e);
  }

  /**
   * Deletes write tombstones, so only something outside the store removes an entry: told as a
   * delete.
   */
  @Override
  public void entryRemoved(EntryEvent<String, byte[]> e) {
    long generation = 1;
    try {
      generation = StoredValue.generationOf(StoredValue.decode(e.getKey(), e.getOldValue())) + 1;
    } catch (CloudburstException ex) {
      log.log(System.Logger.Level.WARNING, "removed entry: " + ex.getMessage());
    }
    bus.publish(Addresses.KVS_CHANGES, new CacheEvent.Update(e.getKey(), null, generation));
  }

  /**
   * Publishes the state of every key this member owns, as if each had just changed; blocking (a
   * worker thread). After a network partition heals, pushes made while the two sides' event buses
   * did not see each other's subscribers are lost, so every cache may hold one side's state of a
   * key; the owners' states (already joined by the merge) bring them up to date, since caches merge
   * what they receive.
   *
   * @return how many keys it published
   */
  public int publishOwned(IMap<String, byte[]> map) {
    List<String> keys = new ArrayList<>(map.localKeySet());
    for (int from = 0; from < keys.size(); from += BATCH) {
      Map<String, byte[]> values =
          map.getAll(new HashSet<>(keys.subList(from, Math.min(keys.size(), from + BATCH))));
      for (Map.Entry<String, byte[]> e : values.entrySet()) {
        publish(e.getKey(), e.getValue());
      }
    }
    return keys.size();
  }

  private void changed(EntryEvent<String, byte[]> e) {
    publish(e.getKey(), e.getValue());
  }

  private void publish(String key, byte[] bytes) {
    StoredValue v;
    try {
      v = StoredValue.decode(key, bytes);
    } catch (CloudburstException ex) {
      log.log(System.Logger.Level.ERROR, "not pushing an update: " + ex.getMessage());
      return;
    }
    if (v != null) {
      bus.publish(Addresses.KVS_CHANGES, new CacheEvent.Update(key, v.lattice(), v.generation()));
    }
  }
}
