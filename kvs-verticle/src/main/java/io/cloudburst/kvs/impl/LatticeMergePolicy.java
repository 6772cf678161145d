package io.cloudburst.kvs.impl;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingEntry;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;
import io.cloudburst.bus.CloudburstException;

/**
 * The cluster map's split-brain merge: when a network partition heals, Hazelcast hands each entry
 * of the smaller side to the larger side's owner of its key, and this policy answers with the join
 * ({@link StoredValue#join}) of the two states: sets hold the union, LWW keys the later write,
 * counters every node's increments, and a delete made on either side stays (higher generation). It
 * never picks one side's state over the other's, so a write acknowledged on either side survives.
 *
 * <p>Hazelcast stores the answer like any other change: on the key's owner, written through to its
 * disk ({@link DiskMapStore}, which joins it with the disk's state again), with its backup.
 *
 * <p>Values are the map's {@link StoredValue} bytes. A state that does not decode, or two live
 * values of different lattice kinds at one generation (which puts never make), cannot be joined:
 * the policy keeps the existing state and logs both, rather than fail the whole merge.
 *
 * <p>Hazelcast instantiates the policy by class name on every member and may ship it inside merge
 * operations, hence {@link SplitBrainMergePolicy}'s {@code DataSerializable}; it has no state.
 */
public final class LatticeMergePolicy
    implements SplitBrainMergePolicy<Object, MergingValue<Object>, Object> {
  private static final System.Logger log = System.getLogger(LatticeMergePolicy.class.getName());

  /** For Hazelcast, which creates the policy from its class name. */
  public LatticeMergePolicy() {}

  @Override
  public Object merge(MergingValue<Object> merging, MergingValue<Object> existing) {
    Object incoming = merging == null ? null : merging.getValue();
    Object current = existing == null ? null : existing.getValue();
    if (incoming == null || current == null) {
      return incoming == null ? current : incoming;
    }
    if (!(incoming instanceof byte[] in) || !(current instanceof byte[] cur)) {
      log.log(
          System.Logger.Level.WARNING,
          "split-brain merge: a value that is not stored bytes ("
              + incoming.getClass().getName()
              + ", "
              + current.getClass().getName()
              + "); keeping the existing one");
      return current;
    }
    return join(
        merging instanceof MergingEntry<?, ?> e ? String.valueOf(e.getKey()) : "?", cur, in);
  }

  /**
   * The bytes of the join of two stored states of one key; {@code current} itself when the join is
   * it (so Hazelcast sees no change), or when the two cannot be joined.
   */
  static byte[] join(String key, byte[] current, byte[] incoming) {
    try {
      StoredValue a = StoredValue.decode(key, current);
      StoredValue joined = StoredValue.join(a, StoredValue.decode(key, incoming));
      return joined.equals(a) ? current : joined.encode();
    } catch (CloudburstException | IllegalArgumentException | ArithmeticException e) {
      log.log(
          System.Logger.Level.WARNING,
          "split-brain merge: two states of '"
              + key
              + "' do not join; keeping the existing one: "
              + e);
      return current;
    }
  }

  @Override
  public void writeData(ObjectDataOutput out) {
    // no state
  }

  @Override
  public void readData(ObjectDataInput in) {
    // no state
  }
}
