// Over 400 lines (as formatted): the cluster store's request handling, its Hazelcast map setup and
// its failure mapping are one protocol; the merge, delete, push and commit-sweep parts are in
// impl/. The re-publish after a partition heals (its MERGED listener and topic) still lives here
// and is the next piece to move out (into impl/, beside ChangePublisher).
package io.cloudburst.kvs;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.HazelcastOverloadException;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.OperationTimeoutException;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.NoDataMemberInClusterException;
import com.hazelcast.query.Predicates;
import com.hazelcast.spi.exception.RetryableHazelcastException;
import com.hazelcast.topic.ITopic;
import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.Replies;
import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.KvsRequest;
import io.cloudburst.kvs.impl.ChangePublisher;
import io.cloudburst.kvs.impl.ClusterTxnSweeper;
import io.cloudburst.kvs.impl.DeleteProcessor;
import io.cloudburst.kvs.impl.KvsChecks;
import io.cloudburst.kvs.impl.LatticeMergePolicy;
import io.cloudburst.kvs.impl.MergeProcessor;
import io.cloudburst.kvs.impl.StoredValue;
import io.cloudburst.kvs.impl.Subscriptions;
import io.cloudburst.kvs.impl.TxnSweep;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The store of a node in cluster mode: serves {@link Addresses#KVS} ({@link KvsRequest}) for this
 * node's cache, scheduler and web front with the same replies and error codes as {@link
 * KvsVerticle}, but keeps the lattices in one partitioned Hazelcast map, {@value #MAP_NAME}, shared
 * by every node. The consumer is node-local: each node's own store answers its own requests.
 *
 * <p><b>Partitioning and merging.</b> Hazelcast assigns each key to a partition, and each partition
 * to an owner member and a backup member; no home-made ring. A put merges on the key's owner
 * through an entry processor ({@link MergeProcessor}): Hazelcast runs one partition's operations
 * one at a time, so the read-merge-write of a key is never interleaved with another, whichever node
 * the puts come from. A put of another lattice kind fails with CONFLICT and stores nothing; so does
 * a merged state over {@link KvsOptions#maxValueBytes()} (PAYLOAD_TOO_LARGE).
 *
 * <p><b>Deletes</b> follow the rules of {@link KvsVerticle}: a delete leaves a tombstone one
 * generation up ({@link DeleteProcessor}, on the owner like a put), and a put whose base generation
 * is below the key's is refused with {@link KvsReply.Stale} inside the {@link MergeProcessor}.
 * Tombstones stay in the map (and on disk) until their key is written again (no retention bound:
 * the map lives only as long as the cluster does); pushed updates carry the key's generation.
 *
 * <p><b>Atomic commits cut off.</b> A storage member sweeps the commit records it owns ({@link
 * ClusterTxnSweeper}): after a node left, and every {@code txnSweepMs} of the config (default
 * {@value #DEFAULT_TXN_SWEEP_MS} ms), it rolls forward the records not marked applied whose node
 * left or that are older than {@link Deadlines#COMMIT_MS}, and removes applied records older than
 * {@link KvsOptions#tombstoneRetentionHours()}.
 *
 * <p><b>Acknowledged means replicated.</b> {@link #configure} gives the map one synchronous backup
 * and no asynchronous one ({@code backupCount 1, asyncBackupCount 0}): Hazelcast completes a
 * mutating call only after the owner applied it and the backup member acknowledged its copy, so a
 * put or delete is answered only once two members hold it, and one member's crash loses no
 * acknowledged write (the backup is promoted and a new backup made). The backup runs the same
 * deterministic, idempotent processor on its copy, so it reaches the same state. Reads go to the
 * owner ({@code readBackupData false}), so a node reads its own acknowledged writes. Values are
 * stored as {@link StoredValue} bytes ({@code BINARY}). With {@link ClusterDiskStore} (as nodes
 * run) the owner also writes each change through to its disk before the change is acknowledged, and
 * a restarted cluster joins its members' disks back into the map; without it (this method alone)
 * the data lives only as long as enough members do.
 *
 * <p><b>Pushed updates.</b> Caches subscribe exactly as with {@link KvsVerticle} (the {@code
 * subscriber} of Get, GetMany and Put, or Subscribe/Unsubscribe), to this node's store, which keeps
 * them in a node-local table. Every member listens to the entries it owns ({@code
 * addLocalEntryListener}: changes by entry processors, removes, and, after a migration or a crash,
 * the entries it took over); for each change it publishes the key's merged state (null after a
 * delete) and generation as a {@link CacheEvent.Update} on the cluster-wide {@link
 * Addresses#KVS_CHANGES} ({@link ChangePublisher}). Every node's store receives it and sends it to
 * {@link Addresses#cacheUpdates} of each local subscriber of the key (after a delete it also drops
 * the key's subscriptions). Updates of a key leave its owner in order, but may overlap a put's
 * reply or arrive twice (e.g. a compute-only node that both wrote and subscribed); caches merge
 * every update, and a merge is commutative and idempotent, so order and duplicates are harmless. A
 * put's subscriber is counted as one while the put is in flight, so an update made just after the
 * put, which can arrive before its reply, is not missed. An update the owner had not published yet
 * when it crashed is lost to the caches (the data itself is safe); the next change of the key
 * brings them up to date.
 *
 * <p><b>Network partitions.</b> When members are cut apart, each side goes on alone (Hazelcast
 * promotes backups; a key whose owner and backup were both on the other side reads as absent on
 * this one) and takes writes. When the link comes back, Hazelcast merges the smaller side into the
 * larger one, and the map's merge policy ({@link LatticeMergePolicy}) joins each key's two states,
 * written through to the owner's disk; then every owner publishes its keys again (pushes made
 * across the cut were lost), so every cache ends up with the joined state.
 *
 * <p><b>Bounded calls.</b> Every Hazelcast call is asynchronous (nothing blocks the event loop) and
 * bounded: with no answer within {@code timeoutMs} of the config (default {@value
 * #DEFAULT_TIMEOUT_MS} ms) the request fails with TIMEOUT, whose outcome is unknown (a put may
 * still land; retrying it is safe, merges are idempotent). A cluster without a storage member fails
 * requests with NO_RESOURCES, other Hazelcast failures with a coded {@link CloudburstException}; no
 * request goes unanswered.
 *
 * <p>A compute-only node is a Hazelcast lite member: it owns no partitions, so its listener never
 * fires, but it reads, writes and receives pushed updates like any node. {@link #stop()} leaves the
 * Hazelcast member running: the node owns it.
 */
public final class ClusterKvsVerticle extends VerticleBase {
  private static final System.Logger log = System.getLogger(ClusterKvsVerticle.class.getName());

  /** The partitioned map of every node's lattices, key to {@link StoredValue} bytes. */
  public static final String MAP_NAME = "cloudburst-kvs";

  /** How long a Hazelcast call may take when the config names no {@code timeoutMs}. */
  public static final long DEFAULT_TIMEOUT_MS = 10_000;

  /** How often a storage member sweeps its commit records when the config names no txnSweepMs. */
  public static final long DEFAULT_TXN_SWEEP_MS = 60_000;

  /** Where a member that merged after a partition tells the others (its node id). */
  static final String MERGED_TOPIC = "cloudburst-kvs-merged";

  /** How long after a heal the owners publish their keys again. */
  static final long RESYNC_DELAY_MS = 2_000;

  private final HazelcastInstance hazelcast;
  private ChangePublisher publisher;
  private UUID mergedListener;
  private UUID topicListener;
  private KvsOptions options;
  private long timeoutMs;
  private IMap<String, byte[]> map;
  private UUID listener;
  private MessageConsumer<KvsRequest> requests;
  private MessageConsumer<CacheEvent> changes;
  private ClusterTxnSweeper sweeper;
  private final Subscriptions subscriptions = new Subscriptions();

  /** Per key, the subscribers of puts in flight (node id to count). */
  private final Map<String, Map<String, Integer>> pendingSubscribers = new HashMap<>();

  private int inFlight;
  private Promise<Void> idle;

  /**
   * @param hazelcast this node's member (data or lite), configured with {@link #configure}
   */
  public ClusterKvsVerticle(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
  }

  /**
   * Adds the store's map to a member's config; call it on every member's config before creating the
   * instance: one synchronous backup, no asynchronous one, reads from the owner only, values kept
   * as bytes, and after a network partition heals, each key's states from both sides joined ({@link
   * LatticeMergePolicy}), never one side's picked.
   */
  public static Config configure(Config config) {
    config.addMapConfig(
        new MapConfig(MAP_NAME)
            .setBackupCount(1)
            .setAsyncBackupCount(0)
            .setReadBackupData(false)
            .setInMemoryFormat(InMemoryFormat.BINARY)
            .setMergePolicyConfig(
                new MergePolicyConfig(
                    LatticeMergePolicy.class.getName(), MergePolicyConfig.DEFAULT_BATCH_SIZE)));
    return config;
  }

  @Override
  public Future<?> start() {
    options = KvsOptions.fromJson(config());
    timeoutMs = config().getLong("timeoutMs", DEFAULT_TIMEOUT_MS);
    if (timeoutMs <= 0) {
      throw new IllegalArgumentException("invalid kvs option: timeoutMs");
    }
    // getMap may talk to other members (proxy creation): off the event loop.
    return vertx
        .executeBlocking(
            () -> {
              IMap<String, byte[]> m = hazelcast.getMap(MAP_NAME);
              publisher = new ChangePublisher(vertx.eventBus());
              UUID id = m.addLocalEntryListener(publisher, Predicates.alwaysTrue(), true);
              map = m;
              listenForHeals();
              return id;
            })
        .compose(
            id -> {
              listener = id;
              requests = vertx.eventBus().localConsumer(Addresses.KVS, this::handle);
              changes = vertx.eventBus().consumer(Addresses.KVS_CHANGES, this::onChange);
              return Future.all(requests.completion(), changes.completion());
            })
        .compose(v -> startSweeper())
        .onSuccess(
            v ->
                log.log(
                    System.Logger.Level.INFO,
                    "kvs of node "
                        + options.nodeId()
                        + " on the cluster map "
                        + MAP_NAME
                        + (hazelcast.getCluster().getLocalMember().isLiteMember()
                            ? " (lite member, holds no data)"
                            : "")));
  }

  /**
   * After a partition heals, every owner publishes its keys again (see {@link
   * ChangePublisher#publishOwned}): the member of the smaller side sees its own MERGED event and
   * tells the others on {@value #MERGED_TOPIC}. Each waits {@value #RESYNC_DELAY_MS} ms first, so
   * that Vert.x has re-registered the merged member's consumers, which the pushes must reach.
   */
  private void listenForHeals() {
    ITopic<String> topic = hazelcast.getTopic(MERGED_TOPIC);
    mergedListener =
        hazelcast
            .getLifecycleService()
            .addLifecycleListener(
                e -> {
                  if (e.getState() == LifecycleEvent.LifecycleState.MERGED) {
                    resyncSoon("this member merged into the larger side");
                    topic.publishAsync(options.nodeId());
                  }
                });
    topicListener =
        topic.addMessageListener(
            m -> {
              if (!m.getPublishingMember().localMember()) {
                resyncSoon("node " + m.getMessageObject() + " merged into this side");
              }
            });
  }

  private void resyncSoon(String why) {
    vertx.setTimer(
        RESYNC_DELAY_MS,
        t ->
            vertx
                .executeBlocking(() -> publisher.publishOwned(map))
                .onSuccess(
                    n ->
                        log.log(
                            System.Logger.Level.INFO,
                            "partition healed ("
                                + why
                                + "): published the merged state of the "
                                + n
                                + " keys this member owns"))
                .onFailure(
                    e ->
                        log.log(
                            System.Logger.Level.WARNING,
                            "partition healed (" + why + "), but republishing owned keys failed",
                            e)));
  }

  /**
   * Stops taking requests and pushing updates, answers every request in flight (each is bounded by
   * the timeout), and removes the entry listener. The Hazelcast member keeps running.
   */
  @Override
  public Future<?> stop() {
    List<Future<Void>> unregistered = new ArrayList<>();
    if (requests != null) {
      unregistered.add(requests.unregister());
    }
    if (changes != null) {
      unregistered.add(changes.unregister());
    }
    if (sweeper != null) {
      unregistered.add(sweeper.stop());
    }
    return Future.join(unregistered)
        .transform(
            ar -> {
              idle = Promise.promise();
              checkIdle();
              return idle.future();
            })
        .compose(
            v ->
                listener == null
                    ? Future.succeededFuture()
                    : vertx.executeBlocking(
                        () -> {
                          try {
                            hazelcast.getLifecycleService().removeLifecycleListener(mergedListener);
                            hazelcast.getTopic(MERGED_TOPIC).removeMessageListener(topicListener);
                            map.removeEntryListener(listener);
                          } catch (HazelcastInstanceNotActiveException e) {
                            // The member is gone (e.g. the node was killed): so is its listener.
                          }
                          return null;
                        }));
  }

  /**
   * How many (key, node) subscriptions this node holds; safe to call from any thread (tests,
   * metrics).
   */
  public int subscriptionCount() {
    return subscriptions.size();
  }

  /**
   * Sweeps the commit records this member owns now (see {@link ClusterTxnSweeper}), from any
   * thread; fails on a lite member, which owns none.
   */
  public Future<TxnSweep.Plan> sweepCommitRecords() {
    return sweeper == null
        ? Future.failedFuture(new IllegalStateException("a lite member owns no commit records"))
        : sweeper.sweep();
  }

  /** A storage member rolls forward cut-off atomic commits it owns (config: txnSweepMs). */
  private Future<Void> startSweeper() {
    if (hazelcast.getCluster().getLocalMember().isLiteMember()) {
      return Future.succeededFuture();
    }
    long periodMs = config().getLong("txnSweepMs", DEFAULT_TXN_SWEEP_MS);
    sweeper =
        new ClusterTxnSweeper(
            vertx,
            map,
            new ClusterTxnSweeper.Settings(
                Deadlines.COMMIT_MS,
                options.tombstoneRetentionMs(),
                periodMs,
                timeoutMs,
                options.maxValueBytes()),
            System::currentTimeMillis);
    return sweeper.start();
  }

  private void handle(Message<KvsRequest> m) {
    try {
      switch (m.body()) {
        case KvsRequest.Put p -> {
          KvsChecks.checkKey(p.key(), options.maxKeyBytes());
          if (p.lattice() == null) {
            throw CloudburstException.badRequest("put of '" + p.key() + "' has no lattice");
          }
          put(m, p);
        }
        case KvsRequest.Delete d -> {
          KvsChecks.checkKey(d.key(), options.maxKeyBytes());
          String key = d.key();
          call(
                  "delete '" + key + "'",
                  () -> map.submitToKey(key, new DeleteProcessor(System.currentTimeMillis())),
                  r -> {
                    if (r.error() != null) {
                      throw CloudburstException.internal(r.error());
                    }
                    return new KvsReply.Deleted(key, r.existed(), r.generation());
                  })
              .onSuccess(m::reply)
              .onFailure(t -> Replies.fail(m, (CloudburstException) t));
        }
        case KvsRequest.Get g -> {
          KvsChecks.checkKey(g.key(), options.maxKeyBytes());
          String key = g.key();
          // Registered before the read, so no later update is missed.
          subscribe(g.subscriber(), List.of(key));
          call("read '" + key + "'", () -> map.getAsync(key), b -> StoredValue.decode(key, b))
              .onSuccess(
                  v ->
                      m.reply(
                          new KvsReply.Found(
                              key, StoredValue.latticeOf(v), StoredValue.generationOf(v))))
              .onFailure(t -> Replies.fail(m, (CloudburstException) t));
        }
        case KvsRequest.GetMany g -> {
          for (String k : g.keys()) {
            KvsChecks.checkKey(k, options.maxKeyBytes());
          }
          subscribe(g.subscriber(), g.keys());
          getMany(m, List.copyOf(new LinkedHashSet<>(g.keys())));
        }
        case KvsRequest.Subscribe s -> KvsChecks.subscription(m, s, subscriptions);
        case KvsRequest.Unsubscribe u -> KvsChecks.subscription(m, u, subscriptions);
      }
    } catch (RuntimeException e) {
      Replies.failed(m, e, log, "kvs");
    }
  }

  private void put(Message<KvsRequest> m, KvsRequest.Put p) {
    String key = p.key();
    byte[] bytes = p.lattice().encode();
    if (bytes.length > options.maxValueBytes()) {
      // Not worth shipping to the owner: the merged state could only be larger.
      throw CloudburstException.tooLarge(
          "the value of '"
              + key
              + "' would be "
              + bytes.length
              + " bytes, over the limit of "
              + options.maxValueBytes());
    }
    String subscriber = p.subscriber();
    if (subscriber != null) {
      pendingSubscribers
          .computeIfAbsent(key, k -> new HashMap<>())
          .merge(subscriber, 1, Integer::sum);
    }
    MergeProcessor processor =
        new MergeProcessor(bytes, options.maxValueBytes(), p.baseGeneration());
    call(
            "write '" + key + "'",
            () -> map.submitToKey(key, processor),
            r -> {
              if (r.error() != null) {
                throw CloudburstException.of(r.error(), r.message());
              }
              return r.stale()
                  ? new KvsReply.Stale(key, r.generation())
                  : new KvsReply.Stored(
                      key, StoredValue.decode(key, r.merged()).lattice(), r.generation());
            })
        .onComplete(
            ar -> {
              if (subscriber != null) {
                pendingDone(key, subscriber);
              }
              if (ar.succeeded()) {
                if (ar.result() instanceof KvsReply.Stored) {
                  subscribe(subscriber, List.of(key));
                }
                m.reply(ar.result());
              } else {
                Replies.fail(m, (CloudburstException) ar.cause());
              }
            });
  }

  private void getMany(Message<KvsRequest> m, List<String> keys) {
    List<Future<StoredValue>> reads = new ArrayList<>(keys.size());
    for (String k : keys) {
      reads.add(call("read '" + k + "'", () -> map.getAsync(k), b -> StoredValue.decode(k, b)));
    }
    Future.all(reads)
        .onSuccess(
            all -> {
              Map<String, StoredValue> found = new LinkedHashMap<>();
              for (int i = 0; i < keys.size(); i++) {
                found.put(keys.get(i), all.resultAt(i));
              }
              m.reply(KvsChecks.foundMany(found));
            })
        .onFailure(t -> Replies.fail(m, (CloudburstException) t));
  }

  // ---- Hazelcast calls ----

  /**
   * Runs one asynchronous Hazelcast call: {@code then} maps its result on the thread that completes
   * it (decoding stays off the event loop); the future completes on this verticle's context, within
   * the timeout, and fails only with a {@link CloudburstException}.
   */
  private <T, R> Future<R> call(String what, Supplier<CompletionStage<T>> op, Function<T, R> then) {
    inFlight++;
    Future<R> f;
    try {
      f = Future.fromCompletionStage(op.get().thenApply(then), context);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .transform(
            ar -> {
              inFlight--;
              checkIdle();
              return ar.succeeded()
                  ? Future.succeededFuture(ar.result())
                  : Future.failedFuture(error(what, ar.cause()));
            });
  }

  /** The coded form of a failed Hazelcast call. */
  private CloudburstException error(String what, Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c.getClass() == ExecutionException.class)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return switch (c) {
      case CloudburstException e -> e;
      case TimeoutException e ->
          CloudburstException.timeout(
              "the cluster did not "
                  + what
                  + " within "
                  + timeoutMs
                  + " ms (the outcome is unknown)");
      case OperationTimeoutException e ->
          CloudburstException.timeout(
              "the cluster did not "
                  + what
                  + " in time (the outcome is unknown): "
                  + e.getMessage());
      case NoDataMemberInClusterException e ->
          CloudburstException.noResources("the cluster has no storage member; cannot " + what);
      case HazelcastInstanceNotActiveException e ->
          CloudburstException.noResources(
              "this node's cluster member is not running; cannot " + what);
      case HazelcastOverloadException e ->
          CloudburstException.noResources(
              "the cluster is overloaded; cannot " + what + ": " + e.getMessage());
      case RetryableHazelcastException e ->
          CloudburstException.noResources(
              "the cluster is rebalancing; cannot " + what + " now, try again: " + e.getMessage());
      default -> {
        log.log(System.Logger.Level.ERROR, "the cluster failed to " + what, c);
        yield CloudburstException.internal("the cluster failed to " + what + ": " + c);
      }
    };
  }

  // ---- pushed updates ----

  /** A change published by the key's owner: forwarded to this node's subscribers of the key. */
  private void onChange(Message<CacheEvent> m) {
    if (!(m.body() instanceof CacheEvent.Update u)) {
      return;
    }
    Set<String> nodes =
        new LinkedHashSet<>(
            u.lattice() == null ? subscriptions.removeKey(u.key()) : subscriptions.nodes(u.key()));
    Map<String, Integer> pending = pendingSubscribers.get(u.key());
    if (pending != null) {
      nodes.addAll(pending.keySet());
    }
    for (String node : nodes) {
      vertx.eventBus().send(Addresses.cacheUpdates(node), u);
    }
  }

  private void pendingDone(String key, String subscriber) {
    Map<String, Integer> pending = pendingSubscribers.get(key);
    if (pending != null && pending.merge(subscriber, -1, Integer::sum) <= 0) {
      pending.remove(subscriber);
      if (pending.isEmpty()) {
        pendingSubscribers.remove(key);
      }
    }
  }

  // ---- as KvsVerticle ----

  private void subscribe(String nodeId, List<String> keys) {
    if (nodeId != null) {
      subscriptions.subscribe(nodeId, keys);
    }
  }

  private void checkIdle() {
    if (idle != null && inFlight == 0) {
      idle.tryComplete();
    }
  }
}
