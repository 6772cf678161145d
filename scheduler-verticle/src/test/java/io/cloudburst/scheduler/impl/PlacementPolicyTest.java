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

  private static ExecutorTable.Entry exec(
      String node, String addr, int threads, int busy, String... warm) {
    ExecutorStatus s = new ExecutorStatus(node, addr, threads, busy, 0, List.of(warm), 0, false);
    return new ExecutorTable.Entry(s, 0, 0, Set.of(warm));
  }

  @Test
  void prefersAWarmExecutor() {
    var cold = exec("n1", "a", 2, 0);
    var warm = exec("n2", "b", 2, 0, "sq@1");
    for (long spin = 0; spin < 4; spin++) {
      assertThat(policy.choose(List.of(cold, warm), "sq@1", List.of(), n -> Set.of(), spin))
          .isSameAs(warm);
    }
  }

  @Test
  void avoidsAnOverloadedWarmExecutorWhenAnotherIsFree() {
    var busyWarm = exec("n1", "a", 2, 2, "sq@1");
    var idleCold = exec("n2", "b", 2, 0);
    assertThat(policy.choose(List.of(busyWarm, idleCold), "sq@1", List.of(), n -> Set.of(), 0))
        .isSameAs(idleCold);
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
    assertThat(half.replicates(List.of(exec("n1", "a", 2, 1, "sq@1"), cold), cold, "sq@1"))
        .isTrue();
  }

  /**
   * One row of a cluster state: the executors, what node n2's cache holds, the preferred node, and
   * who must win.
   */
  private record Row(
      String what,
      List<ExecutorTable.Entry> executors,
      Set<String> cachedOnN2,
      List<String> refs,
      String preferred,
      String winner) {}

  @Test
  void aCallStaysOnItsPreferredNodeUnlessItIsSaturatedOrItsKeysAreCachedElsewhere() {
    var localCold = exec("n1", "local-cold", 2, 0);
    var localWarm = exec("n1", "local-warm", 2, 0, "sq@1");
    var localBusy = exec("n1", "local-busy", 2, 2, "sq@1");
    var remoteWarm = exec("n2", "remote-warm", 2, 0, "sq@1");
    var remoteHalf = exec("n2", "remote-half", 2, 1, "sq@1");
    var remoteCold = exec("n2", "remote-cold", 2, 0);
    var otherWarm = exec("n3", "other-warm", 2, 0, "sq@1");
    List<Row> table =
        List.of(
            new Row(
                "local warm beats remote warm",
                List.of(remoteWarm, localWarm, otherWarm),
                Set.of(),
                List.of(),
                "n1",
                "local-warm"),
            new Row(
                "local cold beats remote warm (it warms up)",
                List.of(remoteWarm, localCold),
                Set.of(),
                List.of(),
                "n1",
                "local-cold"),
            new Row(
                "a loaded local executor still beats an idle remote one",
                List.of(remoteWarm, exec("n1", "local-half", 2, 1, "sq@1")),
                Set.of(),
                List.of(),
                "n1",
                "local-half"),
            new Row(
                "saturated local spills to a remote one",
                List.of(localBusy, remoteHalf),
                Set.of(),
                List.of(),
                "n1",
                "remote-half"),
            new Row(
                "keys cached on n2 draw the call there",
                List.of(localWarm, remoteWarm),
                Set.of("k"),
                List.of("k"),
                "n1",
                "remote-warm"),
            new Row(
                "keys cached on n2 beat a warm executor on the preferred node (locality first)",
                List.of(localWarm, remoteCold),
                Set.of("k"),
                List.of("k"),
                "n1",
                "remote-cold"),
            new Row(
                "keys cached nowhere: stay local",
                List.of(localWarm, remoteWarm),
                Set.of(),
                List.of("k"),
                "n1",
                "local-warm"),
            new Row(
                "no preference: warm wins",
                List.of(localCold, remoteWarm),
                Set.of(),
                List.of(),
                null,
                "remote-warm"),
            new Row(
                "preferred node without executors: the rest as usual",
                List.of(localCold, remoteWarm),
                Set.of(),
                List.of(),
                "n9",
                "remote-warm"));
    for (Row r : table) {
      for (long spin = 0; spin < 6; spin++) {
        ExecutorTable.Entry chosen =
            policy.choose(
                r.executors(),
                "sq@1",
                r.refs(),
                n -> n.equals("n2") ? r.cachedOnN2() : Set.of(),
                r.preferred(),
                spin);
        assertThat(chosen.address()).as(r.what() + " (spin " + spin + ")").isEqualTo(r.winner());
      }
    }
  }

  @Test
  void noCandidatesMeansNoChoice() {
    assertThat(policy.choose(List.of(), "f@1", List.of(), n -> Set.of(), 0)).isNull();
  }
}
