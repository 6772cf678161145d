package io.cloudburst.bus.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.lattice.CounterLattice;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.DagEvent;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.msg.SchedulerReply;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An atomic call's flag, transaction id and write buffer survive a cluster hop. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class TxnCodecTest {
  private static final Map<String, Lattice> WRITES =
      Map.of("a", LwwLattice.of(1L, 5, "txn:t"), "c", CounterLattice.of("txn:t", 2));

  private static <T> T hop(FamilyCodec<T> codec, T message) {
    Buffer b = Buffer.buffer();
    codec.encodeToWire(b, message);
    return codec.decodeFromWire(0, b);
  }

  @Test
  void atomicRequestsBuffersAndResultsSurviveTheWire() {
    FamilyCodec<SchedulerRequest> sr = new FamilyCodec<>("t1", SchedulerRequest.class);
    SchedulerRequest.InvokeDag d =
        SchedulerRequest.InvokeDag.builder("d").atomic(true).requestId("r").build();
    assertThat(hop(sr, d)).isEqualTo(d);
    assertThat(((SchedulerRequest.InvokeDag) hop(sr, d)).atomic()).isTrue();
    FamilyCodec<ExecutorRequest> er = new FamilyCodec<>("t2", ExecutorRequest.class);
    ExecutorRequest.Trigger t =
        new ExecutorRequest.Trigger("c#0", "f", "g", 5L, null, WRITES, WRITES);
    assertThat(hop(er, t)).isEqualTo(t);
    ExecutorRequest.Execute e =
        new ExecutorRequest.Execute(
            "c",
            new SchedulerReply.FunctionInfo("f", "python", 1, "def f(): pass", "f", 0),
            List.of(),
            10,
            0,
            0,
            "t");
    assertThat(hop(er, e).equals(e)).isTrue();
    FamilyCodec<SchedulerReply> rr = new FamilyCodec<>("t3", SchedulerReply.class);
    CallResult r = CallResult.done("c", "f", 1L, null, "x", 3).withWrites(WRITES);
    assertThat(hop(rr, r)).isEqualTo(r);
    FamilyCodec<DagEvent> ev = new FamilyCodec<>("t4", DagEvent.class);
    DagEvent.StepDone s = new DagEvent.StepDone("c#0", "f", r);
    assertThat(((DagEvent.StepDone) hop(ev, s)).result().writes()).isEqualTo(WRITES);
  }
}
