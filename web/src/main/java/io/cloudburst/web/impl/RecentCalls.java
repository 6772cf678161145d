package io.cloudburst.web.impl;

import io.cloudburst.bus.msg.CallResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last finished calls of each function (or DAG), newest first, for {@code GET
 * /v1/functions/{name}/logs} and {@code ./cloudburst logs}. Bounded per name and in the number of
 * names (the least recently called name goes first). Confined to the web verticle's event loop.
 */
public final class RecentCalls {
  public static final int DEFAULT_PER_FUNCTION = 20;
  static final int MAX_NAMES = 1_000;

  private final int perFunction;
  private final Map<String, ArrayDeque<CallResult>> byName = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<CallResult, Long> finishedAt = new IdentityHashMap<>();

  public RecentCalls(int perFunction) {
    this.perFunction = perFunction;
  }

  public void add(CallResult r) {
    if (!r.isFinished() || r.function() == null) {
      return;
    }
    ArrayDeque<CallResult> q = byName.computeIfAbsent(r.function(), k -> new ArrayDeque<>());
    q.addFirst(r);
    finishedAt.put(r, System.currentTimeMillis());
    while (q.size() > perFunction) {
      finishedAt.remove(q.removeLast());
    }
    if (byName.size() > MAX_NAMES) {
      Iterator<Map.Entry<String, ArrayDeque<CallResult>>> eldest = byName.entrySet().iterator();
      eldest.next().getValue().forEach(finishedAt::remove);
      eldest.remove();
    }
  }

  /** The recent calls of {@code name}, newest first. */
  public List<CallResult> of(String name) {
    ArrayDeque<CallResult> q = byName.get(name);
    return q == null ? List.of() : new ArrayList<>(q);
  }

  /** When this node saw the call finish (epoch millis). */
  public long finishedAt(CallResult r) {
    return finishedAt.getOrDefault(r, 0L);
  }
}
