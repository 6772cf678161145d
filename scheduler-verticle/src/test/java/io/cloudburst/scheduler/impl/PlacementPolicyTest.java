package io.cloudburst.scheduler.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.msg.ExecutorStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlacementPolicyTest {
  private final PlacementPolicy policy = new PlacementPolicy();

  private static ExecutorTable.Entry exec(String node, String addr, int threads, int busy, String... warm) {
    ExecutorStatus s = new ExecutorStatus(node, addr, threads, busy, 0, List.of(warm), 0, false);
    return new ExecutorTable.Entry(s, 0, 0, Set.of(warm));
  }

  @Test
  void prefersAWarmExecutor() {
    var cold = exec("n1", "a", 2, 0);
    var warm = exec("n2", "b", 2, 0, "sq@1");
    for (long spin = 0; spin < 4; spin++) {
      assertThat(policy.choose(List.of(cold, warm), "sq@1", List.of(), n -> Set.of(), spin)).isSameAs(warm);
    }
  }

  @Test
  void avoidsAnOverloadedWarmExecutorWhenAnotherIsFree() {
    var busyWarm = exec("n1", "a", 2, 2, "sq@1");
    var idleCold = exec("n2", "b", 2, 0);
    assertThat(policy.choose(List.of(busyWarm, idleCold), "sq@1", List.of(), n -> Set.of(), 0)).isSameAs(idleCold);
  }

  @Test
  void mostCallsReferencingACachedKeyLandOnTheNodeThatCachesIt() {
    var a = exec("n1", "a", 2, 0);
    var b = exec("n2", "b", 2, 0);
    var c = exec("n3", "c", 2, 0);
    Map<String, Set<String>> cached = new HashMap<>();
    cached.put("n2", Set.of("k"));
    int onB = 0;
    for (long spin = 0; spin < 100; spin++) {
      if (policy.choose(List.of(a, b, c), "f@1", List.of("k"), cached::get, spin) == b) {
        onB++;
      }
    }
    assertThat(onB).isEqualTo(100);
  }

  @Test
  void spreadsCallsAmongEqualExecutors() {
    var a = exec("n1", "a", 2, 0);
    var b = exec("n2", "b", 2, 0);
    int onA = 0;
    for (long spin = 0; spin < 100; spin++) {
      if (policy.choose(List.of(a, b), "f@1", List.of(), n -> Set.of(), spin) == a) {
        onA++;
      }
    }
    assertThat(onA).isBetween(40, 60);
  }

  @Test
  void aCallOnAColdExecutorWhileEveryWarmOneIsSaturatedReplicatesTheFunction() {
    var saturated = exec("n1", "a", 2, 2, "sq@1");
    var alsoSaturated = exec("n2", "b", 4, 4, "sq@1");
    var cold = exec("n3", "c", 2, 0);
    List<ExecutorTable.Entry> all = List.of(saturated, alsoSaturated, cold);
    ExecutorTable.Entry chosen = policy.choose(all, "sq@1", List.of(), n -> Set.of(), 0);
    assertThat(chosen).isSameAs(cold);
    assertThat(policy.replicates(all, chosen, "sq@1")).isTrue();
  }

  @Test
  void aColdChoiceIsNoReplicationWhileAWarmExecutorHasRoomOrNoneIsWarm() {
    var saturated = exec("n1", "a", 2, 2, "sq@1");
    var roomy = exec("n2", "b", 4, 1, "sq@1");
    var cold = exec("n3", "c", 2, 0);
    // Drawn to the cold one (say by cached keys) while "b" still had room: not a replication.
    assertThat(policy.replicates(List.of(saturated, roomy, cold), cold, "sq@1")).isFalse();
    // Nobody warm: the first context of a version, not a replication.
    assertThat(policy.replicates(List.of(exec("n1", "a", 2, 2), cold), cold, "sq@1")).isFalse();
    // A warm choice is never one, nor is no choice.
    assertThat(policy.replicates(List.of(saturated), saturated, "sq@1")).isFalse();
    assertThat(policy.replicates(List.of(), null, "sq@1")).isFalse();
    // Exactly at the threshold counts as saturated.
    PlacementPolicy half = new PlacementPolicy(0.5);
    assertThat(half.replicates(List.of(exec("n1", "a", 2, 1, "sq@1"), cold), cold, "sq@1")).isTrue();
  }

  @Test
  void noCandidatesMeansNoChoice() {
    assertThat(policy.choose(List.of(), "f@1", List.of(), n -> Set.of(), 0)).isNull();
  }
}
