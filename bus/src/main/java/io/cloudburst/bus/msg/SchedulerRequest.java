package io.cloudburst.bus.msg;

import java.util.List;

/** Requests to the scheduler at {@link io.cloudburst.bus.Addresses#SCHEDULER}. */
public sealed interface SchedulerRequest extends BusMessage {

  /** Registers a new version of a function. Reply: {@link FunctionInfo}. */
  record RegisterFunction(String name, String language, String source, String entrypoint)
      implements SchedulerRequest {}

  /** Reply: {@link FunctionList} of the current version of every function. */
  record ListFunctions() implements SchedulerRequest {}

  /** Reply: {@link FunctionList} of every version of one function, oldest first. */
  record ListVersions(String name) implements SchedulerRequest {}

  /** One function; {@code version} 0 means the current one. Reply: {@link FunctionInfo}. */
  record GetFunction(String name, int version) implements SchedulerRequest {}

  /** Deletes a function and all its versions. Reply: {@link Ack}. */
  record DeleteFunction(String name) implements SchedulerRequest {}

  /** Makes an older version current again (as a new version with its source). Reply: {@link FunctionInfo}. */
  record RestoreFunction(String name, int version) implements SchedulerRequest {}

  /**
   * Invokes a function. With {@code awaitResult} the reply is the finished {@link CallResult}; without,
   * a pending one with the call's id. {@code timeoutMs} 0 means the node's default. {@code
   * callerCallId} is the call that made this one from inside a function (dynamic composition),
   * {@code depth} its nesting. With {@code awaitRefsMs} above 0, a {@code $ref} to an absent key
   * is waited for (up to that long, within the deadline) instead of resolving to null; still
   * absent then, the call fails with TIMEOUT. A {@code requestId} (idempotency key) makes the call
   * run at most once: a repeat with the same key answers the first call's outcome, and a call whose
   * executor is lost is not run again (it fails with NO_RESOURCES).
   */
  record InvokeFunction(
      String name, int version, List<Object> args, long timeoutMs, boolean awaitResult, String callerCallId, int depth,
      long awaitRefsMs, String requestId)
      implements SchedulerRequest {
    public InvokeFunction {
      args = immutableCopy(args);
    }

    /** A call whose references to absent keys resolve to null at once, without an idempotency key. */
    public InvokeFunction(String name, int version, List<Object> args, long timeoutMs, boolean awaitResult, String callerCallId, int depth) {
      this(name, version, args, timeoutMs, awaitResult, callerCallId, depth, 0, null);
    }

    public static InvokeFunction of(String name, List<Object> args, long timeoutMs, boolean awaitResult) {
      return new InvokeFunction(name, 0, args, timeoutMs, awaitResult, null, 0);
    }
  }

  /** Reply: {@link SchedulerReply.Status}, what this scheduler knows of every node. */
  record GetStatus() implements SchedulerRequest {}

  /**
   * Reply: the {@link CallResult} so far (pending, done or failed). A scheduler that does not hold
   * the id asks the scheduler of the node that started the call ({@link GetHeldResult}).
   */
  record GetResult(String id) implements SchedulerRequest {}

  /**
   * What a scheduler sends another node's scheduler (at {@link io.cloudburst.bus.Addresses#scheduler})
   * for a result it does not hold. Reply: the {@link CallResult} that scheduler holds, or
   * RESULT_NOT_FOUND; never asked further (so a request cannot go round the cluster).
   */
  record GetHeldResult(String id) implements SchedulerRequest {}

  /** Registers a DAG. Reply: {@link SchedulerReply.DagInfo}; DAG_INVALID or DAG_ALREADY_EXISTS. */
  record RegisterDag(String name, List<String> functions, List<List<String>> connections) implements SchedulerRequest {
    public RegisterDag {
      functions = immutableCopy(functions);
      connections = immutableCopy(connections);
    }
  }

  /** Reply: {@link SchedulerReply.DagList}. */
  record ListDags() implements SchedulerRequest {}

  /** Reply: {@link SchedulerReply.DagInfo} or DAG_NOT_FOUND. */
  record GetDag(String name) implements SchedulerRequest {}

  /** Reply: {@link SchedulerReply.Ack} or DAG_NOT_FOUND. */
  record DeleteDag(String name) implements SchedulerRequest {}

  /**
   * Invokes a DAG: {@code args} holds the explicit arguments of each function by name (a function
   * with upstreams receives them first, then its upstreams' results in connection order). Reply as
   * for {@link InvokeFunction} (so is {@code requestId}); with several sinks the result is an object
   * keyed by sink.
   */
  record InvokeDag(
      String name,
      java.util.Map<String, List<Object>> args,
      String consistency,
      long timeoutMs,
      boolean awaitResult,
      String outputKey,
      String clientId,
      String callerCallId,
      int depth,
      String requestId)
      implements SchedulerRequest {
    public InvokeDag {
      args = args == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(args));
    }

    /** A DAG call without an idempotency key. */
    public InvokeDag(String name, java.util.Map<String, List<Object>> args, String consistency, long timeoutMs, boolean awaitResult,
        String outputKey, String clientId, String callerCallId, int depth) {
      this(name, args, consistency, timeoutMs, awaitResult, outputKey, clientId, callerCallId, depth, null);
    }
  }

  /**
   * An unmodifiable copy that, unlike {@link List#copyOf}, keeps null elements (JSON null is a
   * legal argument).
   */
  static <T> List<T> immutableCopy(List<T> l) {
    if (l == null || l.isEmpty()) {
      return List.of();
    }
    return java.util.Collections.unmodifiableList(new java.util.ArrayList<>(l));
  }
}
