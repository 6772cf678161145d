package io.cloudburst.bus.msg;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.value.Values;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * The outcome of one call: pending, done with a result, or failed with an error code and message.
 * {@code logs} holds what the guest printed (bounded), {@code durationMicros} the time inside the
 * executor. {@code writes}: an atomic call's write buffer (key to the lattice state to join), on
 * its way from the executor to the scheduler that commits it; null otherwise, and never in a result
 * a client sees.
 */
public record CallResult(
    String id,
    Status status,
    Object result,
    String errorCode,
    String errorMessage,
    String logs,
    String function,
    String executor,
    long durationMicros,
    Map<String, io.cloudburst.bus.lattice.Lattice> writes)
    implements SchedulerReply {

  public CallResult {
    writes = writes == null ? null : Map.copyOf(writes);
  }

  /** This result carrying {@code buffer} (null: none). */
  public CallResult withWrites(Map<String, io.cloudburst.bus.lattice.Lattice> buffer) {
    return new CallResult(
        id,
        status,
        result,
        errorCode,
        errorMessage,
        logs,
        function,
        executor,
        durationMicros,
        buffer);
  }

  public enum Status {
    PENDING,
    DONE,
    FAILED;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public static CallResult pending(String id, String function) {
    return new CallResult(id, Status.PENDING, null, null, null, null, function, null, 0, null);
  }

  public static CallResult done(
      String id, String function, Object result, String logs, String executor, long micros) {
    return new CallResult(
        id, Status.DONE, result, null, null, logs, function, executor, micros, null);
  }

  public static CallResult failed(
      String id,
      String function,
      CloudburstException e,
      String logs,
      String executor,
      long micros) {
    return new CallResult(
        id,
        Status.FAILED,
        null,
        e.code().name(),
        e.getMessage(),
        logs,
        function,
        executor,
        micros,
        null);
  }

  /**
   * This result, given an atomic call's buffer: a done result takes its writes; a failed one takes
   * none (the abort); a buffer that overflowed fails the call with PAYLOAD_TOO_LARGE whatever the
   * function did with that error (nothing is written).
   */
  public CallResult withBuffer(io.cloudburst.bus.txn.WriteBuffer buffer) {
    if (buffer == null || status == Status.PENDING) {
      return this;
    }
    if (buffer.overflow() != null) {
      return failed(id, function, buffer.overflow(), logs, executor, durationMicros);
    }
    return status == Status.DONE ? withWrites(buffer.snapshot()) : this;
  }

  public CallResult withId(String newId) {
    return new CallResult(
        newId,
        status,
        result,
        errorCode,
        errorMessage,
        logs,
        function,
        executor,
        durationMicros,
        writes);
  }

  public boolean isFinished() {
    return status != Status.PENDING;
  }

  public ErrorCode code() {
    return errorCode == null ? null : ErrorCode.parse(errorCode);
  }

  /** The failure as an exception (only for failed results). */
  public CloudburstException error() {
    return new CloudburstException(code(), errorMessage);
  }

  /**
   * The API.md shape: {@code {"id", "status", "result"?, "error"?, "logs"?, "duration_us"?,
   * "executor"?}}.
   */
  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("id", id).put("status", status.wire());
    if (status == Status.DONE) {
      o.put("result", Values.toJson(result));
    } else if (status == Status.FAILED) {
      o.put("error", new JsonObject().put("code", errorCode).put("message", errorMessage));
    }
    if (function != null) {
      o.put("function", function);
    }
    if (logs != null && !logs.isEmpty()) {
      o.put("logs", logs);
    }
    if (status != Status.PENDING) {
      o.put("duration_us", durationMicros);
    }
    if (executor != null && !executor.isEmpty()) {
      o.put(
          "executor",
          executor); // where it ran (or its sink, for a DAG): shows placement across a cluster
    }
    return o;
  }
}
