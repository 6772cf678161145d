package io.cloudburst.scheduler;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.Replies;
import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.DagEvent;
import io.cloudburst.bus.msg.ExecutorStatus;
import io.cloudburst.bus.msg.NodeEvent;
import io.cloudburst.bus.msg.SchedulerReply;
import io.cloudburst.bus.msg.SchedulerReply.FunctionList;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.cloudburst.scheduler.impl.AtomicCommits;
import io.cloudburst.scheduler.impl.BusGateway;
import io.cloudburst.scheduler.impl.CachedKeys;
import io.cloudburst.scheduler.impl.CallIds;
import io.cloudburst.scheduler.impl.CallOutcomes;
import io.cloudburst.scheduler.impl.CallPlacement;
import io.cloudburst.scheduler.impl.CrashHook;
import io.cloudburst.scheduler.impl.DagRunner;
import io.cloudburst.scheduler.impl.ExecutorMembership;
import io.cloudburst.scheduler.impl.ExecutorTable;
import io.cloudburst.scheduler.impl.IdempotencyKeys;
import io.cloudburst.scheduler.impl.KvsRegistryStore;
import io.cloudburst.scheduler.impl.RegistryService;
import io.cloudburst.scheduler.impl.RegistryStore;
import io.cloudburst.scheduler.impl.ResultLookup;
import io.cloudburst.scheduler.impl.ResultStore;
import io.cloudburst.scheduler.impl.SingleCallRunner;
import io.cloudburst.scheduler.impl.StatusView;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The scheduler: the function registry, placement of calls on executors, and the results of calls.
 * All state is confined to this verticle's event loop; executors, caches and the key-value store
 * are reached only through messages. This class only wires the bus: {@link #start()} builds the
 * parts below (each a plain class in {@code io.cloudburst.scheduler.impl}, reaching the bus only
 * through {@code BusGateway}'s interfaces), loads the registry, and {@link #handle} hands each
 * request to its part.
 *
 * <ul>
 *   <li>{@code RegistryService}: functions (every version) and DAGs, kept in the key-value store
 *       ({@link KvsRegistryStore}, unless {@link SchedulerOptions#persistent()} is off) and in
 *       memory, which serves every read; {@link #start()} fails when the store does not answer. A
 *       change is answered, and applied in memory, only once the store has made it durable. Changes
 *       of one function run one after the other (its lane), and so do all changes of DAGs and
 *       deletions of functions (the DAG lane), so a DAG never names a function deleted under it.
 *   <li>{@code CallPlacement}: picks an executor with a warm context for the function on a node
 *       whose cache holds the keys the call's arguments reference, as the caches last reported them
 *       at {@link Addresses#CACHE_REPORT}; when every warm executor is at or over the utilization
 *       threshold, a cold one, which loads the function: the paper's replication of hot functions,
 *       logged and counted ({@link #replications()}).
 *   <li>{@code SingleCallRunner} and {@code DagRunner} (with {@code RunningDag} and {@code
 *       DagCall}): run calls of a function and of a DAG, again elsewhere when their executor goes
 *       away (unless they ask for at most once). A DAG call with an output key stores its result
 *       under it before it is reported done.
 *   <li>{@code IdempotencyKeys}: a repeat of a request with the same {@code request_id} is answered
 *       the first call's outcome. {@code CallIds}: unguessable call ids that name the node that
 *       started the call. {@code CallOutcomes}: how a call is reported (held, answered, published).
 *   <li>{@code ResultLookup}: results held here, else asked of the node that started the call.
 *   <li>{@code ExecutorMembership}: executor statuses, cache reports, executors and nodes that
 *       leave. {@code StatusView}: what {@code GET /v1/status} shows.
 * </ul>
 *
 * <p><b>Cluster.</b> Every node runs its own scheduler. Its web front and executors reach it at the
 * node-local {@link Addresses#SCHEDULER}; other nodes' schedulers at {@link Addresses#scheduler}.
 * Executor statuses and cache reports are published cluster-wide, so each scheduler places calls on
 * every node's executors. The registries are shared through the cluster-wide store: after a change
 * is stored, its scheduler publishes a notice at {@link Addresses#REGISTRY_CHANGED} and the others
 * read that entry again from the store (in its lane, so it does not interleave with their own
 * changes); a lookup that misses also reads the entry from the store before answering not found,
 * and a registration reads the function's versions again just before it stores the new one. What
 * this does not cover: two nodes that register the same function name within one store round trip
 * of each other may both pick the same next version; the last write wins in the store, the notices
 * then bring every scheduler to the stored history, and the losing caller was answered a version
 * that is not stored. A notice missed while another version stays known (not a miss) is seen only
 * at the next notice of that name or a restart. A result is held by the scheduler of the node that
 * started the call; {@link SchedulerRequest.GetResult} asks that node for an id it does not hold.
 * When a node leaves ({@link Addresses#NODE_LEFT}), or its executors fall silent for twice the
 * staleness bound, its executors are forgotten, the calls running there run again elsewhere (unless
 * they ask for at most once) and its cached keys stop drawing calls.
 */
public final class SchedulerVerticle extends VerticleBase {
  private static final System.Logger log = System.getLogger(SchedulerVerticle.class.getName());

  private SchedulerOptions options;
  private RegistryService registry;
  private CallPlacement placement;
  private ExecutorMembership membership;
  private ResultLookup results;
  private SingleCallRunner calls;
  private DagRunner dagCalls;
  private StatusView status;
  private CachedKeys cachedKeys;

  @Override
  public Future<?> start() {
    options = SchedulerOptions.fromJson(config());
    LongSupplier clock = System::currentTimeMillis;
    BusGateway bus = new BusGateway(vertx, options.nodeId(), options.kvsTimeoutMs());
    ExecutorTable executors = new ExecutorTable(options.executorStaleMs());
    cachedKeys = new CachedKeys(options.cacheReportStaleMs());
    placement = new CallPlacement(options.nodeId(), executors, cachedKeys, bus, clock);
    membership =
        new ExecutorMembership(
            options.nodeId(), executors, cachedKeys, options.executorStaleMs(), clock);
    results =
        new ResultLookup(
            options.nodeId(),
            new ResultStore(options.maxResults(), options.resultRetentionMs()),
            membership::knownNodes,
            bus,
            clock);
    IdempotencyKeys keys = new IdempotencyKeys(options.maxResults(), results::held);
    CallOutcomes outcomes = new CallOutcomes(results, keys, bus);
    CallIds ids = new CallIds(options.nodeId());
    RegistryStore store =
        options.persistent()
            ? new KvsRegistryStore(vertx.eventBus(), options.nodeId(), options.kvsTimeoutMs())
            : RegistryStore.none();
    AtomicCommits commits =
        options.persistent()
            ? new AtomicCommits(bus, CrashHook.fromEnvironment(), clock)
            : AtomicCommits.none();
    registry = new RegistryService(options, store, placement, executors, bus, bus, clock);
    calls =
        new SingleCallRunner(
            options,
            registry.functions(),
            executors,
            placement,
            membership,
            keys,
            outcomes,
            ids,
            bus,
            commits);
    dagCalls =
        new DagRunner(
            options,
            registry.functions(),
            registry.dags(),
            placement,
            membership,
            keys,
            outcomes,
            ids,
            bus,
            bus,
            bus,
            clock,
            commits);
    membership.addListener(calls);
    membership.addListener(dagCalls);
    status = new StatusView(executors, cachedKeys, placement, clock);
    return registry
        .load()
        .recover(t -> Future.failedFuture(startFailure(t)))
        .compose(loaded -> listen(clock));
  }

  private Future<?> listen(LongSupplier clock) {
    // Local: each node's web front and executors talk to their own scheduler (a clustered
    // consumer would be picked round-robin across the cluster).
    MessageConsumer<SchedulerRequest> requests =
        vertx.eventBus().localConsumer(Addresses.SCHEDULER, this::handle);
    MessageConsumer<SchedulerRequest> direct =
        vertx.eventBus().consumer(Addresses.scheduler(options.nodeId()), this::handle);
    MessageConsumer<ExecutorStatus> statuses =
        vertx.eventBus().consumer(Addresses.EXECUTOR_STATUS, m -> membership.onStatus(m.body()));
    MessageConsumer<DagEvent> dagEvents =
        vertx
            .eventBus()
            .consumer(Addresses.dagEvents(options.nodeId()), m -> dagCalls.onDagEvent(m.body()));
    MessageConsumer<CacheEvent> reports =
        vertx.eventBus().consumer(Addresses.CACHE_REPORT, m -> onCacheEvent(m.body()));
    MessageConsumer<NodeEvent.RegistryChanged> changes =
        vertx.eventBus().consumer(Addresses.REGISTRY_CHANGED, m -> onRegistryChanged(m.body()));
    MessageConsumer<NodeEvent.NodeLeft> left =
        vertx
            .eventBus()
            .localConsumer(Addresses.NODE_LEFT, m -> membership.onNodeLeft(m.body().nodeId()));
    vertx.setPeriodic(
        10_000,
        t -> {
          results.expire();
          cachedKeys.expire(clock.getAsLong());
        });
    vertx.setPeriodic(
        Math.max(100, Math.min(1_000, options.executorStaleMs() / 2)),
        t -> membership.expireSilent());
    return Future.all(
        List.of(
            requests.completion(),
            direct.completion(),
            statuses.completion(),
            dagEvents.completion(),
            reports.completion(),
            changes.completion(),
            left.completion()));
  }

  private IllegalStateException startFailure(Throwable t) {
    CloudburstException e = CloudburstException.from(t);
    String hint =
        e.code() == ErrorCode.NO_RESOURCES || e.code() == ErrorCode.TIMEOUT
            ? " (deploy the key-value store verticle before the scheduler, or set the scheduler option persistent=false"
                + " to keep the registry in memory only)"
            : "";
    return new IllegalStateException(
        "scheduler of node " + options.nodeId() + " cannot start: " + e.getMessage() + hint, t);
  }

  private void handle(Message<SchedulerRequest> m) {
    handle(m, false);
  }

  /**
   * Answers a request. A lookup that misses a function or DAG by name reads that entry from the
   * store and is answered again ({@code reloaded}): another node may have registered it and its
   * notice not reached this one.
   */
  private void handle(Message<SchedulerRequest> m, boolean reloaded) {
    try {
      switch (m.body()) {
        case SchedulerRequest.InvokeFunction r -> calls.invoke(r, m::reply);
        case SchedulerRequest.InvokeDag r -> dagCalls.invoke(r, m::reply);
        case SchedulerRequest.RegisterFunction r -> Replies.answer(m, registry.register(r));
        case SchedulerRequest.RestoreFunction r -> Replies.answer(m, registry.restore(r));
        case SchedulerRequest.DeleteFunction r ->
            Replies.answer(m, registry.deleteFunction(r.name()));
        case SchedulerRequest.ListFunctions r ->
            m.reply(new FunctionList(registry.functions().currentAll()));
        case SchedulerRequest.ListVersions r ->
            m.reply(new FunctionList(registry.functions().history(r.name())));
        case SchedulerRequest.GetFunction r ->
            m.reply(registry.functions().get(r.name(), r.version()));
        case SchedulerRequest.RegisterDag r -> Replies.answer(m, registry.registerDag(r));
        case SchedulerRequest.DeleteDag r -> Replies.answer(m, registry.deleteDag(r.name()));
        case SchedulerRequest.ListDags r ->
            m.reply(new SchedulerReply.DagList(registry.dags().all()));
        case SchedulerRequest.GetDag r -> m.reply(registry.dags().get(r.name()).info());
        case SchedulerRequest.GetStatus r -> m.reply(status.status());
        case SchedulerRequest.GetResult r -> Replies.answer(m, results.lookup(r.id()));
        case SchedulerRequest.GetHeldResult r -> m.reply(results.heldOrNotFound(r.id()));
      }
    } catch (CloudburstException e) {
      Future<Void> reload = reloaded ? null : registry.reloadOnMiss(m.body(), e.code());
      if (reload == null) {
        Replies.fail(m, e);
      } else {
        reload
            .onFailure(
                t ->
                    log.log(
                        System.Logger.Level.WARNING,
                        "could not read a missed registry entry from the store: " + t.getMessage()))
            .onComplete(ar -> handle(m, true));
      }
    } catch (RuntimeException e) {
      Replies.failed(m, e, log, "scheduler");
    }
  }

  private void onCacheEvent(CacheEvent event) {
    if (event instanceof CacheEvent.Report r) {
      membership.onCacheReport(r);
    }
  }

  private void onRegistryChanged(NodeEvent.RegistryChanged n) {
    if (registry.onRegistryChanged(n)) {
      membership.schedulerHeard(n.nodeId());
    }
  }

  /** How many calls went to a cold executor because every warm one was saturated. */
  public long replications() {
    return placement.replications();
  }
}
