package io.cloudburst.runtime.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.SchedulerRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code call()} from guest code: a function (or, when no function has the name, a DAG) called
 * through the scheduler one level deeper, on the worker thread of the caller, bounded by the
 * caller's deadline. Refuses a call that would leave every worker of the executor waiting on nested
 * calls.
 */
public final class NestedCalls {
  /** The scheduler as a worker reaches it. */
  @FunctionalInterface
  public interface Scheduler {
    /**
     * Sends an invocation and blocks at most {@code budgetMs} for its result; a failure is a
     * CloudburstException.
     */
    CallResult invoke(SchedulerRequest request, long budgetMs);
  }

  private final Scheduler scheduler;
  private final int threads;
  private final String address;

  /** Workers blocked in a nested call right now. */
  private final AtomicInteger waiting = new AtomicInteger();

  /**
   * @param threads the executor's worker threads
   * @param address the executor's address (for messages)
   */
  public NestedCalls(Scheduler scheduler, int threads, String address) {
    this.scheduler = scheduler;
    this.threads = threads;
    this.address = address;
  }

  /** Workers blocked in a nested call right now. */
  public int waiting() {
    return waiting.get();
  }

  /** The called function's (or DAG's) result; its failure is thrown with its code. */
  public Object call(Invocation inv, String name, List<Object> args) {
    if (inv.txn() != null) {
      // The nested call would commit (or not) on its own, outside this call's transaction.
      throw CloudburstException.badRequest(
          "call('"
              + name
              + "') inside an atomic call is refused: a nested call does not join the caller's"
              + " transaction; make it a function of the DAG instead");
    }
    long remaining = inv.remainingMs();
    if (remaining <= 0) {
      throw CloudburstException.timeout("the calling function's deadline has passed");
    }
    // A worker waiting on a nested call cannot run the work it waits for. Once every worker but
    // this one waits, the nested call could only queue behind them: a call cycle (or nesting too
    // deep for this pool) that would hold the pool until the deadline. Refuse it at once instead.
    if (waiting.incrementAndGet() >= threads) {
      waiting.decrementAndGet();
      throw CloudburstException.noResources(
          "nested call of '"
              + name
              + "' refused: all "
              + threads
              + " worker threads of executor "
              + address
              + " would be waiting on nested calls (a call cycle, or nesting"
              + " deeper than this executor's threads)");
    }
    CallResult r;
    try {
      r =
          scheduler.invoke(
              SchedulerRequest.InvokeFunction.builder(name)
                  .args(args)
                  .timeoutMs(remaining)
                  .caller(inv.callId(), inv.depth() + 1)
                  .build(),
              remaining + Deadlines.EXECUTOR_MARGIN_MS);
    } catch (CloudburstException e) {
      if (e.code() != ErrorCode.FUNC_NOT_FOUND) {
        throw e;
      }
      r = callDag(inv, name, args, remaining);
    } finally {
      waiting.decrementAndGet();
    }
    if (r.status() == CallResult.Status.FAILED) {
      throw new CloudburstException(r.code(), "call of '" + name + "' failed: " + r.errorMessage());
    }
    return r.result();
  }

  @SuppressWarnings("unchecked")
  private CallResult callDag(Invocation inv, String name, List<Object> args, long remaining) {
    Map<String, List<Object>> argMap = new HashMap<>();
    if (args.size() == 1 && args.get(0) instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getValue() instanceof List<?> l)) {
          throw CloudburstException.badRequest(
              "to call DAG '" + name + "', pass one dict of argument lists by function name");
        }
        argMap.put(String.valueOf(e.getKey()), (List<Object>) l);
      }
    } else if (!args.isEmpty()) {
      throw CloudburstException.badRequest(
          "to call DAG '" + name + "', pass one dict of argument lists by function name");
    }
    try {
      return scheduler.invoke(
          SchedulerRequest.InvokeDag.builder(name)
              .args(argMap)
              .timeoutMs(remaining)
              .caller(inv.callId(), inv.depth() + 1)
              .build(),
          remaining + Deadlines.EXECUTOR_MARGIN_MS);
    } catch (CloudburstException e) {
      if (e.code() == ErrorCode.DAG_NOT_FOUND) {
        throw CloudburstException.notFound(
            ErrorCode.FUNC_NOT_FOUND, "no function or DAG named '" + name + "'");
      }
      throw e;
    }
  }
}
