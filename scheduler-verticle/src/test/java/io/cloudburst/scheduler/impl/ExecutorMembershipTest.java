package io.cloudburst.scheduler.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.ExecutorStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExecutorMembershipTest {
  private final Fakes.Clock clock = new Fakes.Clock();
  private final ExecutorTable executors = new ExecutorTable(100);
  private final CachedKeys cachedKeys = new CachedKeys(60_000);
  private final ExecutorMembership membership =
      new ExecutorMembership("n1", executors, cachedKeys, 100, clock);
  private final List<String> left = new ArrayList<>();

  ExecutorMembershipTest() {
    membership.addListener(
        (addresses, why) -> left.add(addresses.stream().sorted().toList() + " " + why));
  }

  private ExecutorStatus status(String node, String address, boolean leaving) {
    return new ExecutorStatus(node, address, 2, 0, 0, List.of(), clock.now, leaving);
  }

  private void report(String node, String... keys) {
    membership.onCacheReport(new CacheEvent.Report(node, List.of(keys), 0, 0, 0, 0, clock.now));
  }

  @Test
  void executorsSilentForTwiceTheStalenessBoundAreGoneAndTheirCallsToldOf() {
    membership.onStatus(status("n2", "e1", false));
    membership.onStatus(status("n2", "e2", false));
    report("n2", "k");
    clock.now += 150;
    membership.onStatus(status("n2", "e2", false));
    membership.expireSilent();
    assertThat(left).isEmpty(); // stale (not placed on), not gone yet
    clock.now += 60;
    membership.expireSilent();
    assertThat(left).containsExactly("[e1] executor(s) [e1] fell silent");
    assertThat(executors.ofNode("n2"))
        .extracting(ExecutorTable.Entry::address)
        .containsExactly("e2");
    assertThat(cachedKeys.keys("n2", clock.now)).containsExactly("k"); // e2 still there
    clock.now += 201;
    membership.expireSilent();
    assertThat(left).hasSize(2);
    assertThat(executors.size()).isZero();
    assertThat(cachedKeys.keys("n2", clock.now))
        .isEmpty(); // no executor of n2 left: its keys draw no calls
  }

  @Test
  void aNodeThatLeavesTakesItsExecutorsAndCacheAndItsLateStatusesAreIgnored() {
    ExecutorStatus late = status("n2", "e1", false);
    membership.onStatus(late);
    membership.onStatus(status("n3", "e3", false));
    report("n2", "k");
    membership.schedulerHeard("n2");
    assertThat(membership.knownNodes()).containsExactly("n2", "n3");
    clock.now += 10;
    membership.onNodeLeft("n2");
    assertThat(left).containsExactly("[e1] node n2 left the cluster");
    assertThat(executors.nodes()).containsExactly("n3");
    assertThat(cachedKeys.keys("n2", clock.now)).isEmpty();
    assertThat(membership.knownNodes()).containsExactly("n3");
    membership.onStatus(late); // sent before n2 left
    assertThat(executors.nodes()).containsExactly("n3");
    membership.onStatus(status("n2", "e1", false)); // n2 came back
    assertThat(executors.nodes()).containsExactly("n2", "n3");
  }

  @Test
  void thisNodeLeavingIsIgnoredAndAnExecutorThatSaysItLeavesIsGone() {
    membership.onStatus(status("n1", "e1", false));
    membership.onNodeLeft("n1");
    assertThat(left).isEmpty();
    assertThat(membership.knownNodes()).isEmpty(); // this node is never asked for results
    membership.onStatus(status("n1", "e1", true));
    assertThat(left).containsExactly("[e1] executor e1 left");
    assertThat(executors.size()).isZero();
  }

  @Test
  void nodesOfGivesTheNodesOfLiveExecutors() {
    membership.onStatus(status("n2", "e1", false));
    membership.onStatus(status("n3", "e3", false));
    assertThat(membership.nodesOf(Set.of("e1", "e3", "gone"))).containsExactly("n2", "n3");
  }
}
