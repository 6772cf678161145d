package io.cloudburst.bus.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.lattice.CausalLattice;
import io.cloudburst.bus.lattice.CounterLattice;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LatticeKind;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.lattice.MultiKeyCausalLattice;
import io.cloudburst.bus.lattice.SetLattice;
import io.cloudburst.bus.lattice.VectorClock;
import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.CacheRequest;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.KvsRequest;
import io.cloudburst.bus.value.Bytes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The state protocols survive a cluster hop (JSON on the wire) with every kind of lattice inside.
 */
class StateCodecTest {
  private static final List<Lattice> LATTICES =
      List.of(
          LwwLattice.of(Map.of("a", List.of(1L, "x")), 7, "n1"),
          SetLattice.of(List.of("x", 2L, new Bytes(new byte[] {1, 2}))),
          SetLattice.of(List.of("y")).withWriter("T1", 5).withWriter("T2", 6),
          CounterLattice.of("n1", 3).increment("n2", 4),
          CounterLattice.of("txn:T3", 1).withWriter("T3", 7),
          CausalLattice.of(VectorClock.of("a", 1), "v")
              .merge(CausalLattice.of(VectorClock.of("b", 1), 1.5)),
          MultiKeyCausalLattice.of(
              VectorClock.of("a", 2), Map.of("k", VectorClock.of("b", 1)), true));

  private static <T> T hop(FamilyCodec<T> codec, T message) {
    Buffer b = Buffer.buffer();
    codec.encodeToWire(b, message);
    return codec.decodeFromWire(0, b);
  }

  @Test
  void aSetOrCounterFromASenderWithoutRecentWritersDecodesWithNone() {
    FamilyCodec<KvsReply> rep = new FamilyCodec<>("t3", KvsReply.class);
    for (Lattice l :
        List.<Lattice>of(
            SetLattice.of(List.of("y")).withWriter("T1", 5),
            CounterLattice.of("n1", 3).withWriter("T1", 5))) {
      Buffer b = Buffer.buffer();
      rep.encodeToWire(b, new KvsReply.Stored("k", l));
      JsonObject json = new JsonObject(b.getString(4, b.length(), "UTF-8"));
      assertThat(json.getJsonObject("lattice").remove("writers")).isNotNull();
      byte[] old = json.encode().getBytes(StandardCharsets.UTF_8);
      Buffer older = Buffer.buffer().appendInt(old.length).appendBytes(old);
      Lattice plain =
          l instanceof SetLattice s
              ? new SetLattice(s.members())
              : new CounterLattice(((CounterLattice) l).counts());
      assertThat(rep.decodeFromWire(0, older)).isEqualTo(new KvsReply.Stored("k", plain));
    }
  }

  @Test
  void kvsRequestsAndRepliesCarryEveryLatticeKind() {
    FamilyCodec<KvsRequest> req = new FamilyCodec<>("t1", KvsRequest.class);
    FamilyCodec<KvsReply> rep = new FamilyCodec<>("t2", KvsReply.class);
    Map<String, Lattice> many = new LinkedHashMap<>();
    for (Lattice l : LATTICES) {
      assertThat(hop(req, new KvsRequest.Put("k", l, "node")))
          .isEqualTo(new KvsRequest.Put("k", l, "node"));
      assertThat(hop(rep, new KvsReply.Stored("k", l))).isEqualTo(new KvsReply.Stored("k", l));
      many.put(l.kind().wireName(), l);
    }
    assertThat(hop(rep, new KvsReply.FoundMany(many))).isEqualTo(new KvsReply.FoundMany(many));
    assertThat(hop(rep, new KvsReply.Found("k", null))).isEqualTo(new KvsReply.Found("k", null));
    assertThat(hop(req, new KvsRequest.Subscribe("n", List.of("a", "b"))))
        .isEqualTo(new KvsRequest.Subscribe("n", List.of("a", "b")));
  }

  @Test
  void cacheRequestsAndEventsSurviveTheWire() {
    FamilyCodec<CacheRequest> req = new FamilyCodec<>("t3", CacheRequest.class);
    FamilyCodec<CacheEvent> ev = new FamilyCodec<>("t4", CacheEvent.class);
    CacheRequest pv = new CacheRequest.PutValue("k", LatticeKind.COUNTER, 5L);
    assertThat(hop(req, pv)).isEqualTo(pv);
    assertThat(hop(req, new CacheRequest.GetMany(List.of("a"))))
        .isEqualTo(new CacheRequest.GetMany(List.of("a")));
    CacheEvent.Report r = new CacheEvent.Report("n", List.of("a", "b"), 10, 1, 2, 3, 99);
    assertThat(hop(ev, r)).isEqualTo(r);
    assertThat(hop(ev, new CacheEvent.Update("k", LATTICES.get(3))))
        .isEqualTo(new CacheEvent.Update("k", LATTICES.get(3)));
  }
}
