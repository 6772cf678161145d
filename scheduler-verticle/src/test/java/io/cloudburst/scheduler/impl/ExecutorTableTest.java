package io.cloudburst.scheduler.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.msg.ExecutorStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecutorTableTest {
  private static ExecutorStatus status(String node, String address) {
    return new ExecutorStatus(node, address, 2, 0, 0, List.of(), 0, false);
  }

  @Test
  void staleExecutorsAreNotPlacedOnAndSilentOnesAreDropped() {
    ExecutorTable t = new ExecutorTable(100);
    t.update(status("A", "a1"), 1_000);
    t.update(status("A", "a2"), 1_150);
    t.update(status("B", "b1"), 1_150);
    // At 1_200, a1 is past the staleness bound: still known, but not placed on.
    assertThat(t.live(1_200)).extracting(ExecutorTable.Entry::address).containsExactly("a2", "b1");
    assertThat(t.size()).isEqualTo(3);
    // Silent for more than 200 ms: gone.
    assertThat(t.expire(1_201, 200)).extracting(ExecutorTable.Entry::address).containsExactly("a1");
    assertThat(t.expire(1_300, 200)).isEmpty();
    assertThat(t.ofNode("A")).extracting(ExecutorTable.Entry::address).containsExactly("a2");
    assertThat(t.nodes()).containsExactly("A", "B");
    t.update(status("B", "b1"), 1_350);
    assertThat(t.expire(1_400, 200)).extracting(ExecutorTable.Entry::address).containsExactly("a2");
    assertThat(t.hasNode("A")).isFalse();
    assertThat(t.nodes()).containsExactly("B");
  }
}
