package io.cloudburst.kvs.impl;

import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.msg.NodeEvent;
import io.cloudburst.bus.txn.CommitRecord;
import io.cloudburst.bus.txn.TxnIds;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The cluster store's sweep of the commit records this member owns (the local keys of the map under
 * {@link TxnIds#RECORD_PREFIX}), so a commit cut off by a crash of any node is rolled forward on
 * failover, not only when that node restarts: {@link TxnSweep} chooses, this class reads and acts.
 *
 * <p><b>When.</b> A second and again five seconds after a node left (its records are rolled forward
 * at once, whatever their age: Hazelcast promotes the backups of the departed member's partitions
 * within that time, and this member may be the new owner); and every {@code periodMs}, the first
 * time one period after the store started (a slow sweep for records whose node lived but whose
 * applies failed, for records restored from disk after a restart of the whole cluster, and for the
 * retention). Not at once on start: a sweep then would make Hazelcast arrange the partitions of a
 * fresh cluster while its first member is still alone, and migrate them while the others join.
 *
 * <p><b>How.</b> A roll-forward joins each write into its key through the normal merge on the key's
 * owner ({@link MergeProcessor}; the owner's change listener pushes the merged state to every cache
 * holding the key), then joins the record's applied mark; a call that fails or times out leaves the
 * record unapplied for the next sweep. Joining a write twice changes nothing, so rolling forward a
 * record whose writes were in part or wholly applied, or one another member also rolls forward
 * during a migration, is harmless. Removal of applied records past the retention is {@link
 * TxnRecordRemoval}. Every Hazelcast call is bounded by {@code timeoutMs}; the scan runs off the
 * event loop. Sweeps never overlap: one asked for while one runs is skipped.
 */
public final class ClusterTxnSweeper {
  private static final System.Logger log = System.getLogger(ClusterTxnSweeper.class.getName());

  /** How long after a node left this member looks for its records (twice). */
  private static final long[] AFTER_LEFT_MS = {1_000, 5_000};

  /**
   * Timing and limits of the sweep.
   *
   * @param settleMs how old an unapplied record of a live node must be to be rolled forward
   * @param retentionMs how long applied records are kept (0: for good)
   * @param periodMs the interval of the slow sweep
   * @param timeoutMs the bound of each Hazelcast call
   * @param maxValueBytes the largest state a key may hold (as for a put)
   */
  public record Settings(
      long settleMs, long retentionMs, long periodMs, long timeoutMs, int maxValueBytes) {
    public Settings {
      if (settleMs < 0 || retentionMs < 0 || periodMs <= 0 || timeoutMs <= 0) {
        throw new IllegalArgumentException("invalid commit record sweep settings");
      }
    }
  }

  private final Vertx vertx;
  private final IMap<String, byte[]> map;
  private final Settings settings;
  private final LongSupplier clock;
  private final Map<String, Long> departed = new HashMap<>();
  private Context context;
  private MessageConsumer<NodeEvent> left;
  private long periodic = -1;
  private boolean running;
  private boolean stopped;

  public ClusterTxnSweeper(
      Vertx vertx, IMap<String, byte[]> map, Settings settings, LongSupplier clock) {
    this.vertx = vertx;
    this.map = map;
    this.settings = settings;
    this.clock = clock;
  }

  /** Starts listening for departed nodes and the periodic sweep. Call on a context. */
  public Future<Void> start() {
    context = vertx.getOrCreateContext();
    left = vertx.eventBus().localConsumer(Addresses.NODE_LEFT, m -> onLeft(m.body()));
    periodic = vertx.setPeriodic(settings.periodMs(), id -> sweepLogged("periodic"));
    return left.completion();
  }

  /** Stops the timers and the listener; a sweep in flight finishes on its own. */
  public Future<Void> stop() {
    stopped = true;
    if (periodic >= 0) {
      vertx.cancelTimer(periodic);
    }
    return left == null ? Future.succeededFuture() : left.unregister();
  }

  /**
   * Runs one sweep now (from any thread); completes with the plan it carried out, or an empty plan
   * when a sweep was already running.
   */
  public Future<TxnSweep.Plan> sweep() {
    Promise<TxnSweep.Plan> done = Promise.promise();
    context.runOnContext(v -> sweepOnContext().onComplete(done));
    return done.future();
  }

  private void onLeft(NodeEvent e) {
    if (!(e instanceof NodeEvent.NodeLeft l) || stopped) {
      return;
    }
    departed.put(l.nodeId(), clock.getAsLong());
    for (long delay : AFTER_LEFT_MS) {
      vertx.setTimer(delay, id -> sweepLogged("node " + l.nodeId() + " left"));
    }
  }

  private void sweepLogged(String why) {
    if (stopped) {
      return;
    }
    sweepOnContext()
        .onFailure(
            t ->
                log.log(
                    System.Logger.Level.WARNING,
                    "commit record sweep (" + why + ") failed, the next one retries: " + t));
  }

  private Future<TxnSweep.Plan> sweepOnContext() {
    if (running) {
      return Future.succeededFuture(new TxnSweep.Plan(List.of(), List.of()));
    }
    running = true;
    Map<String, Long> departedNow = Map.copyOf(departed);
    return vertx
        .executeBlocking(this::ownedRecords)
        .timeout(settings.timeoutMs(), TimeUnit.MILLISECONDS)
        .map(
            records ->
                TxnSweep.plan(
                    records,
                    clock.getAsLong(),
                    settings.settleMs(),
                    settings.retentionMs(),
                    departedNow))
        .compose(plan -> carryOut(plan).map(plan))
        .andThen(ar -> running = false);
  }

  /** The commit records among this member's own entries. Blocking. */
  private List<CommitRecord> ownedRecords() {
    // LIKE treats '_' as any one character: the prefix is checked again below.
    Set<String> keys = map.localKeySet(Predicates.like("__key", TxnIds.RECORD_PREFIX + "%"));
    List<CommitRecord> out = new ArrayList<>();
    for (String k : keys) {
      if (!k.startsWith(TxnIds.RECORD_PREFIX)) {
        continue;
      }
      try {
        Lattice state = StoredValue.latticeOf(StoredValue.decode(k, map.get(k)));
        if (state != null) {
          out.add(CommitRecord.fromLattice(state));
        }
      } catch (RuntimeException e) {
        log.log(System.Logger.Level.WARNING, "not a commit record: " + k + ": " + e);
      }
    }
    return out;
  }

  private Future<Void> carryOut(TxnSweep.Plan plan) {
    Future<Void> chain = Future.succeededFuture();
    for (CommitRecord r : plan.rollForward()) {
      chain = chain.compose(v -> rollForward(r));
    }
    if (!plan.remove().isEmpty()) {
      long before = clock.getAsLong() - settings.retentionMs();
      List<Future<Boolean>> removals = new ArrayList<>();
      for (String key : plan.remove()) {
        removals.add(bounded(map.submitToKey(key, new TxnRecordRemoval(before))));
      }
      chain =
          chain.compose(
              v ->
                  Future.all(removals)
                      .onSuccess(
                          all ->
                              log.log(
                                  System.Logger.Level.INFO,
                                  "removed "
                                      + plan.remove().size()
                                      + " applied commit records past their retention"))
                      .mapEmpty());
    }
    return chain;
  }

  private Future<Void> rollForward(CommitRecord r) {
    List<Future<MergeProcessor.Result>> writes = new ArrayList<>();
    r.writes().forEach((k, l) -> writes.add(merge(k, l)));
    return Future.all(writes)
        .compose(
            all -> {
              // A refused write (another lattice kind, too large) would be refused at every
              // sweep: logged, and the record marked all the same, as the embedded store does.
              for (int i = 0; i < all.size(); i++) {
                MergeProcessor.Result res = all.resultAt(i);
                if (res.error() != null) {
                  log.log(
                      System.Logger.Level.ERROR,
                      "rolling forward transaction " + r.txn() + ": " + res.message());
                }
              }
              return merge(TxnIds.recordKey(r.txn()), r.markApplied().toLattice());
            })
        .onSuccess(
            v ->
                log.log(
                    System.Logger.Level.INFO,
                    "rolled forward committed transaction "
                        + r.txn()
                        + " ("
                        + r.writes().size()
                        + " writes) on failover"))
        .mapEmpty();
  }

  private Future<MergeProcessor.Result> merge(String key, Lattice state) {
    return bounded(
        map.submitToKey(key, new MergeProcessor(state.encode(), settings.maxValueBytes(), -1)));
  }

  private <T> Future<T> bounded(CompletionStage<T> op) {
    return Future.fromCompletionStage(op, context)
        .timeout(settings.timeoutMs(), TimeUnit.MILLISECONDS);
  }
}
