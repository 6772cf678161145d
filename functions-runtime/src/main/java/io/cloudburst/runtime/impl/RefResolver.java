package io.cloudburst.runtime.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.value.Values;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Replaces every {@code {"$ref": key}} in a call's arguments by the key's value. A missing key
 * resolves to null, or, with an await time above 0, is looked up again (backing off from 5 to 100
 * ms) until it appears; still missing after the await time (or the call's deadline, if sooner), the
 * call fails with TIMEOUT. Runs on a worker thread.
 */
public final class RefResolver {
  /** The states of those of {@code keys} that are present (see {@link UserState#lookup}). */
  @FunctionalInterface
  public interface Lookup {
    Map<String, Lattice> lookup(Invocation inv, List<String> keys);
  }

  private final Lookup lookup;

  public RefResolver(Lookup lookup) {
    this.lookup = lookup;
  }

  public List<Object> resolve(List<Object> args, Invocation inv, long awaitMs) {
    List<String> refs = new ArrayList<>();
    for (Object a : args) {
      Values.collectRefs(a, refs);
    }
    if (refs.isEmpty()) {
      return args;
    }
    Map<String, Lattice> found = new HashMap<>(lookup.lookup(inv, refs));
    long until =
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(awaitMs, inv.remainingMs()));
    int distinct = new HashSet<>(refs).size();
    for (long pause = 5; awaitMs > 0 && found.size() < distinct; pause = Math.min(100, pause * 2)) {
      List<String> absent = new ArrayList<>();
      for (String k : refs) {
        if (!found.containsKey(k) && !absent.contains(k)) {
          absent.add(k);
        }
      }
      long left = until - System.nanoTime();
      if (left <= 0) {
        throw CloudburstException.timeout(
            "referenced key(s) " + absent + " did not appear within " + awaitMs + " ms");
      }
      LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(pause)));
      found.putAll(lookup.lookup(inv, absent));
    }
    Map<String, Object> values = new HashMap<>();
    found.forEach((k, l) -> values.put(k, l.value()));
    List<Object> out = new ArrayList<>(args.size());
    for (Object a : args) {
      out.add(Values.replaceRefs(a, values));
    }
    return out;
  }
}
