package io.cloudburst.runtime.impl;

import io.cloudburst.bus.txn.ReadAtomic;
import io.cloudburst.bus.txn.WriteBuffer;

/**
 * What a running function knows about itself: its call, its address for {@code send} (its {@code
 * id()}), its nesting depth for calls it makes, and its deadline.
 *
 * @param callId the call (for a DAG: the schedule id of the current attempt)
 * @param function the function's name
 * @param invocationId what {@code id()} returns
 * @param depth nesting of calls made from inside functions
 * @param deadline epoch millis after which the call has failed
 * @param dag the DAG call this invocation belongs to, or null for a single-function call
 * @param session the DAG call's session in repeatable-read or causal mode, else null
 * @param txn an atomic call's transaction id, else null
 * @param buffer an atomic call's write buffer (where its puts go), else null
 * @param reads the read-atomic bounds of the call's reads ({@link ReadAtomic}), never null
 */
public record Invocation(
    String callId,
    String function,
    String invocationId,
    int depth,
    long deadline,
    DagRun dag,
    SessionState session,
    String txn,
    WriteBuffer buffer,
    ReadAtomic reads) {
  public Invocation {
    reads = reads == null ? new ReadAtomic() : reads;
  }

  /** An invocation of a call that is not atomic. */
  public Invocation(
      String callId,
      String function,
      String invocationId,
      int depth,
      long deadline,
      DagRun dag,
      SessionState session) {
    this(callId, function, invocationId, depth, deadline, dag, session, null, null, null);
  }

  /** An invocation in normal consistency. */
  public Invocation(
      String callId, String function, String invocationId, int depth, long deadline, DagRun dag) {
    this(callId, function, invocationId, depth, deadline, dag, null);
  }

  /** Milliseconds left before the deadline (never negative). */
  public long remainingMs() {
    return Math.max(0, deadline - System.currentTimeMillis());
  }
}
