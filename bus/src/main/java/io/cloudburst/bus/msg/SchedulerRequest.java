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

  /**
   * Makes an older version current again (as a new version with its source). Reply: {@link
   * FunctionInfo}.
   */
  record RestoreFunction(String name, int version) implements SchedulerRequest {}

  /**
   * Invokes a function. With {@code awaitResult} the reply is the finished {@link CallResult};
   * without, a pending one with the call's id. {@code timeoutMs} 0 means the node's default. {@code
   * callerCallId} is the call that made this one from inside a function (dynamic composition),
   * {@code depth} its nesting. With {@code awaitRefsMs} above 0, a {@code $ref} to an absent key is
   * waited for (up to that long, within the deadline) instead of resolving to null; still absent
   * then, the call fails with TIMEOUT. A {@code requestId} (idempotency key) makes the call run at
   * most once: a repeat with the same key answers the first call's outcome, and a call whose
   * executor is lost is not run again (it fails with NO_RESOURCES), unless the call is {@code
   * atomic}: then its writes are buffered and committed together (all or none) when it ends, and
   * with a {@code requestId} a call that loses its executor is run again and committed once. Build
   * one with {@link #builder}.
   */
  record InvokeFunction(
      String name,
      int version,
      List<Object> args,
      long timeoutMs,
      boolean awaitResult,
      String callerCallId,
      int depth,
      long awaitRefsMs,
      String requestId,
      boolean atomic)
      implements SchedulerRequest {
    public InvokeFunction {
      args = immutableCopy(args);
    }

    /**
     * A call of the current version of {@code name}, without arguments, waiting for its result, the
     * node's default deadline.
     */
    public static Builder builder(String name) {
      return new Builder(name);
    }

    /** Builds an {@link InvokeFunction}; every field but the name has a default. */
    public static final class Builder {
      private final String name;
      private int version;
      private List<Object> args = List.of();
      private long timeoutMs;
      private boolean awaitResult = true;
      private String callerCallId;
      private int depth;
      private long awaitRefsMs;
      private String requestId;
      private boolean atomic;

      private Builder(String name) {
        this.name = name;
      }

      /** The version to run; 0 (the default) is the current one. */
      public Builder version(int version) {
        this.version = version;
        return this;
      }

      public Builder args(List<Object> args) {
        this.args = args;
        return this;
      }

      /** The call's deadline; 0 (the default) is the node's default. */
      public Builder timeoutMs(long timeoutMs) {
        this.timeoutMs = timeoutMs;
        return this;
      }

      /** Whether the reply waits for the result (the default) or carries a pending id at once. */
      public Builder awaitResult(boolean awaitResult) {
        this.awaitResult = awaitResult;
        return this;
      }

      /** A call made from inside call {@code callerCallId}, nested {@code depth} deep. */
      public Builder caller(String callerCallId, int depth) {
        this.callerCallId = callerCallId;
        this.depth = depth;
        return this;
      }

      public Builder awaitRefsMs(long awaitRefsMs) {
        this.awaitRefsMs = awaitRefsMs;
        return this;
      }

      /** The idempotency key; null (the default) for none. */
      public Builder requestId(String requestId) {
        this.requestId = requestId;
        return this;
      }

      /** Whether the call is a transaction: its writes visible all together or never. */
      public Builder atomic(boolean atomic) {
        this.atomic = atomic;
        return this;
      }

      public InvokeFunction build() {
        return new InvokeFunction(
            name,
            version,
            args,
            timeoutMs,
            awaitResult,
            callerCallId,
            depth,
            awaitRefsMs,
            requestId,
            atomic);
      }
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
   * What a scheduler sends another node's scheduler (at {@link
   * io.cloudburst.bus.Addresses#scheduler}) for a result it does not hold. Reply: the {@link
   * CallResult} that scheduler holds, or RESULT_NOT_FOUND; never asked further (so a request cannot
   * go round the cluster).
   */
  record GetHeldResult(String id) implements SchedulerRequest {}

  /** Registers a DAG. Reply: {@link SchedulerReply.DagInfo}; DAG_INVALID or DAG_ALREADY_EXISTS. */
  record RegisterDag(String name, List<String> functions, List<List<String>> connections)
      implements SchedulerRequest {
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
   * for {@link InvokeFunction} (so is {@code requestId}); with several sinks the result is an
   * object keyed by sink. {@code outputKey}, when set, is where the result is also stored before
   * the call is reported done; {@code clientId} names a causal session that spans calls; {@code
   * atomic} as for {@link InvokeFunction}. Build one with {@link #builder}.
   */
  record InvokeDag(
      String name,
      java.util.Map<String, List<Object>> args,
      io.cloudburst.bus.Consistency consistency,
      long timeoutMs,
      boolean awaitResult,
      String outputKey,
      String clientId,
      String callerCallId,
      int depth,
      String requestId,
      boolean atomic)
      implements SchedulerRequest {
    public InvokeDag {
      args =
          args == null
              ? java.util.Map.of()
              : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(args));
      consistency = consistency == null ? io.cloudburst.bus.Consistency.NORMAL : consistency;
    }

    /**
     * A call of DAG {@code name} without arguments, in normal consistency, waiting for its result,
     * the node's default deadline.
     */
    public static Builder builder(String name) {
      return new Builder(name);
    }

    /** Builds an {@link InvokeDag}; every field but the name has a default. */
    public static final class Builder {
      private final String name;
      private java.util.Map<String, List<Object>> args = java.util.Map.of();
      private io.cloudburst.bus.Consistency consistency = io.cloudburst.bus.Consistency.NORMAL;
      private long timeoutMs;
      private boolean awaitResult = true;
      private String outputKey;
      private String clientId;
      private String callerCallId;
      private int depth;
      private String requestId;
      private boolean atomic;

      private Builder(String name) {
        this.name = name;
      }

      public Builder args(java.util.Map<String, List<Object>> args) {
        this.args = args;
        return this;
      }

      public Builder consistency(io.cloudburst.bus.Consistency consistency) {
        this.consistency = consistency;
        return this;
      }

      /** The call's deadline; 0 (the default) is the node's default. */
      public Builder timeoutMs(long timeoutMs) {
        this.timeoutMs = timeoutMs;
        return this;
      }

      /** Whether the reply waits for the result (the default) or carries a pending id at once. */
      public Builder awaitResult(boolean awaitResult) {
        this.awaitResult = awaitResult;
        return this;
      }

      public Builder outputKey(String outputKey) {
        this.outputKey = outputKey;
        return this;
      }

      public Builder clientId(String clientId) {
        this.clientId = clientId;
        return this;
      }

      /** A call made from inside call {@code callerCallId}, nested {@code depth} deep. */
      public Builder caller(String callerCallId, int depth) {
        this.callerCallId = callerCallId;
        this.depth = depth;
        return this;
      }

      /** The idempotency key; null (the default) for none. */
      public Builder requestId(String requestId) {
        this.requestId = requestId;
        return this;
      }

      /** Whether the call is a transaction: its writes visible all together or never. */
      public Builder atomic(boolean atomic) {
        this.atomic = atomic;
        return this;
      }

      public InvokeDag build() {
        return new InvokeDag(
            name,
            args,
            consistency,
            timeoutMs,
            awaitResult,
            outputKey,
            clientId,
            callerCallId,
            depth,
            requestId,
            atomic);
      }
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
