package io.cloudburst.runtime.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.Keys;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LatticeKind;
import io.cloudburst.bus.lattice.Lattices;
import io.cloudburst.bus.msg.DagSchedule;
import io.cloudburst.bus.msg.ExecutorRequest.Direct;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.value.Bytes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Direct messages between the invocations of one DAG call ({@code send}/{@code recv}). A message
 * goes straight to the destination's executor; when that executor does not take it in time, it is
 * left in the destination's mailbox in the store, where {@code recv} also looks. Thread-safe:
 * workers send and receive, the event loop delivers and forgets.
 */
public final class Mailboxes {
  /** How long recv() waits for a message when there is none. */
  static final long RECV_WAIT_MS = 1;

  /** How often recv() looks in the store mailbox of an invocation, at most. */
  static final long MAILBOX_POLL_MS = 50;

  /** The executors and the store as a worker reaches them; failures are CloudburstExceptions. */
  public interface Port {
    /**
     * Hands {@code message} to the executor at {@code address}, blocking at most {@code budgetMs}.
     */
    void direct(String address, Direct message, long budgetMs);

    /** Merges {@code state} into the store key, blocking at most {@code budgetMs}. */
    void storePut(String key, Lattice state, long budgetMs);

    /** Reads a store key, blocking at most {@code budgetMs}. */
    KvsReply.Found storeGet(String key, long budgetMs);

    /** Deletes a store key, best effort, without waiting. */
    void storeDelete(String key);
  }

  private final Port port;
  private final String nodeId;
  private final Map<String, LinkedBlockingQueue<List<Object>>> queues = new ConcurrentHashMap<>();
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();

  public Mailboxes(Port port, String nodeId) {
    this.port = port;
    this.nodeId = nodeId;
  }

  /** The store key of an invocation's fallback mailbox. */
  public static String storeKey(String invocationId) {
    return Keys.system("mailbox", invocationId);
  }

  /** Keeps a message that arrived for one of this executor's invocations. */
  public void deliver(Direct d) {
    queue(d.to()).add(List.of(d.from(), new Bytes(d.data())));
  }

  public void send(Invocation inv, String dest, byte[] data) {
    DagRun run = inv.dag();
    if (run == null) {
      throw CloudburstException.badRequest(
          "send works only between functions of the same DAG call; this is a single-function call");
    }
    DagSchedule s = run.schedule();
    String prefix = s.callId() + "/";
    String fn = dest != null && dest.startsWith(prefix) ? dest.substring(prefix.length()) : null;
    String where = fn == null ? null : s.placement().get(fn);
    if (where == null) {
      throw CloudburstException.badRequest(
          "send: '" + dest + "' is not an invocation of this DAG call");
    }
    long budget = Math.min(Deadlines.DIRECT_MS, inv.remainingMs());
    if (budget <= 0) {
      throw CloudburstException.timeout("the call's deadline passed");
    }
    try {
      port.direct(where, new Direct(s.callId(), dest, inv.invocationId(), data), budget);
    } catch (CloudburstException unreachable) {
      // Not reachable directly (its executor is gone or does not answer): leave the message in
      // the destination's mailbox in the store, where its recv() looks too.
      Map<String, Object> letter = new LinkedHashMap<>();
      letter.put("from", inv.invocationId());
      letter.put("data", new Bytes(data));
      letter.put("nonce", UUID.randomUUID().toString());
      Lattice l =
          Lattices.write(
              null,
              LatticeKind.SET,
              Collections.unmodifiableMap(letter),
              nodeId,
              System.currentTimeMillis());
      port.storePut(
          storeKey(dest), l, Math.min(Deadlines.STATE_MS, Math.max(1, inv.remainingMs())));
    }
  }

  /**
   * The messages received so far, drained: {@code [[from, bytes], ...]}; waits a moment when there
   * are none.
   */
  public List<Object> recv(Invocation inv) {
    if (inv.dag() == null) {
      throw CloudburstException.badRequest(
          "recv works only inside a DAG call; this is a single-function call");
    }
    LinkedBlockingQueue<List<Object>> q = queue(inv.invocationId());
    List<Object> out = new ArrayList<>();
    q.drainTo(out);
    out.addAll(fromStore(inv));
    if (out.isEmpty()) {
      // Nothing yet: wait a moment, so a guest polling recv() in a loop does not spin a core.
      try {
        List<Object> first = q.poll(RECV_WAIT_MS, TimeUnit.MILLISECONDS);
        if (first != null) {
          out.add(first);
          q.drainTo(out);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return out;
  }

  /**
   * Drops an invocation's mailbox when its run ends; its store mailbox too (best effort) when it
   * received letters through the store. Most invocations never get one, and are spared a store
   * write.
   */
  public void forget(String invocationId) {
    queues.remove(invocationId);
    Seen s = seen.remove(invocationId);
    if (s != null && s.foundAny()) {
      port.storeDelete(storeKey(invocationId));
    }
  }

  private LinkedBlockingQueue<List<Object>> queue(String invocationId) {
    return queues.computeIfAbsent(invocationId, k -> new LinkedBlockingQueue<>());
  }

  /**
   * The letters left in the invocation's store mailbox that it has not received yet. The store is
   * asked at most every {@link #MAILBOX_POLL_MS} per invocation (recv is often polled in a loop).
   */
  private List<Object> fromStore(Invocation inv) {
    Seen s = seen.computeIfAbsent(inv.invocationId(), k -> new Seen());
    long now = System.nanoTime();
    synchronized (s) {
      if (now - s.lastPoll < TimeUnit.MILLISECONDS.toNanos(MAILBOX_POLL_MS)) {
        return List.of();
      }
      s.lastPoll = now;
    }
    long budget = Math.min(Deadlines.STATE_MS, inv.remainingMs());
    if (budget <= 0) {
      return List.of();
    }
    KvsReply.Found found = port.storeGet(storeKey(inv.invocationId()), budget);
    if (!(found.value() instanceof List<?> letters)) {
      return List.of();
    }
    List<Object> out = new ArrayList<>();
    synchronized (s) {
      for (Object o : letters) {
        if (o instanceof Map<?, ?> letter && s.nonces.add(String.valueOf(letter.get("nonce")))) {
          out.add(List.of(String.valueOf(letter.get("from")), letter.get("data")));
        }
      }
    }
    return out;
  }

  /** Which store letters an invocation has received, and when it last looked. */
  private static final class Seen {
    final Set<String> nonces = new HashSet<>();
    long lastPoll = Long.MIN_VALUE / 2;

    synchronized boolean foundAny() {
      return !nonces.isEmpty();
    }
  }
}
