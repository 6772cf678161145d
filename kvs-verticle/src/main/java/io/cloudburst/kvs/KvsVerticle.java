package io.cloudburst.kvs;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Replies;
import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.KvsRequest;
import io.cloudburst.kvs.impl.KvsChecks;
import io.cloudburst.kvs.impl.LatticeStore;
import io.cloudburst.kvs.impl.LatticeStore.Op;
import io.cloudburst.kvs.impl.LatticeStore.Outcome;
import io.cloudburst.kvs.impl.Subscriptions;
import io.cloudburst.kvs.impl.TxnRecovery;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The durable lattice store of a node, at {@link Addresses#KVS} ({@link KvsRequest}).
 *
 * <p><b>Merging.</b> Every put merges into what the key holds (read, merge, write); a put of
 * another lattice kind fails with CONFLICT and stores nothing. Only the writer thread writes, so
 * the read-merge-write of a key is never interleaved with another.
 *
 * <p><b>Durability and group commit.</b> A put or delete is acknowledged only after the write that
 * holds it was synced to the RocksDB write-ahead log ({@code WriteOptions.sync}), so an
 * acknowledged write survives {@code kill -9} and power loss. Writes queue on the event loop; when
 * no synced write is in flight, everything queued (at most {@link KvsOptions#maxBatchWrites()})
 * goes to the writer thread as one batch: applied in arrival order, written as one {@code
 * WriteBatch}, synced once, then every write of the batch is answered. Writes that arrive while a
 * batch syncs wait for the next one, so under load one fsync serves many writes, and an idle store
 * syncs a lone write at once (no timer, no added latency). More than {@link
 * KvsOptions#maxPendingWrites()} queued writes fail with NO_RESOURCES rather than queue without
 * bound.
 *
 * <p><b>Reads</b> run on a worker pool and see what earlier batches committed.
 *
 * <p><b>Deletes and generations.</b> A delete is not a lattice operation, so it is not a removal
 * either: it replaces the key's value by a tombstone at the next generation (a key starts at
 * generation 0), written, synced and group-committed like a put. A read of a tombstone is absent
 * but reports the generation, so a cache that builds a write on state it read can say which
 * generation that state was ({@link KvsRequest.Put#baseGeneration()}); a put whose base is below
 * the key's generation was computed before the delete and is refused with {@link KvsReply.Stale},
 * storing nothing (the cache re-reads and writes again). Without this, a cache that had not yet
 * applied the pushed delete would bring the deleted state back with its next write. A put not
 * derived from a read (base -1) and a put at the current generation merge into a tombstone as into
 * an absent key; the new value keeps the generation. A delete of an absent or deleted key changes
 * nothing ({@code existed} false).
 *
 * <p><b>How long tombstones are kept.</b> Until the key is written again (the value then carries
 * the generation on), so a deleted key costs one small record (key, generation, deletion time).
 * With {@link KvsOptions#tombstoneRetentionHours()} set, tombstones older than that are removed
 * when the store opens, and the highest removed generation becomes the generation every key without
 * a record reads at, so a write based on state from before a removed delete is still refused. What
 * a removal gives up: a cache still holding pre-delete state of the key for longer than the
 * retention (with the push lost) keeps serving that state to its readers until it re-reads the key;
 * it can no longer write it back into the store.
 *
 * <p><b>Pushed updates.</b> A cache subscribes its node to keys ({@code subscriber} of a request,
 * or {@link KvsRequest.Subscribe}) and stays subscribed until it unsubscribes (also after reading
 * an absent key: only the cache knows whether it went on to hold it) or the key is deleted. A
 * reader's subscription is registered before its read runs, a writer's when its batch is answered,
 * so neither misses a later update. After each batch the store sends the merged state of every key
 * it changed as a {@link CacheEvent.Update} to {@link Addresses#cacheUpdates} of each subscribed
 * node (skipping the node whose own put produced that state, which has it in its reply).
 */
public final class KvsVerticle extends VerticleBase {
  private static final System.Logger log = System.getLogger(KvsVerticle.class.getName());

  private KvsOptions options;
  private WorkerExecutor writer;
  private WorkerExecutor readers;
  private LatticeStore store;
  private MessageConsumer<KvsRequest> consumer;
  private final Subscriptions subscriptions = new Subscriptions();
  private final ArrayDeque<PendingWrite> queue = new ArrayDeque<>();
  private boolean writing;
  private int activeReads;
  private Promise<Void> idle;

  /** A write waiting for its batch: the op, the request to answer, the subscriber to register. */
  private record PendingWrite(Op op, Message<KvsRequest> message, String subscriber) {}

  @Override
  public Future<?> start() {
    options = KvsOptions.fromJson(config());
    writer = vertx.createSharedWorkerExecutor("cloudburst-kvs-writer-" + deploymentID(), 1);
    readers =
        vertx.createSharedWorkerExecutor(
            "cloudburst-kvs-reader-" + deploymentID(), options.readerThreads());
    Path dir = Path.of(options.dataDir());
    return writer
        .executeBlocking(
            () -> {
              LatticeStore opened =
                  LatticeStore.open(
                      dir,
                      options.maxValueBytes(),
                      options.tombstoneRetentionMs(),
                      System::currentTimeMillis);
              // Atomic calls cut by a crash after their commit record: applied before any read;
              // applied records are kept as long as tombstones.
              TxnRecovery.recover(
                  opened, options.tombstoneRetentionMs(), System.currentTimeMillis());
              return opened;
            })
        .compose(
            s -> {
              store = s;
              // Node-local: on a clustered bus a plain consumer would also get other nodes'
              // requests.
              consumer = vertx.eventBus().localConsumer(Addresses.KVS, this::handle);
              return consumer.completion();
            })
        .onSuccess(
            v ->
                log.log(
                    System.Logger.Level.INFO,
                    "kvs of node " + options.nodeId() + " open in " + dir.toAbsolutePath()));
  }

  /** Stops taking requests, answers every queued write and read, then closes the store. */
  @Override
  public Future<?> stop() {
    Future<Void> unregistered = consumer == null ? Future.succeededFuture() : consumer.unregister();
    return unregistered
        .compose(
            v -> {
              idle = Promise.promise();
              checkIdle();
              return idle.future();
            })
        .compose(
            v ->
                store == null
                    ? Future.succeededFuture()
                    : writer.executeBlocking(
                        () -> {
                          store.close();
                          return null;
                        }))
        .eventually(() -> Future.all(writer.close(), readers.close()));
  }

  /** How many synced batches the store has written (for tests and metrics). */
  public long syncedBatches() {
    return store == null ? 0 : store.syncedBatches();
  }

  /**
   * How many (key, node) subscriptions there are; safe to call from any thread (tests, metrics).
   */
  public int subscriptionCount() {
    return subscriptions.size();
  }

  private void handle(Message<KvsRequest> m) {
    try {
      switch (m.body()) {
        case KvsRequest.Put p -> {
          KvsChecks.checkKey(p.key(), options.maxKeyBytes());
          if (p.lattice() == null) {
            throw CloudburstException.badRequest("put of '" + p.key() + "' has no lattice");
          }
          enqueue(
              new PendingWrite(
                  new Op.Put(p.key(), p.lattice(), p.baseGeneration()), m, p.subscriber()));
        }
        case KvsRequest.Delete d -> {
          KvsChecks.checkKey(d.key(), options.maxKeyBytes());
          enqueue(new PendingWrite(new Op.Delete(d.key()), m, null));
        }
        case KvsRequest.Get g -> {
          KvsChecks.checkKey(g.key(), options.maxKeyBytes());
          subscribe(g.subscriber(), List.of(g.key()));
          read(m, () -> store.get(g.key()))
              .onSuccess(v -> m.reply(new KvsReply.Found(g.key(), v.lattice(), v.generation())));
        }
        case KvsRequest.GetMany g -> {
          for (String k : g.keys()) {
            KvsChecks.checkKey(k, options.maxKeyBytes());
          }
          subscribe(g.subscriber(), g.keys());
          read(m, () -> store.getMany(g.keys()))
              .onSuccess(found -> m.reply(KvsChecks.foundMany(found)));
        }
        case KvsRequest.Subscribe s -> KvsChecks.subscription(m, s, subscriptions);
        case KvsRequest.Unsubscribe u -> KvsChecks.subscription(m, u, subscriptions);
      }
    } catch (RuntimeException e) {
      Replies.failed(m, e, log, "kvs");
    }
  }

  private void subscribe(String nodeId, List<String> keys) {
    if (nodeId != null) {
      subscriptions.subscribe(nodeId, keys);
    }
  }

  private <T> Future<T> read(Message<KvsRequest> m, java.util.concurrent.Callable<T> work) {
    activeReads++;
    return readers
        .executeBlocking(work, false)
        .andThen(
            ar -> {
              activeReads--;
              if (ar.failed()) {
                Replies.fail(m, CloudburstException.from(ar.cause()));
              }
              checkIdle();
            });
  }

  // ---- group commit ----

  private void enqueue(PendingWrite w) {
    if (queue.size() >= options.maxPendingWrites()) {
      throw CloudburstException.noResources(
          "the store has " + queue.size() + " writes waiting for the disk; try again later");
    }
    queue.add(w);
    flush();
  }

  private void flush() {
    if (writing || queue.isEmpty()) {
      checkIdle();
      return;
    }
    List<PendingWrite> batch = new ArrayList<>(Math.min(queue.size(), options.maxBatchWrites()));
    List<Op> ops = new ArrayList<>(batch.size());
    while (!queue.isEmpty() && batch.size() < options.maxBatchWrites()) {
      PendingWrite w = queue.poll();
      batch.add(w);
      ops.add(w.op());
    }
    writing = true;
    writer
        .executeBlocking(() -> store.apply(ops), true)
        .onComplete(
            ar -> {
              writing = false;
              if (ar.succeeded()) {
                answer(batch, ar.result());
              } else {
                CloudburstException e = CloudburstException.from(ar.cause());
                log.log(
                    System.Logger.Level.ERROR,
                    "kvs batch of " + batch.size() + " writes failed: " + e.getMessage());
                for (PendingWrite w : batch) {
                  Replies.fail(w.message(), e);
                }
              }
              flush();
            });
  }

  /** Answers a committed batch in order, then pushes each changed key's final state once. */
  private void answer(List<PendingWrite> batch, List<Outcome> outcomes) {
    Map<String, Outcome.Stored> changed = new LinkedHashMap<>();
    Map<String, String> lastWriter = new LinkedHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      PendingWrite w = batch.get(i);
      String key = w.op().key();
      switch (outcomes.get(i)) {
        case Outcome.Stored s -> {
          // Registered now, after the batch: every later batch reaches this subscriber.
          subscribe(w.subscriber(), List.of(key));
          changed.put(key, s);
          lastWriter.put(key, w.subscriber());
          w.message().reply(new KvsReply.Stored(key, s.merged(), s.generation()));
        }
        case Outcome.Stale s -> w.message().reply(new KvsReply.Stale(key, s.generation()));
        case Outcome.Deleted d -> {
          changed.remove(key);
          lastWriter.remove(key);
          for (String node : subscriptions.removeKey(key)) {
            vertx
                .eventBus()
                .send(
                    Addresses.cacheUpdates(node), new CacheEvent.Update(key, null, d.generation()));
          }
          w.message().reply(new KvsReply.Deleted(key, d.existed(), d.generation()));
        }
        case Outcome.Failed f -> Replies.fail(w.message(), f.error());
      }
    }
    changed.forEach(
        (key, state) -> {
          Set<String> nodes = subscriptions.nodes(key);
          String writerNode = lastWriter.get(key);
          for (String node : nodes) {
            if (!node.equals(writerNode)) {
              vertx
                  .eventBus()
                  .send(
                      Addresses.cacheUpdates(node),
                      new CacheEvent.Update(key, state.merged(), state.generation()));
            }
          }
        });
  }

  private void checkIdle() {
    if (idle != null && !writing && queue.isEmpty() && activeReads == 0) {
      idle.tryComplete();
    }
  }
}
