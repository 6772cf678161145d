package io.cloudburst.bus.msg;

import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import java.util.List;

/** Requests to one executor verticle at {@link io.cloudburst.bus.Addresses#executor}. */
public sealed interface ExecutorRequest extends BusMessage {

  /**
   * Runs one function version, resolving its {@code $ref} arguments first ({@code awaitRefsMs}: see
   * {@link SchedulerRequest.InvokeFunction}). Reply: a finished {@link CallResult} (failures are
   * results, not bus failures, so the guest's logs travel with them). {@code txn}, for an atomic
   * call, is its transaction id ({@link io.cloudburst.bus.txn.TxnIds}): its puts go to a write
   * buffer that comes back in {@link CallResult#writes()} instead of reaching the store; null for a
   * normal call.
   */
  record Execute(
      String callId,
      FunctionInfo function,
      List<Object> args,
      long timeoutMs,
      int depth,
      long awaitRefsMs,
      String txn)
      implements ExecutorRequest {
    public Execute {
      args = SchedulerRequest.immutableCopy(args);
    }

    /** A call that is not atomic. */
    public Execute(
        String callId,
        FunctionInfo function,
        List<Object> args,
        long timeoutMs,
        int depth,
        long awaitRefsMs) {
      this(callId, function, args, timeoutMs, depth, awaitRefsMs, null);
    }

    /** This call of another description of the same function version (e.g. without its source). */
    public Execute withFunction(FunctionInfo f) {
      return new Execute(callId, f, args, timeoutMs, depth, awaitRefsMs, txn);
    }

    /** A call whose references to absent keys resolve to null at once. */
    public Execute(
        String callId, FunctionInfo function, List<Object> args, long timeoutMs, int depth) {
      this(callId, function, args, timeoutMs, depth, 0);
    }
  }

  /**
   * One DAG call's schedule, sent to every executor that runs at least one of its functions. An
   * executor runs each of its functions once all upstream {@link Trigger}s for it have arrived (at
   * once for a source), then sends its result as a Trigger to each downstream function's executor,
   * or, for a sink or a failure, a {@link DagEvent.StepDone} to the schedule's completion address.
   * Reply: {@link SchedulerReply.Ack} once the executor holds the schedule, when the scheduler asks
   * for one (it does for executors on its own node, where it costs no hop; an executor on another
   * node that goes away is covered by {@link NodeEvent.NodeLeft} and its missing status, and the
   * call by its deadline). Across nodes its functions come without their sources ({@link
   * FunctionInfo#thin}).
   */
  record RunDag(DagSchedule schedule) implements ExecutorRequest {}

  /**
   * The result of {@code from} for {@code function} in DAG call {@code callId}, with what the call
   * has read so far ({@code session}; null in normal consistency) and, in an atomic call, the
   * call's write buffer as {@code from} left it ({@code writes}; null otherwise). {@code
   * readBounds}: the read-atomic lower bounds the call's readers found so far ({@link
   * io.cloudburst.bus.txn.ReadAtomic}), null when none. No reply.
   */
  record Trigger(
      String callId,
      String function,
      String from,
      Object value,
      io.cloudburst.bus.session.Session session,
      java.util.Map<String, io.cloudburst.bus.lattice.Lattice> writes,
      java.util.Map<String, io.cloudburst.bus.lattice.Lattice> readBounds)
      implements ExecutorRequest {
    public Trigger {
      writes = writes == null ? null : java.util.Map.copyOf(writes);
      readBounds =
          readBounds == null || readBounds.isEmpty() ? null : java.util.Map.copyOf(readBounds);
    }

    /** A trigger of a call that is not atomic. */
    public Trigger(
        String callId,
        String function,
        String from,
        Object value,
        io.cloudburst.bus.session.Session session) {
      this(callId, function, from, value, session, null, null);
    }

    /** A trigger of a call in normal consistency. */
    public Trigger(String callId, String function, String from, Object value) {
      this(callId, function, from, value, null, null, null);
    }
  }

  /**
   * A direct message between two invocations of the same DAG call ({@code send}/{@code recv}):
   * {@code to} and {@code from} are invocation ids ({@code callId/function}). Reply: {@link
   * SchedulerReply.Ack} once it is in the receiver's mailbox, so {@code send} knows it was
   * delivered.
   */
  record Direct(String callId, String to, String from, byte[] data) implements ExecutorRequest {}

  /**
   * Checks that a source compiles and defines its entrypoint, and warms a context for it. Reply:
   * the {@link FunctionInfo}; failure BAD_REQUEST with the line number.
   */
  record Validate(FunctionInfo function) implements ExecutorRequest {}
}
