package io.cloudburst.scheduler.impl;

import io.cloudburst.bus.msg.CallResult;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Results of calls, kept for {@code GET /v1/results/{id}}: bounded in count and in age. Entries are
 * kept in insertion order, so expiry and overflow both drop from the head.
 */
public final class ResultStore {
  private record Entry(CallResult result, long storedAt) {}

  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
  private final int maxEntries;
  private final long retentionMs;

  public ResultStore(int maxEntries, long retentionMs) {
    this.maxEntries = maxEntries;
    this.retentionMs = retentionMs;
  }

  /** Stores or replaces the result of a call (a pending one is replaced when it finishes). */
  public void put(CallResult r, long now) {
    Entry old = entries.remove(r.id());
    entries.put(r.id(), new Entry(r, old == null || r.isFinished() ? now : old.storedAt()));
    while (entries.size() > maxEntries) {
      Iterator<String> it = entries.keySet().iterator();
      it.next();
      it.remove();
    }
  }

  /** The result, or null when unknown or expired. */
  public CallResult get(String id, long now) {
    Entry e = entries.get(id);
    if (e == null) {
      return null;
    }
    if (e.result().isFinished() && now - e.storedAt() > retentionMs) {
      entries.remove(id);
      return null;
    }
    return e.result();
  }

  /** Drops finished results older than the retention. */
  public int expire(long now) {
    int dropped = 0;
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      Entry e = it.next().getValue();
      if (now - e.storedAt() <= retentionMs) {
        break;
      }
      if (e.result().isFinished()) {
        it.remove();
        dropped++;
      }
    }
    return dropped;
  }

  public int size() {
    return entries.size();
  }
}
