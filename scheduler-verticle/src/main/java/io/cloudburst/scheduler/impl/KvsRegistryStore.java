// Over 400 lines (as formatted): the registry's whole storage format (records, indexes, the order
// of writes that keeps them consistent after a crash) in one place, so it can be read as one.
package io.cloudburst.scheduler.impl;

import static io.cloudburst.scheduler.impl.RegistryCodec.DAGS;
import static io.cloudburst.scheduler.impl.RegistryCodec.FUNCTIONS;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LatticeKind;
import io.cloudburst.bus.lattice.Lattices;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.KvsRequest;
import io.cloudburst.bus.msg.SchedulerReply.DagInfo;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The registry kept in the key-value store at {@link Addresses#KVS}, in the layout of {@link
 * RegistryCodec}, every request with a timeout.
 *
 * <p>Invariant: a function (DAG) is registered iff its name is in its kind's index record and its
 * own record exists. A change writes the record first and the index second, so a change cut off
 * half way leaves either a record no index names (an addition that was refused: never read) or an
 * index name without a record (a deletion that went through: skipped on load and dropped by the
 * next index write). Deleting the record is the commit point of a deletion; a failure of the index
 * rewrite after it is logged, not reported.
 *
 * <p>The schedulers are the only writers of these keys; in cluster mode every node's scheduler
 * writes the same, cluster-wide keys. Index writes of one store run one after the other, and each
 * reads the index afresh and changes only its own name in it, so registrations of different names,
 * on this node or on others, do not overwrite each other's index entries (except two index writes
 * of different nodes within the same store round trip, where the last writer wins: the record of
 * the lost name stays readable by name, see {@link #loadFunction}). Each write is ordered after the
 * newest state this store has seen of its key (loaded, read or stored), and a write that still
 * loses the last-writer-wins merge (an older record with a later clock) is repeated after it.
 */
public final class KvsRegistryStore implements RegistryStore {
  private static final System.Logger log = System.getLogger(KvsRegistryStore.class.getName());

  /** Records read per request on load. */
  static final int LOAD_BATCH = 128;

  /** Writes of one key that lose the merge before the write fails. */
  private static final int MAX_WRITE_ATTEMPTS = 3;

  private final EventBus bus;
  private final String nodeId;
  private final DeliveryOptions delivery;

  /** The newest state known of each record this store reads or writes. */
  private final Map<String, Lattice> known = new HashMap<>();

  /**
   * Names each kind's index listed without a record when the registry was loaded (deletions cut
   * short): the next index write drops them, unless this store has seen them registered since.
   */
  private final Map<String, Set<String>> dangling = new HashMap<>();

  /** The last index write queued; the next one starts when it ends. */
  private Future<?> indexTail = Future.succeededFuture();

  public KvsRegistryStore(EventBus bus, String nodeId, long timeoutMs) {
    this.bus = bus;
    this.nodeId = nodeId;
    this.delivery = new DeliveryOptions().setSendTimeout(timeoutMs);
    dangling.put(FUNCTIONS, new TreeSet<>());
    dangling.put(DAGS, new TreeSet<>());
  }

  @Override
  public Future<Loaded> load() {
    String fnIndex = RegistryCodec.indexKey(FUNCTIONS);
    String dagIndex = RegistryCodec.indexKey(DAGS);
    return getMany(List.of(fnIndex, dagIndex))
        .compose(
            indexes -> {
              List<String> fnNames =
                  RegistryCodec.decodeIndex(FUNCTIONS, value(fnIndex, indexes.get(fnIndex)));
              List<String> dagNames =
                  RegistryCodec.decodeIndex(DAGS, value(dagIndex, indexes.get(dagIndex)));
              List<String> keys = new ArrayList<>(fnNames.size() + dagNames.size());
              fnNames.forEach(n -> keys.add(RegistryCodec.functionKey(n)));
              dagNames.forEach(n -> keys.add(RegistryCodec.dagKey(n)));
              return getAll(keys, 0, new LinkedHashMap<>())
                  .map(
                      records -> {
                        Set<String> fnFound = new TreeSet<>();
                        Set<String> dagFound = new TreeSet<>();
                        List<List<FunctionInfo>> functions =
                            decodeListed(
                                "function",
                                fnNames,
                                RegistryCodec::functionKey,
                                RegistryCodec::decodeFunction,
                                records,
                                fnFound);
                        List<DagInfo> dags =
                            decodeListed(
                                "DAG",
                                dagNames,
                                RegistryCodec::dagKey,
                                RegistryCodec::decodeDag,
                                records,
                                dagFound);
                        dangling.put(FUNCTIONS, missing(fnNames, fnFound));
                        dangling.put(DAGS, missing(dagNames, dagFound));
                        return new Loaded(functions, dags);
                      });
            })
        .recover(
            t ->
                Future.failedFuture(
                    failure(
                        "cannot load the registry from the key-value store at " + Addresses.KVS,
                        t)));
  }

  private static Set<String> missing(List<String> listed, Set<String> found) {
    Set<String> out = new TreeSet<>(listed);
    out.removeAll(found);
    return out;
  }

  @Override
  public Future<List<FunctionInfo>> loadFunction(String name) {
    String key = RegistryCodec.functionKey(name);
    return getOne(key)
        .map(
            l -> {
              if (l == null) {
                return List.<FunctionInfo>of();
              }
              dangling.get(FUNCTIONS).remove(name);
              return RegistryCodec.decodeFunction(name, value(key, l));
            })
        .recover(
            t ->
                Future.failedFuture(
                    failure("cannot read function '" + name + "' from the key-value store", t)));
  }

  @Override
  public Future<DagInfo> loadDag(String name) {
    String key = RegistryCodec.dagKey(name);
    return getOne(key)
        .map(
            l -> {
              if (l == null) {
                return (DagInfo) null;
              }
              dangling.get(DAGS).remove(name);
              return RegistryCodec.decodeDag(name, value(key, l));
            })
        .recover(
            t ->
                Future.failedFuture(
                    failure("cannot read DAG '" + name + "' from the key-value store", t)));
  }

  /**
   * Reads one key; null when absent (then whatever was known of it is forgotten: it was deleted).
   */
  private Future<Lattice> getOne(String key) {
    return getMany(List.of(key))
        .map(
            found -> {
              Lattice l = found.get(key);
              if (l == null) {
                known.remove(key);
              }
              return l;
            });
  }

  @Override
  public Future<Void> putFunction(String name, List<FunctionInfo> history) {
    return put(RegistryCodec.functionKey(name), RegistryCodec.encodeFunction(history))
        .compose(v -> updateIndex(FUNCTIONS, name, true))
        .recover(
            t ->
                Future.failedFuture(
                    failure("the key-value store did not store function '" + name + "'", t)));
  }

  @Override
  public Future<Void> deleteFunction(String name) {
    return delete(RegistryCodec.functionKey(name))
        .recover(
            t ->
                Future.failedFuture(
                    failure("the key-value store did not delete function '" + name + "'", t)))
        .compose(
            v -> updateIndex(FUNCTIONS, name, false).recover(t -> indexLag(FUNCTIONS, name, t)));
  }

  @Override
  public Future<Void> putDag(DagInfo dag) {
    return put(RegistryCodec.dagKey(dag.name()), RegistryCodec.encodeDag(dag))
        .compose(v -> updateIndex(DAGS, dag.name(), true))
        .recover(
            t ->
                Future.failedFuture(
                    failure("the key-value store did not store DAG '" + dag.name() + "'", t)));
  }

  @Override
  public Future<Void> deleteDag(String name) {
    return delete(RegistryCodec.dagKey(name))
        .recover(
            t ->
                Future.failedFuture(
                    failure("the key-value store did not delete DAG '" + name + "'", t)))
        .compose(v -> updateIndex(DAGS, name, false).recover(t -> indexLag(DAGS, name, t)));
  }

  /** The deletion went through (its record is gone); the index keeps a name that load skips. */
  private static Future<Void> indexLag(String kind, String name, Throwable t) {
    log.log(
        System.Logger.Level.WARNING,
        "deleted "
            + name
            + " but could not rewrite the index of "
            + kind
            + " (the next index write drops it): "
            + CloudburstException.from(t).getMessage());
    return Future.succeededFuture();
  }

  /**
   * Adds or removes a name in an index record, after every index write queued before it: reads the
   * index as the store holds it now (other nodes' schedulers write it too), changes that one name
   * (and drops the dangling names of the load), and writes it back when that changed anything.
   */
  private Future<Void> updateIndex(String kind, String name, boolean add) {
    Promise<Void> done = Promise.promise();
    Future<?> previous = indexTail;
    indexTail = done.future();
    String key = RegistryCodec.indexKey(kind);
    Set<String> drop = dangling.get(kind);
    if (add) {
      drop.remove(name);
    }
    previous.onComplete(
        ignored ->
            getOne(key)
                .compose(
                    l -> {
                      List<String> current = RegistryCodec.decodeIndex(kind, value(key, l));
                      TreeSet<String> next = new TreeSet<>(current);
                      next.removeAll(drop);
                      if (add) {
                        next.add(name);
                      } else {
                        next.remove(name);
                      }
                      if (next.equals(new TreeSet<>(current))) {
                        return Future.<Void>succeededFuture();
                      }
                      Set<String> dropped = Set.copyOf(drop);
                      return put(key, RegistryCodec.encodeIndex(next))
                          .onSuccess(v -> drop.removeAll(dropped));
                    })
                .onComplete(done));
    return done.future();
  }

  private Future<Void> put(String key, Object value) {
    return put(key, value, 1);
  }

  private Future<Void> put(String key, Object value, int attempt) {
    Lattice mine;
    try {
      mine =
          Lattices.write(
              known.get(key), LatticeKind.LWW, value, nodeId, System.currentTimeMillis());
    } catch (CloudburstException e) {
      return Future.failedFuture(e);
    }
    return request(new KvsRequest.Put(key, mine, null))
        .compose(
            reply -> {
              if (!(reply instanceof KvsReply.Stored stored) || stored.lattice() == null) {
                return Future.failedFuture(
                    CloudburstException.internal(
                        "unexpected reply to a put of " + key + ": " + reply));
              }
              known.put(key, stored.lattice());
              if (stored.lattice() == mine || stored.lattice().equals(mine)) {
                return Future.succeededFuture();
              }
              if (attempt >= MAX_WRITE_ATTEMPTS) {
                return Future.failedFuture(
                    CloudburstException.internal(
                        "a newer write of " + key + " won over this one " + attempt + " times"));
              }
              return put(key, value, attempt + 1);
            });
  }

  private Future<Void> delete(String key) {
    return request(new KvsRequest.Delete(key))
        .compose(
            reply -> {
              if (!(reply instanceof KvsReply.Deleted)) {
                return Future.failedFuture(
                    CloudburstException.internal(
                        "unexpected reply to a delete of " + key + ": " + reply));
              }
              known.remove(key);
              return Future.succeededFuture();
            });
  }

  private Future<Map<String, Lattice>> getMany(List<String> keys) {
    return request(new KvsRequest.GetMany(keys, null))
        .compose(
            reply -> {
              if (!(reply instanceof KvsReply.FoundMany found)) {
                return Future.failedFuture(
                    CloudburstException.internal(
                        "unexpected reply to a read of " + keys.size() + " keys: " + reply));
              }
              known.putAll(found.lattices());
              return Future.succeededFuture(found.lattices());
            });
  }

  /** Reads the keys in batches of {@link #LOAD_BATCH}, one after the other, into {@code into}. */
  private Future<Map<String, Lattice>> getAll(
      List<String> keys, int from, Map<String, Lattice> into) {
    if (from >= keys.size()) {
      return Future.succeededFuture(into);
    }
    int to = Math.min(keys.size(), from + LOAD_BATCH);
    return getMany(keys.subList(from, to))
        .compose(
            found -> {
              into.putAll(found);
              return getAll(keys, to, into);
            });
  }

  private Future<KvsReply> request(KvsRequest r) {
    return bus.<KvsReply>request(Addresses.KVS, r, delivery).map(Message::body);
  }

  /** The user value of a system record, which must be a last-writer-wins lattice. */
  private static Object value(String key, Lattice l) {
    if (l == null) {
      return null;
    }
    if (l.kind() != LatticeKind.LWW) {
      throw new IllegalArgumentException(
          key + " holds a " + l.kind().wireName() + " lattice, not lww");
    }
    return l.value();
  }

  /** A failure with the code of its cause (INTERNAL for a malformed record) and what failed. */
  private static CloudburstException failure(String what, Throwable t) {
    ErrorCode code =
        t instanceof IllegalArgumentException
            ? ErrorCode.INTERNAL
            : CloudburstException.from(t).code();
    String why =
        t instanceof IllegalArgumentException
            ? t.getMessage()
            : CloudburstException.from(t).getMessage();
    return CloudburstException.of(code, what + ": " + why);
  }

  /**
   * Decodes the records of the names an index lists, adding each found name to {@code found}; a
   * name without a record (a deletion cut short) is skipped with a warning.
   */
  private <T> List<T> decodeListed(
      String what,
      List<String> names,
      java.util.function.Function<String, String> keyOf,
      java.util.function.BiFunction<String, Object, T> decode,
      Map<String, Lattice> records,
      Set<String> found) {
    List<T> out = new ArrayList<>();
    for (String name : names) {
      String key = keyOf.apply(name);
      Lattice l = records.get(key);
      if (l == null) {
        log.log(
            System.Logger.Level.WARNING,
            "index lists "
                + what
                + " '"
                + name
                + "' without a record (a deletion cut short); skipped");
        continue;
      }
      out.add(decode.apply(name, value(key, l)));
      found.add(name);
    }
    return out;
  }
}
