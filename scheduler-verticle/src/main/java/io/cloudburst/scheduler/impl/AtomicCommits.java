package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.txn.CommitRecord;
import io.cloudburst.bus.txn.TxnIds;
import io.cloudburst.bus.txn.WriteBuffer;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The commit of atomic calls, in the scheduler that ran them, once the call (every sink) is done
 * and before it is reported:
 *
 * <ol>
 *   <li>one commit record ({@link CommitRecord}: the writes and the result) is written durably to
 *       the store under {@link TxnIds#recordKey}; from then on the call has committed;
 *   <li>every write is joined into its key through this node's cache, the normal merge path, so
 *       every cache holding the key gets it;
 *   <li>the record is marked applied (not waited for: recovery re-applies an unmarked record, which
 *       is harmless since applying is a lattice join).
 * </ol>
 *
 * A call that fails, passes its deadline or is cancelled never gets here: its buffer is dropped
 * with its result, and nothing of it was ever written (the abort).
 */
public final class AtomicCommits {
  private static final System.Logger log = System.getLogger(AtomicCommits.class.getName());

  private final CommitGateway store;
  private final CrashHook crash;
  private final LongSupplier clock;

  public AtomicCommits(CommitGateway store, CrashHook crash, LongSupplier clock) {
    this.store = store;
    this.crash = crash;
    this.clock = clock;
  }

  /** Commits that fail every atomic call (a scheduler without a store). */
  public static AtomicCommits none() {
    return new AtomicCommits(
        CommitGateway.none(), CrashHook.parse(null), System::currentTimeMillis);
  }

  /**
   * The commit record of transaction {@code txn}, if it has committed: how a repeat of a request id
   * (even after a restart) answers the first outcome instead of running again.
   */
  public Future<CommitRecord> committed(String txn) {
    return store
        .readRecord(TxnIds.recordKey(txn))
        .map(l -> l == null ? null : CommitRecord.fromLattice(l));
  }

  /**
   * Commits a finished atomic call: {@code res} without its buffer once every write is applied, or
   * a failure when the commit record could not be written (then nothing was).
   */
  public Future<CallResult> commit(String txn, String requestId, CallResult res) {
    Map<String, Lattice> writes = res.writes();
    CallResult reported = res.withWrites(null);
    if (res.status() != CallResult.Status.DONE) {
      return Future.succeededFuture(reported); // the abort: the buffer goes with the result
    }
    if (writes == null || (writes.isEmpty() && requestId == null)) {
      // Not a run's outcome (a replayed one), or nothing to make visible and no outcome to keep.
      return Future.succeededFuture(reported);
    }
    Map<String, Lattice> all;
    try {
      all = WriteBuffer.joinAll(writes); // the bound, checked once more where branches met
    } catch (CloudburstException e) {
      return Future.succeededFuture(failed(reported, e));
    }
    CommitRecord record =
        new CommitRecord(
            txn, res.id(), requestId, res.function(), clock.getAsLong(), all, res.result(), false);
    String key = TxnIds.recordKey(txn);
    return store
        .writeRecord(key, record.toLattice())
        .recover(
            t ->
                Future.failedFuture(
                    new NotCommitted(CloudburstException.from(t).code(), t.getMessage())))
        .compose(
            v -> {
              crash.at("after-record", 0);
              return applyAll(all);
            })
        .map(
            v -> {
              crash.at("after-apply", all.size());
              store
                  .writeRecord(key, record.markApplied().toLattice())
                  .onFailure(
                      t ->
                          log.log(
                              System.Logger.Level.WARNING,
                              "commit record of " + txn + " not marked applied: " + t));
              return reported;
            })
        .recover(
            t -> {
              if (t instanceof NotCommitted nc) {
                return Future.succeededFuture(
                    failed(
                        reported,
                        CloudburstException.of(
                            nc.code,
                            "atomic call "
                                + res.id()
                                + " could not commit (nothing was written): "
                                + nc.getMessage())));
              }
              // Committed: the record is durable, and recovery rolls the rest forward.
              log.log(
                  System.Logger.Level.ERROR,
                  "atomic call " + res.id() + " committed but not every write applied yet",
                  t);
              return Future.succeededFuture(reported);
            });
  }

  /**
   * The writes joined into their keys, all at once; the crash hook counts them as they are
   * acknowledged.
   */
  public Future<Void> applyAll(Map<String, Lattice> writes) {
    AtomicInteger applied = new AtomicInteger();
    List<Future<Void>> all = new ArrayList<>();
    writes.forEach(
        (k, l) ->
            all.add(
                store.apply(k, l).andThen(ar -> crash.at("mid-apply", applied.incrementAndGet()))));
    return Future.all(all).mapEmpty();
  }

  private static CallResult failed(CallResult res, CloudburstException e) {
    return CallResult.failed(
        res.id(), res.function(), e, res.logs(), res.executor(), res.durationMicros());
  }

  /** The commit record could not be written: the call did not commit. */
  private static final class NotCommitted extends RuntimeException {
    final io.cloudburst.bus.ErrorCode code;

    NotCommitted(io.cloudburst.bus.ErrorCode code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }
}
