package io.cloudburst.scheduler.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CachedKeysTest {
  private final CachedKeys cached = new CachedKeys(1_000);

  @Test
  void eachReportReplacesTheNodesKeySet() {
    cached.report("A", List.of("k1", "k2"), 10, 100);
    cached.report("A", List.of("k3"), 20, 200);
    assertThat(cached.keys("A", 300)).containsExactly("k3");
    assertThat(cached.keys("B", 300)).isEmpty();
  }

  @Test
  void aReportOvertakenOnTheWayIsIgnored() {
    cached.report("A", List.of("new"), 20, 100);
    cached.report("A", List.of("old"), 10, 110);
    assertThat(cached.keys("A", 120)).containsExactly("new");
  }

  @Test
  void aNodeSilentForLongerThanTheBoundCachesNothing() {
    cached.report("A", List.of("k"), 10, 100);
    assertThat(cached.keys("A", 1_100)).containsExactly("k");
    assertThat(cached.keys("A", 1_101)).isEmpty();
    // A stale report no longer blocks an earlier-stamped one (the node's clock stepped back).
    cached.report("A", List.of("again"), 5, 1_200);
    assertThat(cached.keys("A", 1_200)).containsExactly("again");
    assertThat(cached.expire(2_201)).isEqualTo(1);
    assertThat(cached.nodes()).isZero();
  }

  @Test
  void forgettingANodeDropsItsKeys() {
    cached.report("A", List.of("k"), 10, 100);
    cached.report("B", List.of("k"), 10, 100);
    cached.forget("A");
    assertThat(cached.keys("A", 100)).isEmpty();
    assertThat(cached.keys("B", 100)).containsExactly("k");
    assertThat(cached.nodes()).isEqualTo(1);
  }

  @Test
  void figuresGoWithTheirReportAndDisappearWhenItIsStale() {
    CachedKeys c = new CachedKeys(1_000);
    c.report("A", java.util.List.of("k"), new CachedKeys.Figures(10, 3, 1, 0, 5), 5, 100);
    assertThat(c.figures("A", 200)).isEqualTo(new CachedKeys.Figures(10, 3, 1, 0, 5));
    assertThat(c.reporting(200)).containsExactly("A");
    c.report("A", java.util.List.of("k"), new CachedKeys.Figures(99, 9, 9, 9, 4), 4, 300);
    assertThat(c.figures("A", 300).bytes()).as("an overtaken report changes nothing").isEqualTo(10);
    assertThat(c.figures("A", 2_000)).isNull();
    assertThat(c.reporting(2_000)).isEmpty();
    c.forget("A");
    assertThat(c.figures("A", 200)).isNull();
  }
}
