package io.cloudburst.bus.msg;

/** What executors report to the scheduler about DAG calls. */
public sealed interface DagEvent extends BusMessage {

  /**
   * A function of a DAG call finished: a sink's result, or any function's failure (which fails the
   * call at once). {@code session}: for a sink of a causal call with a client id, what the call
   * depends on, which the client's next calls must respect; else null.
   */
  record StepDone(
      String callId, String function, CallResult result, io.cloudburst.bus.session.Session session)
      implements DagEvent {
    /** A step of a call without a client session to carry back. */
    public StepDone(String callId, String function, CallResult result) {
      this(callId, function, result, null);
    }
  }
}
