package io.cloudburst.bus.txn;

import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.Lattices;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.value.Bytes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an atomic call's commit writes, as one key ({@link TxnIds#recordKey}) in the store before
 * any of its writes is applied: once it is durable, the call has committed, and whoever finds it
 * not {@code applied} (recovery after a crash) applies the writes again (lattice joins, so applying
 * twice is harmless). Readers use it to learn which keys a transaction wrote together ({@link
 * ReadAtomic}); a repeat of the request id gets the first outcome from it.
 *
 * @param txn the transaction id
 * @param callId the call that committed
 * @param requestId the request id of the call, or null
 * @param function the function or DAG called
 * @param timestamp commit time, epoch millis
 * @param writes the state to join into each key
 * @param result the call's result (a user value)
 * @param applied whether every write has been applied
 */
public record CommitRecord(
    String txn,
    String callId,
    String requestId,
    String function,
    long timestamp,
    Map<String, Lattice> writes,
    Object result,
    boolean applied) {
  public CommitRecord {
    writes = Map.copyOf(writes);
  }

  /** This record marked applied. */
  public CommitRecord markApplied() {
    return new CommitRecord(txn, callId, requestId, function, timestamp, writes, result, true);
  }

  /**
   * The record as the store keeps it: a last-writer-wins value written by the transaction's stamp
   * at the commit time (one later for the applied mark, so it wins over the first write).
   */
  public Lattice toLattice() {
    Map<String, Object> ws = new TreeMap<>();
    writes.forEach((k, l) -> ws.put(k, new Bytes(l.encode())));
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("txn", txn);
    v.put("call", callId);
    v.put("request", requestId);
    v.put("function", function);
    v.put("ts", timestamp);
    v.put("writes", ws);
    v.put("result", result);
    v.put("applied", applied);
    return new LwwLattice(timestamp + (applied ? 1 : 0), TxnIds.stamp(txn), v);
  }

  /**
   * Reads a record back from what {@link #toLattice} stored.
   *
   * @throws IllegalArgumentException for a state that is not a commit record
   */
  @SuppressWarnings("unchecked")
  public static CommitRecord fromLattice(Lattice stored) {
    if (!(stored instanceof LwwLattice l) || !(l.value() instanceof Map<?, ?> raw)) {
      throw new IllegalArgumentException("not a commit record: " + stored);
    }
    Map<String, Object> v = (Map<String, Object>) raw;
    Map<String, Lattice> writes = new LinkedHashMap<>();
    ((Map<String, Object>) v.get("writes"))
        .forEach((k, b) -> writes.put(k, Lattices.decode(((Bytes) b).data())));
    return new CommitRecord(
        (String) v.get("txn"),
        (String) v.get("call"),
        (String) v.get("request"),
        (String) v.get("function"),
        ((Number) v.get("ts")).longValue(),
        writes,
        v.get("result"),
        Boolean.TRUE.equals(v.get("applied")));
  }
}
