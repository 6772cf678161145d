package io.cloudburst.runtime.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.Keys;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.msg.CacheRequest;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.session.Session;
import io.cloudburst.bus.session.Version;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads and writes of user keys for guest code, on worker threads: cache-view hits without a bus
 * hop, everything else through the node's cache; in a repeatable-read or causal session, the
 * versions the session's rules allow (see {@link SessionState}).
 */
public final class UserState {
  /**
   * A causal read waiting for a new enough version gives up this long before the call's deadline.
   */
  static final long CAUSAL_GIVE_UP_MS = 250;

  private final CacheAccess cache;
  private final AtomicState atomic;

  public UserState(CacheAccess cache) {
    this.cache = cache;
    this.atomic = new AtomicState(cache);
  }

  public Object get(Invocation inv, String key) {
    Keys.requireUserKey(key);
    Lattice l = read(inv, key);
    return l == null ? null : l.value();
  }

  /**
   * The state a read of {@code key} returns: the call's own buffered write, else what the session
   * rules or the cache give, raised to what the read-atomic rule requires.
   */
  private Lattice read(Invocation inv, String key) {
    Lattice mine = inv.buffer() == null ? null : inv.buffer().get(key);
    if (mine != null) {
      return mine;
    }
    Lattice l;
    if (inv.session() != null) {
      l = sessionRead(inv, key);
    } else {
      Lattice held = cache.viewed(key);
      if (held != null) {
        cache.touched(key);
        l = held;
      } else {
        l = ((KvsReply.Found) local(new CacheRequest.Get(key), inv)).lattice();
      }
    }
    return atomic.readAtomic(inv, key, l);
  }

  /** The values of {@code keys} in their order, null for an absent key. */
  public Map<String, Object> getMany(Invocation inv, List<String> keys) {
    Map<String, Lattice> found = lookup(inv, keys);
    Map<String, Object> out = new LinkedHashMap<>();
    for (String k : keys) {
      Lattice l = found.get(k);
      out.put(k, l == null ? null : l.value());
    }
    return out;
  }

  /**
   * The states of the keys that are present: cache-view hits first, the rest in one cache request.
   */
  public Map<String, Lattice> lookup(Invocation inv, List<String> keys) {
    Map<String, Lattice> out = new HashMap<>();
    if (inv.session() != null || inv.buffer() != null) {
      for (String k : keys) {
        Keys.requireUserKey(k);
        Lattice l = read(inv, k);
        if (l != null) {
          out.put(k, l);
        }
      }
      return out;
    }
    List<String> missing = new ArrayList<>();
    for (String k : keys) {
      Keys.requireUserKey(k);
      Lattice held = cache.viewed(k);
      if (held != null) {
        cache.touched(k);
        out.put(k, held);
      } else if (!missing.contains(k)) {
        missing.add(k);
      }
    }
    if (!missing.isEmpty()) {
      out.putAll(((KvsReply.FoundMany) local(new CacheRequest.GetMany(missing), inv)).lattices());
    }
    for (String k : keys) {
      Lattice l = atomic.readAtomic(inv, k, out.get(k));
      if (l != null) {
        out.put(k, l);
      }
    }
    return out;
  }

  public void put(Invocation inv, String key, Object value) {
    Keys.requireUserKey(key);
    if (inv.buffer() != null) {
      atomic.buffer(inv, key, value, read(inv, key));
      return;
    }
    SessionState ss = inv.session();
    if (ss != null) {
      CacheRequest req =
          ss.causal()
              ? new CacheRequest.PutCausal(key, value, ss.dependenciesFor(key))
              : new CacheRequest.PutValue(key, null, value);
      ss.wrote(key, ((KvsReply.Stored) local(req, inv)).lattice());
      return;
    }
    local(new CacheRequest.PutValue(key, null, value), inv);
  }

  /**
   * A read in a repeatable-read or causal session. Repeatable read: the version the call fixed,
   * from this invocation, this node's cache view, or the cache that pinned it; a first read fixes
   * what the view or the cache has. Causal: the first of those whose clock dominates what the
   * session depends on, waiting (bounded by the deadline) for the cache to receive a new enough
   * version when none does.
   */
  private Lattice sessionRead(Invocation inv, String key) {
    SessionState ss = inv.session();
    Lattice held = ss.held(key);
    if (held != null && ss.acceptable(key, held)) {
      return held;
    }
    if (!ss.causal() && ss.fixedAbsent(key)) {
      return null;
    }
    Session.Read fixed = ss.fixed(key);
    Lattice viewed = cache.viewed(key);
    if (viewed != null && ss.isFixed(key, viewed) && ss.acceptable(key, viewed)) {
      cache.touched(key);
      ss.saw(key, viewed);
      return viewed;
    }
    if (fixed != null && !fixed.version().equals(Version.ABSENT)) {
      Lattice kept =
          fixed.node().equals(cache.nodeId())
              ? cache.pinned(ss.id(), key)
              : ((KvsReply.Found)
                      cache.request(fixed.node(), new CacheRequest.GetPinned(ss.id(), key), inv))
                  .lattice();
      if (kept != null && ss.acceptable(key, kept)) {
        ss.saw(key, kept);
        return kept;
      }
      if (!ss.causal()) {
        throw CloudburstException.internal(
            "repeatable read: the cache of node "
                + fixed.node()
                + " no longer holds the version of '"
                + key
                + "' this call read");
      }
    }
    if (viewed != null && ss.acceptable(key, viewed)) {
      cache.touched(key);
      ss.saw(key, viewed);
      return viewed;
    }
    Lattice got = ((KvsReply.Found) local(new CacheRequest.Get(key), inv)).lattice();
    for (long pause = 1; !ss.acceptable(key, got); pause = Math.min(50, pause * 2)) {
      // Causal only: this cache has not received a version the session depends on yet. Give up a
      // little before the deadline so the call's failure names the key rather than the deadline.
      if (inv.remainingMs() <= pause + CAUSAL_GIVE_UP_MS) {
        throw CloudburstException.timeout(
            "causal read of '"
                + key
                + "': no version at least as new as "
                + ss.required(key)
                + " arrived before the call's deadline");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pause));
      got = ((KvsReply.Found) local(new CacheRequest.Get(key), inv)).lattice();
    }
    ss.saw(key, got);
    return got;
  }

  private KvsReply local(CacheRequest req, Invocation inv) {
    return cache.request(cache.nodeId(), req, inv);
  }
}
