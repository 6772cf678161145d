package io.cloudburst.bus.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.Consistency;
import io.cloudburst.bus.msg.DagSchedule;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.msg.NodeEvent;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Records of every shape survive a cluster hop, from many threads at once (the shapes are cached
 * and shared).
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class FamilyCodecTest {

  private static <T> T hop(FamilyCodec<T> codec, T message) {
    Buffer b = Buffer.buffer();
    codec.encodeToWire(b, message);
    return codec.decodeFromWire(0, b);
  }

  private static DagSchedule schedule(String id) {
    FunctionInfo incr =
        new FunctionInfo("incr", "python", 2, "def incr(cb, x):\n    return x + 1\n", "incr", 17L);
    return new DagSchedule(
        id,
        "d",
        Map.of("incr", incr),
        Map.of("incr", "cloudburst.executor.a.0"),
        Map.of("incr", List.of()),
        Map.of("incr", List.of()),
        Map.of("incr", Arrays.asList(1L, null, "x")),
        List.of("incr"),
        "cloudburst.scheduler.a.dag-events",
        123L,
        1,
        Consistency.CAUSAL,
        null,
        null);
  }

  @Test
  void everyWireEncodingIsCountedWithItsBytesPerRecordType() {
    FamilyCodec<ExecutorRequest> exec = new FamilyCodec<>("t0", ExecutorRequest.class);
    ExecutorRequest.Trigger t = new ExecutorRequest.Trigger("c#0", "sq", "incr", 3L);
    long messages = WireCounters.messages(ExecutorRequest.Trigger.class);
    long bytes = WireCounters.bytes(ExecutorRequest.Trigger.class);
    Buffer b = Buffer.buffer();
    exec.encodeToWire(b, t);
    exec.encodeToWire(b, t);
    assertThat(WireCounters.messages(ExecutorRequest.Trigger.class)).isEqualTo(messages + 2);
    assertThat(WireCounters.bytes(ExecutorRequest.Trigger.class)).isEqualTo(bytes + b.length());
    assertThat(exec.transform(t)).as("a local hop is not counted").isSameAs(t);
    assertThat(WireCounters.messages(ExecutorRequest.Trigger.class)).isEqualTo(messages + 2);
    assertThat(WireCounters.recordTypes())
        .contains(
            ExecutorRequest.RunDag.class, ExecutorRequest.Trigger.class, NodeEvent.NodeLeft.class);
  }

  @Test
  void enumsNullsNestedRecordsAndUserValuesRoundTrip() {
    FamilyCodec<ExecutorRequest> exec = new FamilyCodec<>("t1", ExecutorRequest.class);
    ExecutorRequest.RunDag run = new ExecutorRequest.RunDag(schedule("c#0"));
    assertThat(hop(exec, run)).isEqualTo(run);
    FamilyCodec<NodeEvent> events = new FamilyCodec<>("t2", NodeEvent.class);
    for (NodeEvent e :
        List.of(
            new NodeEvent.NodeLeft("b"),
            new NodeEvent.RegistryChanged("a", NodeEvent.EntryKind.DAG, "d"),
            NodeEvent.ScalingDecision.resize("a", NodeEvent.ScalingAction.UP, 3, 0.9, "busy"),
            NodeEvent.ScalingDecision.replicate(
                "a", "sq@1", "cloudburst.executor.a.1", "saturated"))) {
      assertThat(hop(events, e)).isEqualTo(e);
    }
    FamilyCodec<SchedulerRequest> req = new FamilyCodec<>("t3", SchedulerRequest.class);
    SchedulerRequest.InvokeDag dag =
        SchedulerRequest.InvokeDag.builder("d")
            .args(Map.of("incr", List.of(Map.of("k", 1L))))
            .consistency(Consistency.REPEATABLE_READ)
            .outputKey("o")
            .requestId("r-1")
            .caller("c#0", 2)
            .build();
    assertThat(hop(req, dag)).isEqualTo(dag);
  }

  @Test
  void concurrentHopsOfDifferentTypesAllDecodeToTheirOriginals() throws Exception {
    FamilyCodec<ExecutorRequest> exec = new FamilyCodec<>("t4", ExecutorRequest.class);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Boolean>> tasks = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int n = t;
        tasks.add(
            () -> {
              for (int i = 0; i < 500; i++) {
                ExecutorRequest m =
                    i % 2 == 0
                        ? new ExecutorRequest.RunDag(schedule("c#" + n + "." + i))
                        : new ExecutorRequest.Trigger("c#" + i, "sq", "incr", (long) i);
                if (!hop(exec, m).equals(m)) {
                  return false;
                }
              }
              return true;
            });
      }
      for (Future<Boolean> f : pool.invokeAll(tasks)) {
        assertThat(f.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
