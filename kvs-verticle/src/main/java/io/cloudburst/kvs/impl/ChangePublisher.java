package io.cloudburst.kvs.impl;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.msg.CacheEvent;
import io.vertx.core.eventbus.EventBus;

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

  private void changed(EntryEvent<String, byte[]> e) {
    StoredValue v;
    try {
      v = StoredValue.decode(e.getKey(), e.getValue());
    } catch (CloudburstException ex) {
      log.log(System.Logger.Level.ERROR, "not pushing an update: " + ex.getMessage());
      return;
    }
    if (v != null) {
      bus.publish(
          Addresses.KVS_CHANGES, new CacheEvent.Update(e.getKey(), v.lattice(), v.generation()));
    }
  }
}
