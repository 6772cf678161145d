package io.cloudburst.scheduler.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DagPlanTest {
  private static DagPlan plan(List<String> fns, List<List<String>> conns) {
    return DagPlan.of("d", fns, conns, f -> !f.startsWith("unregistered"));
  }

  private static void assertInvalid(Runnable r, String fragment) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            CloudburstException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.DAG_INVALID);
              assertThat(e.getMessage()).contains(fragment);
            });
  }

  @Test
  void aChainHasOneSourceOneSinkAndItsOrder() {
    DagPlan p = plan(List.of("incr", "sq"), List.of(List.of("incr", "sq")));
    assertThat(p.sources()).containsExactly("incr");
    assertThat(p.sinks()).containsExactly("sq");
    assertThat(p.order()).containsExactly("incr", "sq");
    assertThat(p.upstreams().get("sq")).containsExactly("incr");
  }

  @Test
  void fanInKeepsTheOrderOfTheConnections() {
    DagPlan p = plan(List.of("c", "b", "a"), List.of(List.of("b", "c"), List.of("a", "c")));
    assertThat(p.upstreams().get("c")).containsExactly("b", "a");
    assertThat(p.sources()).containsExactlyInAnyOrder("a", "b");
    assertThat(p.sinks()).containsExactly("c");
    assertThat(p.order().indexOf("c")).isEqualTo(2);
  }

  @Test
  void cyclesSelfLoopsUnknownAndEmptyAreInvalid() {
    assertInvalid(
        () -> plan(List.of("a", "b"), List.of(List.of("a", "b"), List.of("b", "a"))), "cycle");
    assertInvalid(() -> plan(List.of("a"), List.of(List.of("a", "a"))), "self-loop");
    assertInvalid(() -> plan(List.of("a", "unregistered_x"), List.of()), "not registered");
    assertInvalid(() -> plan(List.of("a"), List.of(List.of("a", "z"))), "not in DAG");
    assertInvalid(() -> plan(List.of(), List.of()), "no functions");
    assertInvalid(() -> plan(List.of("a", "a"), List.of()), "twice");
  }

  @Test
  void tenThousandFunctionsAreRefusedClearly() {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      many.add("f" + i);
    }
    assertInvalid(() -> plan(many, List.of()), "at most");
  }

  @Test
  void aLongChainIsPlannedWithoutRecursion() {
    List<String> fns = new ArrayList<>();
    List<List<String>> conns = new ArrayList<>();
    for (int i = 0; i < DagPlan.MAX_FUNCTIONS; i++) {
      fns.add("f" + i);
      if (i > 0) {
        conns.add(List.of("f" + (i - 1), "f" + i));
      }
    }
    DagPlan p = plan(fns, conns);
    assertThat(p.order()).hasSize(DagPlan.MAX_FUNCTIONS);
    assertThat(p.sinks()).containsExactly("f" + (DagPlan.MAX_FUNCTIONS - 1));
  }
}
