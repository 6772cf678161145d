package io.cloudburst.bus.msg;

import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the executors of one DAG call need: the function versions, where each function runs
 * (executor address), each function's upstreams in connection order and downstreams, the explicit
 * arguments, the sinks, where to report completion, and the call's deadline.
 *
 * @param callId the DAG call
 * @param dag the DAG's name
 * @param functions function versions by function name
 * @param placement executor address by function name
 * @param upstreams upstream functions by function name, in connection order
 * @param downstreams downstream functions by function name
 * @param args explicit arguments by function name
 * @param sinks the functions whose results make the call's result
 * @param completionAddress where {@link DagEvent.StepDone} goes
 * @param deadline epoch millis after which the call has failed
 * @param depth nesting of calls made from inside functions
 * @param consistency the call's consistency level
 * @param clientSession causal calls with a client id: what the client's earlier calls depend on
 *     (the sources' starting session; the sinks report theirs back); else null
 * @param txn an atomic call's transaction id ({@link io.cloudburst.bus.txn.TxnIds}): the functions'
 *     puts go to a write buffer that travels with the triggers and comes back with the sinks'
 *     results; null for a call that is not atomic
 */
public record DagSchedule(
    String callId,
    String dag,
    Map<String, FunctionInfo> functions,
    Map<String, String> placement,
    Map<String, List<String>> upstreams,
    Map<String, List<String>> downstreams,
    Map<String, List<Object>> args,
    List<String> sinks,
    String completionAddress,
    long deadline,
    int depth,
    io.cloudburst.bus.Consistency consistency,
    io.cloudburst.bus.session.Session clientSession,
    String txn) {
  public DagSchedule {
    functions = copy(functions);
    placement = copy(placement);
    upstreams = copy(upstreams);
    downstreams = copy(downstreams);
    args = copy(args);
    sinks = List.copyOf(sinks);
    consistency = consistency == null ? io.cloudburst.bus.Consistency.NORMAL : consistency;
  }

  private static <V> Map<String, V> copy(Map<String, V> m) {
    return m == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }

  /**
   * What an executor on another node needs of this schedule: the functions placed on {@code
   * executor} (their versions without sources, {@link FunctionInfo#thin}) and their arguments;
   * every placement, upstream and downstream stays (triggers go by them).
   */
  public DagSchedule thinFor(String executor) {
    Map<String, FunctionInfo> mine = new LinkedHashMap<>();
    Map<String, List<Object>> mineArgs = new LinkedHashMap<>();
    placement.forEach(
        (fn, where) -> {
          if (where.equals(executor)) {
            FunctionInfo f = functions.get(fn);
            if (f != null) {
              mine.put(fn, f.thin());
            }
            if (args.containsKey(fn)) {
              mineArgs.put(fn, args.get(fn));
            }
          }
        });
    return new DagSchedule(
        callId,
        dag,
        mine,
        placement,
        upstreams,
        downstreams,
        mineArgs,
        sinks,
        completionAddress,
        deadline,
        depth,
        consistency,
        clientSession,
        txn);
  }

  /** The invocation id of one function in this call, as {@code id()} returns it. */
  public String invocationId(String function) {
    return callId + "/" + function;
  }

  /** Milliseconds left before the deadline (never negative). */
  public long remainingMs(long now) {
    return Math.max(0, deadline - now);
  }
}
