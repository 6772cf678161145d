package io.cloudburst.scheduler.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudburst.bus.lattice.Lattices;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.msg.SchedulerReply.DagInfo;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryCodecTest {
  private static final List<FunctionInfo> HISTORY =
      List.of(
          new FunctionInfo(
              "sq", "python", 1, "def sq(cb, x):\n    return x * x\n", "sq", 1_700_000_000_000L),
          new FunctionInfo(
              "sq",
              "javascript",
              2,
              "function square(cb, x) { return x * x; } // ünïcode ✓",
              "square",
              1_700_000_000_123L));
  private static final DagInfo DAG =
      new DagInfo(
          "pipeline",
          List.of("a", "b", "c"),
          List.of(List.of("a", "b"), List.of("a", "c")),
          1_700_000_000_456L);

  /** What the store gives back: the lattice's binary form decoded again. */
  private static Object throughTheStore(Object value) {
    return Lattices.decode(new LwwLattice(1, "n1", value).encode()).value();
  }

  @Test
  void aFunctionHistoryRoundTripsThroughTheStoresBinaryForm() {
    Object stored = throughTheStore(RegistryCodec.encodeFunction(HISTORY));
    assertThat(RegistryCodec.decodeFunction("sq", stored)).isEqualTo(HISTORY);
  }

  @Test
  void aDagRoundTripsThroughTheStoresBinaryForm() {
    Object stored = throughTheStore(RegistryCodec.encodeDag(DAG));
    assertThat(RegistryCodec.decodeDag("pipeline", stored)).isEqualTo(DAG);
    DagInfo lone = new DagInfo("lone", List.of("a"), List.of(), 5);
    assertThat(RegistryCodec.decodeDag("lone", throughTheStore(RegistryCodec.encodeDag(lone))))
        .isEqualTo(lone);
  }

  @Test
  void anIndexIsSortedWithoutRepeatsAndAnAbsentOneIsEmpty() {
    Object stored = throughTheStore(RegistryCodec.encodeIndex(List.of("b", "a", "b")));
    assertThat(stored).isEqualTo(List.of("a", "b"));
    assertThat(RegistryCodec.decodeIndex("functions", stored)).containsExactly("a", "b");
    assertThat(RegistryCodec.decodeIndex("functions", null)).isEmpty();
  }

  @Test
  void recordsLiveUnderTheSystemPrefix() {
    assertThat(RegistryCodec.functionKey("sq")).isEqualTo("__cloudburst/functions/sq");
    assertThat(RegistryCodec.dagKey("d")).isEqualTo("__cloudburst/dags/d");
    assertThat(RegistryCodec.indexKey(RegistryCodec.FUNCTIONS))
        .isEqualTo("__cloudburst/index/functions");
    assertThat(RegistryCodec.indexKey(RegistryCodec.DAGS)).isEqualTo("__cloudburst/index/dags");
  }

  @Test
  void aRecordOfAnotherNameOrFormatOrWithAGapInItsVersionsIsRefused() {
    Object sq = RegistryCodec.encodeFunction(HISTORY);
    assertThatThrownBy(() -> RegistryCodec.decodeFunction("other", sq))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("names 'sq'");

    Map<String, Object> later = new LinkedHashMap<>(RegistryCodec.encodeFunction(HISTORY));
    later.put("format", 2L);
    assertThatThrownBy(() -> RegistryCodec.decodeFunction("sq", later))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("format 2");

    Object gap = RegistryCodec.encodeFunction(List.of(HISTORY.get(1)));
    assertThatThrownBy(() -> RegistryCodec.decodeFunction("sq", gap))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("numbered 2");

    assertThatThrownBy(() -> RegistryCodec.decodeDag("pipeline", List.of("not", "a", "record")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an object");
    assertThatThrownBy(() -> RegistryCodec.decodeIndex("dags", List.of("a", 7L)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a name");
  }

  @Test
  void versionsOfAnotherFunctionCannotShareARecord() {
    List<FunctionInfo> mixed =
        List.of(HISTORY.get(0), new FunctionInfo("cube", "python", 2, "x", "cube", 0));
    assertThatThrownBy(() -> RegistryCodec.encodeFunction(mixed))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
