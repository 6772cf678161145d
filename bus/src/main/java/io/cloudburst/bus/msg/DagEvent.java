package io.cloudburst.bus.msg;

/** What executors report to the scheduler about DAG calls. */
public sealed interface DagEvent extends BusMessage {

  /**
   * A function of a DAG call finished: a sink's result, or any function's failure (which fails
   * the call at once).
   */
  record StepDone(String callId, String function, CallResult result) implements DagEvent {}
}
