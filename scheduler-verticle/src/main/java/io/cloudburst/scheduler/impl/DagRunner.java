// Over 400 lines (as formatted): a DAG call's whole life (plan, schedule, dispatch, retry,
// deadline,
// output_key write, completion) is one state machine over RunningDag; its parts share that state.
package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Consistency;
import io.cloudburst.bus.Keys;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.MultiKeyCausalLattice;
import io.cloudburst.bus.lattice.VectorClock;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.DagEvent;
import io.cloudburst.bus.msg.DagSchedule;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.msg.SchedulerRequest.InvokeDag;
import io.cloudburst.bus.session.Session;
import io.cloudburst.scheduler.SchedulerOptions;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * DAG calls: each function placed on an executor, the schedule handed to every executor it names,
 * the sinks' results collected ({@link DagCall}) until the call is done, fails, or passes its
 * deadline. An attempt whose executor does not take the schedule or goes away is replaced by a new
 * one (up to {@link SingleCallRunner#MAX_ATTEMPTS}), unless the call has an idempotency key. A call
 * with an output key stores its result under it (through this node's cache) before it is reported
 * done; when that write fails, the call fails with the write's error code. Repeatable-read and
 * causal calls end their sessions in the caches that pinned versions for them; causal calls of a
 * client id carry what they depend on into the client's next call ({@link ClientSessions}).
 */
public final class DagRunner implements ExecutorMembership.Listener {
  private static final System.Logger log = System.getLogger(DagRunner.class.getName());
  private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private final SchedulerOptions options;
  private final FunctionRegistry functions;
  private final DagRegistry dags;
  private final CallPlacement placement;
  private final ExecutorMembership membership;
  private final IdempotencyKeys keys;
  private final CallOutcomes outcomes;
  private final CallIds ids;
  private final ExecutorGateway executors;
  private final NodeGateway nodes;
  private final Timers timers;
  private final LongSupplier clock;
  private final AtomicCommits commits;

  /** Causal sessions of clients that pass a client id, across their calls. */
  private final ClientSessions clientSessions = new ClientSessions(10_000);

  /** Running DAG calls by call id. */
  private final Map<String, RunningDag> running = new HashMap<>();

  /**
   * @param commits the commits of atomic calls ({@link AtomicCommits#none()} where there are none)
   */
  public DagRunner(
      SchedulerOptions options,
      FunctionRegistry functions,
      DagRegistry dags,
      CallPlacement placement,
      ExecutorMembership membership,
      IdempotencyKeys keys,
      CallOutcomes outcomes,
      CallIds ids,
      ExecutorGateway executors,
      NodeGateway nodes,
      Timers timers,
      LongSupplier clock,
      AtomicCommits commits) {
    this.commits = commits;
    this.options = options;
    this.functions = functions;
    this.dags = dags;
    this.placement = placement;
    this.membership = membership;
    this.keys = keys;
    this.outcomes = outcomes;
    this.ids = ids;
    this.executors = executors;
    this.nodes = nodes;
    this.timers = timers;
    this.clock = clock;
  }

  /**
   * A causal session's client id names the client's session: 1 to 128 letters, digits, '.', '_',
   * ':' or '-'.
   */
  static void checkClientId(Consistency consistency, String clientId) {
    if (consistency == Consistency.CAUSAL
        && clientId != null
        && !CLIENT_ID.matcher(clientId).matches()) {
      throw CloudburstException.badRequest(
          "malformed client_id '"
              + clientId
              + "': use 1 to 128 letters, digits, '.', '_', ':' or '-'");
    }
  }

  /**
   * Starts a DAG call; {@code reply} gets the pending result at once when the request does not
   * wait, else the finished one (a repeat of an idempotent request gets the first call's).
   *
   * @throws CloudburstException for a request refused before anything runs: depth, unknown DAG or
   *     function, arguments of a function not in the DAG, a malformed client id or output key, a
   *     bad request_id, no executor for a function
   */
  public void invoke(InvokeDag r, Consumer<CallResult> reply) {
    if (r.depth() > options.maxCallDepth()) {
      throw CloudburstException.badRequest(
          "call depth limit of "
              + options.maxCallDepth()
              + " exceeded (calls nested too deeply or a call cycle)");
    }
    DagRegistry.Entry dag = dags.get(r.name());
    for (String fn : r.args().keySet()) {
      if (!dag.plan().functions().contains(fn)) {
        throw CloudburstException.badRequest(
            "args name function '" + fn + "', which is not in DAG '" + r.name() + "'");
      }
    }
    checkClientId(r.consistency(), r.clientId());
    if (r.outputKey() != null) {
      Keys.requireUserKey(r.outputKey()); // as PUT /v1/kvs/{key} checks it
    }
    String target = "DAG " + r.name();
    Future<CallResult> repeat = keys.repeatOf(r.requestId(), target, r.awaitResult());
    if (repeat != null) {
      repeat.onSuccess(reply::accept);
      return;
    }
    long timeout = options.deadline(r.timeoutMs());
    String id = ids.next();
    RunningDag run =
        new RunningDag(
            new DagCall(id, r.name(), null),
            dag.plan(),
            r,
            r.awaitResult() ? reply : null,
            clock.getAsLong() + timeout);
    run.call().begin(schedule(run, 0));
    CallResult pending = CallResult.pending(id, r.name());
    outcomes.started(pending, r.requestId(), target);
    running.put(id, run);
    run.timer(
        timers.after(
            timeout,
            () ->
                finish(
                    run,
                    run.call()
                        .fail(
                            CloudburstException.timeout(
                                "DAG call "
                                    + id
                                    + " of "
                                    + r.name()
                                    + " did not finish within "
                                    + timeout
                                    + " ms")))));
    if (!r.awaitResult()) {
      reply.accept(pending);
    }
    if (run.txn() != null && r.requestId() != null) {
      // A request id that committed before (even before a restart) answers that outcome.
      commits
          .committed(run.txn())
          .onComplete(
              ar -> {
                if (ar.failed()) {
                  finish(run, run.call().fail(CloudburstException.from(ar.cause())));
                } else if (ar.result() != null) {
                  finish(run, run.call().replay(ar.result().result()));
                } else if (!run.call().finished()) {
                  dispatch(run);
                }
              });
      return;
    }
    dispatch(run);
  }

  /**
   * Places every function of the DAG, in topological order, and builds the schedule of the next
   * attempt. A source prefers this node (where the call entered), a step the node of its first
   * upstream, so a DAG call stays on one node unless load or cached keys draw it elsewhere.
   */
  private DagSchedule schedule(RunningDag run, int attempt) {
    Map<String, FunctionInfo> fns = new LinkedHashMap<>();
    Map<String, String> where = new LinkedHashMap<>();
    Map<String, String> nodeOf = new LinkedHashMap<>();
    for (String fn : run.plan().order()) {
      FunctionInfo f = functions.current(fn);
      List<String> ups = run.plan().upstreams().getOrDefault(fn, List.of());
      String preferred = ups.isEmpty() ? options.nodeId() : nodeOf.get(ups.getFirst());
      ExecutorTable.Entry e =
          placement.forCall(f, run.args().getOrDefault(fn, List.of()), preferred);
      if (e == null) {
        throw CloudburstException.noResources(
            "no executor can run function '" + fn + "' of DAG '" + run.plan().name() + "'");
      }
      fns.put(fn, f);
      where.put(fn, e.address());
      nodeOf.put(fn, e.nodeId());
    }
    String scheduleId = run.call().id() + "#" + attempt;
    Session session =
        run.clientId() == null ? null : clientSessions.start(run.clientId(), scheduleId);
    return new DagSchedule(
        scheduleId,
        run.plan().name(),
        fns,
        where,
        run.plan().upstreams(),
        run.plan().downstreams(),
        run.args(),
        run.plan().sinks(),
        Addresses.dagEvents(options.nodeId()),
        run.deadline(),
        run.depth(),
        run.consistency(),
        session,
        run.txn());
  }

  /**
   * Sends the current schedule to every executor it names; an executor that does not take it causes
   * a retry.
   */
  private void dispatch(RunningDag run) {
    DagSchedule s = run.call().schedule();
    for (String address : new LinkedHashSet<>(s.placement().values())) {
      executors.runDag(address, s).onFailure(t -> notTaken(run, s, address, t));
    }
  }

  private void notTaken(RunningDag run, DagSchedule s, String address, Throwable t) {
    if (!run.call().finished() && run.call().schedule() == s) {
      membership.removeExecutor(address);
      retry(run, "executor " + address + " did not take the schedule: " + t.getMessage());
    }
  }

  private void retry(RunningDag run, String why) {
    DagCall call = run.call();
    if (call.finished()) {
      return;
    }
    if (run.atMostOnce()) {
      finish(
          run,
          call.fail(
              CloudburstException.noResources(
                  "DAG call "
                      + call.id()
                      + " is not run again ("
                      + why
                      + "): its request_id asks for at most once (its effects may have happened)")));
      return;
    }
    if (call.attempt() + 1 >= SingleCallRunner.MAX_ATTEMPTS) {
      finish(
          run,
          call.fail(
              CloudburstException.noResources(
                  "DAG call "
                      + call.id()
                      + " failed after "
                      + SingleCallRunner.MAX_ATTEMPTS
                      + " attempts: "
                      + why)));
      return;
    }
    log.log(System.Logger.Level.WARNING, "re-running DAG call " + call.id() + ": " + why);
    DagSchedule next;
    try {
      next = schedule(run, call.attempt() + 1);
    } catch (CloudburstException e) {
      finish(run, call.fail(e));
      return;
    }
    call.retry(next);
    dispatch(run);
  }

  /**
   * What an executor reports of a DAG call: a sink's result or a failure (late news of an earlier
   * attempt is ignored).
   */
  public void onDagEvent(DagEvent event) {
    switch (event) {
      case DagEvent.StepDone d -> {
        int hash = d.callId().lastIndexOf('#');
        RunningDag run = hash < 0 ? null : running.get(d.callId().substring(0, hash));
        if (run == null) {
          return;
        }
        if (d.session() != null
            && run.clientId() != null
            && d.callId().equals(run.call().schedule().callId())) {
          clientSessions.finished(run.clientId(), d.session());
          run.dependOn(d.callId(), d.session());
        }
        finish(run, run.call().step(d.callId(), d.function(), d.result()));
      }
    }
  }

  /** The DAG calls running on executors that are gone run again (once per event). */
  @Override
  public void executorsLeft(Set<String> addresses, String why) {
    for (RunningDag run : new ArrayList<>(running.values())) {
      if (!Collections.disjoint(run.call().schedule().placement().values(), addresses)) {
        retry(run, why);
      }
    }
  }

  /** DAG calls running. */
  public int running() {
    return running.size();
  }

  /**
   * Ends a call with {@code res} (null: the call had not ended): its output stored, then reported,
   * then its sessions ended.
   */
  private void finish(RunningDag run, CallResult res) {
    if (res == null) {
      return;
    }
    running.remove(run.call().id());
    timers.cancel(run.timer());
    (run.txn() == null
            ? Future.succeededFuture(res)
            : commits.commit(run.txn(), run.requestId(), res))
        .compose(committed -> storeOutput(run, committed))
        .onSuccess(
            reported -> {
              outcomes.finish(reported, run.awaiting());
              endSession(run); // after the answer: off the caller's path
            })
        .onFailure(
            t ->
                log.log(
                    System.Logger.Level.ERROR,
                    "DAG call " + res.id() + " could not be reported",
                    t));
  }

  /**
   * A successful call with an output key: the result stored under it, then the call's result; a
   * failed write turns the call into a failure with the write's code. Never fails.
   */
  private Future<CallResult> storeOutput(RunningDag run, CallResult res) {
    String key = run.outputKey();
    if (key == null || res.status() != CallResult.Status.DONE) {
      return Future.succeededFuture(res);
    }
    Map<String, VectorClock> deps = new TreeMap<>(run.dependencies());
    deps.remove(key); // a version does not depend on its own key
    return nodes
        .writeOutput(key, res.result(), run.consistency(), deps)
        .map(
            stored -> {
              wroteOutput(run, key, stored);
              return res;
            })
        .recover(
            t -> {
              CloudburstException e = CloudburstException.from(t);
              return Future.succeededFuture(
                  CallResult.failed(
                      res.id(),
                      res.function(),
                      CloudburstException.of(
                          e.code(),
                          "DAG call "
                              + res.id()
                              + " could not store its result under output_key '"
                              + key
                              + "': "
                              + e.getMessage()),
                      res.logs(),
                      res.executor(),
                      res.durationMicros()));
            });
  }

  /**
   * A causal client's next call depends on the version its call wrote, so it reads its own write.
   */
  private void wroteOutput(RunningDag run, String key, Lattice stored) {
    if (run.clientId() != null && stored instanceof MultiKeyCausalLattice mk) {
      String scheduleId = run.call().schedule().callId();
      clientSessions.finished(
          run.clientId(), new Session(scheduleId, true, Map.of(), Map.of(key, mk.clock())));
    }
  }

  /**
   * Repeatable read and causal: tells the cache of every node that ran part of the call that its
   * session has ended, so they drop the versions it pinned (caches also expire them at the
   * deadline).
   */
  private void endSession(RunningDag run) {
    DagSchedule s = run.call().schedule();
    if (s == null || run.consistency() == Consistency.NORMAL) {
      return;
    }
    for (String node : membership.nodesOf(new HashSet<>(s.placement().values()))) {
      nodes.endSession(node, s.callId());
    }
  }
}
