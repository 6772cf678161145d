package io.cloudburst.bus.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.lattice.MultiKeyCausalLattice;
import io.cloudburst.bus.lattice.VectorClock;
import io.cloudburst.bus.msg.CacheRequest;
import io.cloudburst.bus.msg.DagEvent;
import io.cloudburst.bus.msg.ExecutorRequest;
import io.cloudburst.bus.session.Session;
import io.cloudburst.bus.session.Version;
import io.vertx.core.buffer.Buffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sessions and the pinning requests survive a cluster hop, so a remote executor or cache gets them
 * whole.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SessionCodecTest {
  private static final Session SESSION =
      new Session(
          "call#0",
          true,
          Map.of(
              "k",
              new Session.Read(Version.of(LwwLattice.of("v", 3, "n1")), "n1"),
              "y",
              new Session.Read(new Version("", VectorClock.of("n2", 4)), "n2")),
          Map.of("x", VectorClock.of("n1", 2)));

  private static <T> T hop(FamilyCodec<T> codec, T message) {
    Buffer b = Buffer.buffer();
    codec.encodeToWire(b, message);
    return codec.decodeFromWire(0, b);
  }

  @Test
  void aTriggerCarriesItsSessionAndAStepDoneItsClientSession() {
    FamilyCodec<ExecutorRequest> exec = new FamilyCodec<>("s1", ExecutorRequest.class);
    ExecutorRequest.Trigger t = new ExecutorRequest.Trigger("call#0", "f", "g", 5L, SESSION);
    assertThat(hop(exec, t)).isEqualTo(t);
    ExecutorRequest.Trigger plain = new ExecutorRequest.Trigger("call#0", "f", "g", 5L);
    assertThat(hop(exec, plain)).isEqualTo(plain);
    FamilyCodec<DagEvent> ev = new FamilyCodec<>("s2", DagEvent.class);
    DagEvent.StepDone d = new DagEvent.StepDone("call#0", "f", null, SESSION);
    assertThat(hop(ev, d)).isEqualTo(d);
  }

  @Test
  void pinningRequestsSurviveTheWire() {
    FamilyCodec<CacheRequest> req = new FamilyCodec<>("s3", CacheRequest.class);
    assertThat(hop(req, new CacheRequest.GetPinned("call#0", "k")))
        .isEqualTo(new CacheRequest.GetPinned("call#0", "k"));
    assertThat(hop(req, new CacheRequest.EndSession("call#0")))
        .isEqualTo(new CacheRequest.EndSession("call#0"));
    CacheRequest pc = new CacheRequest.PutCausal("y", 7L, Map.of("x", VectorClock.of("n1", 2)));
    assertThat(hop(req, pc)).isEqualTo(pc);
    FamilyCodec<io.cloudburst.bus.msg.KvsReply> rep =
        new FamilyCodec<>("s4", io.cloudburst.bus.msg.KvsReply.class);
    var found =
        new io.cloudburst.bus.msg.KvsReply.Found(
            "y",
            MultiKeyCausalLattice.of(
                VectorClock.of("n2", 4), Map.of("x", VectorClock.of("n1", 2)), 7L));
    assertThat(hop(rep, found)).isEqualTo(found);
  }
}
