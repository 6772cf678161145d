package io.cloudburst.runtime.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.msg.DagSchedule;
import io.cloudburst.bus.msg.ExecutorRequest.Direct;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.value.Bytes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MailboxesTest {
  /**
   * Fake executors and store: executors listed in {@code reachable} take direct messages; the store
   * merges.
   */
  static final class FakePort implements Mailboxes.Port {
    final List<String> reachable = new ArrayList<>();
    final List<Direct> directs = new ArrayList<>();
    final Map<String, Lattice> store = new HashMap<>();
    final List<String> deleted = new ArrayList<>();
    int storeReads;

    @Override
    public synchronized void direct(String address, Direct message, long budgetMs) {
      if (!reachable.contains(address)) {
        throw CloudburstException.timeout("nobody at " + address);
      }
      directs.add(message);
    }

    @Override
    public synchronized void storePut(String key, Lattice state, long budgetMs) {
      store.merge(key, state, Lattice::merge);
    }

    @Override
    public synchronized KvsReply.Found storeGet(String key, long budgetMs) {
      storeReads++;
      return new KvsReply.Found(key, store.get(key));
    }

    @Override
    public synchronized void storeDelete(String key) {
      deleted.add(key);
      store.remove(key);
    }
  }

  private static final DagSchedule SCHEDULE =
      new DagSchedule(
          "call#0",
          "d",
          Map.of(),
          Map.of("a", "exec.here", "b", "exec.gone"),
          Map.of(),
          Map.of(),
          Map.of(),
          List.of("a", "b"),
          "done",
          System.currentTimeMillis() + 60_000,
          0,
          io.cloudburst.bus.Consistency.NORMAL,
          null,
          null);

  private static Invocation inv(String fn) {
    return new Invocation(
        "call#0",
        fn,
        SCHEDULE.invocationId(fn),
        0,
        SCHEDULE.deadline(),
        new DagRun(SCHEDULE, "exec.here"));
  }

  @Test
  void aMessageToAReachableExecutorGoesDirectAndIsReceivedOnce() {
    FakePort port = new FakePort();
    port.reachable.add("exec.here");
    Mailboxes boxes = new Mailboxes(port, "n1");
    boxes.send(inv("b"), "call#0/a", new byte[] {7});
    Direct d = port.directs.get(0);
    assertThat(d.to()).isEqualTo("call#0/a");
    assertThat(d.from()).isEqualTo("call#0/b");
    boxes.deliver(d);
    assertThat(boxes.recv(inv("a")))
        .containsExactly(List.of("call#0/b", new Bytes(new byte[] {7})));
    assertThat(boxes.recv(inv("a"))).as("drained").isEmpty();
    assertThat(port.store).isEmpty();
  }

  @Test
  void aMessageToAnUnreachableExecutorWaitsInTheStoreMailboxAndIsReceivedOnceFromThere()
      throws Exception {
    FakePort port = new FakePort();
    Mailboxes sender = new Mailboxes(port, "n1");
    Mailboxes receiver = new Mailboxes(port, "n2");
    sender.send(inv("a"), "call#0/b", "hi".getBytes());
    sender.send(inv("a"), "call#0/b", "again".getBytes());
    assertThat(port.store).containsOnlyKeys(Mailboxes.storeKey("call#0/b"));
    List<Object> got = receiver.recv(inv("b"));
    assertThat(got)
        .containsExactlyInAnyOrder(
            List.of("call#0/a", new Bytes("hi".getBytes())),
            List.of("call#0/a", new Bytes("again".getBytes())));
    // The store still holds the letters (a set): later looks must not deliver them again.
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    int reads = port.storeReads;
    while (port.storeReads == reads && System.nanoTime() < until) {
      assertThat(receiver.recv(inv("b"))).isEmpty();
    }
    assertThat(port.storeReads).as("the store was looked at again").isGreaterThan(reads);
    receiver.forget("call#0/b");
    assertThat(port.deleted).containsExactly(Mailboxes.storeKey("call#0/b"));
  }

  @Test
  void forgettingAnInvocationThatGotNothingFromTheStoreWritesNothing() {
    FakePort port = new FakePort();
    Mailboxes boxes = new Mailboxes(port, "n1");
    assertThat(boxes.recv(inv("a"))).isEmpty();
    boxes.forget("call#0/a");
    assertThat(port.deleted).isEmpty();
  }

  @Test
  void sendAndRecvOutsideADagCallOrToAStrangerAreBadRequests() {
    Mailboxes boxes = new Mailboxes(new FakePort(), "n1");
    Invocation single = new Invocation("c", "f", "c", 0, System.currentTimeMillis() + 1_000, null);
    assertThatThrownBy(() -> boxes.send(single, "c/x", new byte[0]))
        .hasMessageContaining("single-function call");
    assertThatThrownBy(() -> boxes.recv(single)).hasMessageContaining("single-function call");
    assertThatThrownBy(() -> boxes.send(inv("a"), "other#0/b", new byte[0]))
        .isInstanceOfSatisfying(
            CloudburstException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
  }
}
