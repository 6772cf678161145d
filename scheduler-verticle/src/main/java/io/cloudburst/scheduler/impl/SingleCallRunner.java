package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.msg.SchedulerRequest.InvokeFunction;
import io.cloudburst.bus.txn.CommitRecord;
import io.cloudburst.bus.txn.TxnIds;
import io.cloudburst.scheduler.SchedulerOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Calls of one function: placed on an executor ({@link CallPlacement}), and placed again when the
 * executor goes away while the call runs (up to {@link #MAX_ATTEMPTS} attempts), unless the call
 * has an idempotency key, which asks for at most once.
 */
public final class SingleCallRunner implements ExecutorMembership.Listener {
  /** Attempts of a call whose executor goes away before it is failed. */
  public static final int MAX_ATTEMPTS = 3;

  /** What one attempt needs; {@code atMostOnce} when started with an idempotency key. */
  private record Call(
      String id,
      FunctionInfo f,
      List<Object> args,
      long timeout,
      int depth,
      long awaitRefsMs,
      boolean atMostOnce,
      String txn) {}

  private final SchedulerOptions options;
  private final FunctionRegistry registry;
  private final ExecutorTable executors;
  private final CallPlacement placement;
  private final ExecutorMembership membership;
  private final IdempotencyKeys keys;
  private final CallOutcomes outcomes;
  private final CallIds ids;
  private final ExecutorGateway gateway;
  private final AtomicCommits commits;

  /** Calls in flight, by executor address, so they can be re-run if it leaves. */
  private final Map<String, Set<Promise<CallResult>>> inFlightByExecutor = new HashMap<>();

  /**
   * @param commits the commits of atomic calls ({@link AtomicCommits#none()} where there are none)
   */
  public SingleCallRunner(
      SchedulerOptions options,
      FunctionRegistry registry,
      ExecutorTable executors,
      CallPlacement placement,
      ExecutorMembership membership,
      IdempotencyKeys keys,
      CallOutcomes outcomes,
      CallIds ids,
      ExecutorGateway gateway,
      AtomicCommits commits) {
    this.commits = commits;
    this.options = options;
    this.registry = registry;
    this.executors = executors;
    this.placement = placement;
    this.membership = membership;
    this.keys = keys;
    this.outcomes = outcomes;
    this.ids = ids;
    this.gateway = gateway;
  }

  /**
   * Starts a call; {@code reply} gets the pending result at once when the request does not wait,
   * else the finished one (a repeat of an idempotent request gets the first call's).
   *
   * @throws CloudburstException for a request refused before it runs (depth, unknown function, bad
   *     request_id)
   */
  public void invoke(InvokeFunction r, Consumer<CallResult> reply) {
    if (r.depth() > options.maxCallDepth()) {
      throw CloudburstException.badRequest(
          "call depth limit of "
              + options.maxCallDepth()
              + " exceeded (calls nested too deeply or a call cycle)");
    }
    FunctionInfo f = registry.get(r.name(), r.version());
    String target = "function " + f.name();
    Future<CallResult> repeat = keys.repeatOf(r.requestId(), target, r.awaitResult());
    if (repeat != null) {
      repeat.onSuccess(reply::accept);
      return;
    }
    long timeout = options.deadline(r.timeoutMs());
    CallResult pending = CallResult.pending(ids.next(), f.name());
    outcomes.started(pending, r.requestId(), target);
    if (!r.awaitResult()) {
      reply.accept(pending);
    }
    Call call =
        new Call(
            pending.id(),
            f,
            r.args(),
            timeout,
            r.depth(),
            Math.min(r.awaitRefsMs(), timeout),
            r.requestId() != null && !r.atomic(),
            r.atomic() ? TxnIds.of(pending.id(), r.requestId()) : null);
    Consumer<CallResult> waiting = r.awaitResult() ? reply : null;
    run(call, r.requestId())
        .recover(
            t ->
                Future.succeededFuture(
                    CallResult.failed(
                        call.id(), f.name(), CloudburstException.from(t), null, null, 0)))
        .onSuccess(res -> outcomes.finish(res, waiting));
  }

  /**
   * Runs the call; an atomic one then commits (a repeat of a request id that already committed,
   * even before a restart, answers the committed outcome without running).
   */
  private Future<CallResult> run(Call c, String requestId) {
    if (c.txn() == null) {
      return execute(c, 0);
    }
    Future<CommitRecord> before =
        requestId == null ? Future.succeededFuture() : commits.committed(c.txn());
    return before.compose(
        first ->
            first != null
                ? Future.succeededFuture(
                    CallResult.done(c.id(), c.f().name(), first.result(), null, null, 0))
                : execute(c, 0).compose(res -> commits.commit(c.txn(), requestId, res)));
  }

  private Future<CallResult> execute(Call c, int attempt) {
    ExecutorTable.Entry e = placement.forCall(c.f(), c.args());
    if (e == null) {
      return Future.failedFuture(CloudburstException.noResources("no executor can take the call"));
    }
    String address = e.address();
    executors.inFlight(address, +1);
    Promise<CallResult> outcome = Promise.promise();
    inFlightByExecutor.computeIfAbsent(address, k -> new LinkedHashSet<>()).add(outcome);
    gateway
        .execute(
            address,
            new ExecutorRequest.Execute(
                c.id(), c.f(), c.args(), c.timeout(), c.depth(), c.awaitRefsMs(), c.txn()),
            c.timeout() + Deadlines.EXECUTOR_MARGIN_MS)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                outcome.tryComplete(ar.result());
              } else {
                outcome.tryFail(ar.cause());
              }
            });
    return outcome
        .future()
        .andThen(ar -> returned(address, outcome))
        .map(
            r -> {
              executors.warmed(address, c.f().contextKey());
              return r;
            })
        .recover(t -> afterFailure(c, attempt, address, t));
  }

  private void returned(String address, Promise<CallResult> outcome) {
    executors.inFlight(address, -1);
    Set<Promise<CallResult>> s = inFlightByExecutor.get(address);
    if (s != null) {
      s.remove(outcome);
    }
  }

  /**
   * A failed attempt: run again elsewhere when the executor is gone (and the call may run twice,
   * unless it is at most once; an atomic call is run again, as nothing of it was visible), else the
   * failure.
   */
  private Future<CallResult> afterFailure(Call c, int attempt, String address, Throwable t) {
    boolean gone =
        t instanceof ExecutorGone
            || (t instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS);
    if (gone && c.atMostOnce()) {
      executors.remove(address);
      return Future.failedFuture(
          CloudburstException.noResources(
              "call "
                  + c.id()
                  + " of "
                  + c.f().name()
                  + " lost its executor "
                  + address
                  + " and is not run again: its request_id asks for at most once"
                  + " (its effects may have happened)"));
    }
    if (gone && attempt + 1 < MAX_ATTEMPTS) {
      // The executor is gone: forget it and run the call elsewhere.
      membership.removeExecutor(address);
      return execute(c, attempt + 1);
    }
    if (t instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
      return Future.failedFuture(
          CloudburstException.timeout(
              "call "
                  + c.id()
                  + " of "
                  + c.f().name()
                  + " did not finish within "
                  + c.timeout()
                  + " ms"));
    }
    if (gone) {
      return Future.failedFuture(
          CloudburstException.noResources(
              "call "
                  + c.id()
                  + " of "
                  + c.f().name()
                  + " lost its executor "
                  + MAX_ATTEMPTS
                  + " times"));
    }
    return Future.failedFuture(t);
  }

  /**
   * The calls in flight on executors that are gone fail with {@link ExecutorGone}, and so run again
   * elsewhere.
   */
  @Override
  public void executorsLeft(Set<String> addresses, String why) {
    for (String address : addresses) {
      Set<Promise<CallResult>> calls = inFlightByExecutor.remove(address);
      if (calls != null) {
        for (Promise<CallResult> p : new ArrayList<>(calls)) {
          p.tryFail(new ExecutorGone(address));
        }
      }
    }
  }

  /** Calls in flight, over all executors. */
  public int inFlight() {
    int n = 0;
    for (Set<Promise<CallResult>> s : inFlightByExecutor.values()) {
      n += s.size();
    }
    return n;
  }

  /** Marks a call whose executor left while it ran; such calls are placed again. */
  private static final class ExecutorGone extends RuntimeException {
    ExecutorGone(String address) {
      super("executor " + address + " left", null, false, false);
    }
  }
}
