package io.cloudburst.runtime.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.lattice.CounterLattice;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.lattice.SetLattice;
import io.cloudburst.bus.msg.CacheRequest;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.txn.CommitRecord;
import io.cloudburst.bus.txn.ReadAtomic;
import io.cloudburst.bus.txn.TxnIds;
import io.cloudburst.bus.txn.WriteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An atomic call's puts into set and counter keys name the call among the keys' recent writers, and
 * a later reader that meets such a version first is bound by the call's other writes (over a fake
 * cache).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class UserStateAtomicTest {
  private final Map<String, Lattice> held = new HashMap<>();
  private final List<String> fetched = new ArrayList<>();
  private final UserState state = new UserState(new FakeCache());

  @Test
  void anAtomicPutIntoASetOrCounterMarksTheTransactionAndKeepsTheValue() {
    held.put("s", SetLattice.of(List.of("a")));
    held.put("c", CounterLattice.of("n1", 4));
    Invocation inv = atomic("T");
    state.put(inv, "s", "b");
    state.put(inv, "c", 2L);
    state.put(inv, "c", 1L);
    SetLattice s = (SetLattice) inv.buffer().get("s");
    CounterLattice c = (CounterLattice) inv.buffer().get("c");
    assertThat(s.value()).containsExactly("a", "b");
    assertThat(TxnIds.writersOf(s)).containsExactly("T");
    assertThat(c.value()).isEqualTo(7L);
    assertThat(c.counts()).containsEntry(TxnIds.stamp("T"), 3L);
    assertThat(TxnIds.writersOf(c)).containsExactly("T");
    assertThat(state.get(inv, "s")).isEqualTo(List.of("a", "b"));
  }

  @Test
  void aReaderThatMeetsATransactionsSetFirstGetsItsOtherWrites() {
    Invocation writer = atomic("T");
    held.put("s", SetLattice.of(List.of("a")));
    state.put(writer, "s", "t");
    state.put(writer, "y", "t's");
    Map<String, Lattice> wrote = writer.buffer().snapshot();
    held.put(
        TxnIds.recordKey("T"),
        new CommitRecord("T", "c1", null, "f", 5, wrote, null, false).toLattice());
    // T's apply reached s but not yet y on this node.
    held.put("s", wrote.get("s"));
    held.put("y", LwwLattice.of("old", 1, "n1"));

    Invocation reader = new Invocation("c2", "r", "c2", 0, Long.MAX_VALUE, null);
    assertThat(state.get(reader, "s")).isEqualTo(List.of("a", "t"));
    assertThat(state.get(reader, "y")).isEqualTo("t's");
    assertThat(fetched).containsExactly(TxnIds.recordKey("T"));
    // A reader that starts at y's old version is not bound (nothing names T there).
    Invocation other = new Invocation("c3", "r", "c3", 0, Long.MAX_VALUE, null);
    assertThat(state.get(other, "y")).isEqualTo("old");
  }

  private static Invocation atomic(String txn) {
    return new Invocation(
        "c-" + txn,
        "f",
        "c-" + txn,
        0,
        Long.MAX_VALUE,
        null,
        null,
        txn,
        new WriteBuffer(),
        new ReadAtomic());
  }

  private final class FakeCache implements CacheAccess {
    @Override
    public String nodeId() {
      return "n1";
    }

    @Override
    public Lattice viewed(String key) {
      return null; // every read asks the cache
    }

    @Override
    public void touched(String key) {}

    @Override
    public Lattice pinned(String session, String key) {
      return null;
    }

    @Override
    public KvsReply request(String nodeId, CacheRequest request, Invocation inv) {
      String key = ((CacheRequest.Get) request).key();
      if (key.startsWith(TxnIds.RECORD_PREFIX)) {
        fetched.add(key);
      }
      return new KvsReply.Found(key, held.get(key));
    }
  }
}
