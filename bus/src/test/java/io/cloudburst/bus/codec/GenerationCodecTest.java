package io.cloudburst.bus.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.lattice.SetLattice;
import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.KvsRequest;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Key generations (deletes as tombstones) survive a cluster hop, and the older constructors keep
 * their meaning.
 */
class GenerationCodecTest {
  private static final SetLattice S = SetLattice.of(List.of(3L));

  private static <T> T hop(FamilyCodec<T> codec, T message) {
    Buffer b = Buffer.buffer();
    codec.encodeToWire(b, message);
    return codec.decodeFromWire(0, b);
  }

  @Test
  void generationsAndStaleRepliesCrossTheWire() {
    FamilyCodec<KvsRequest> req = new FamilyCodec<>("g1", KvsRequest.class);
    FamilyCodec<KvsReply> rep = new FamilyCodec<>("g2", KvsReply.class);
    FamilyCodec<CacheEvent> ev = new FamilyCodec<>("g3", CacheEvent.class);
    for (KvsRequest r :
        List.<KvsRequest>of(new KvsRequest.Put("k", S, "n", 4), new KvsRequest.Put("k", S, null))) {
      assertThat(hop(req, r)).isEqualTo(r);
    }
    for (KvsReply r :
        List.<KvsReply>of(
            new KvsReply.Found("k", null, 2),
            new KvsReply.Stored("k", S, 2),
            new KvsReply.Stale("k", 5),
            new KvsReply.Deleted("k", true, 3),
            new KvsReply.FoundMany(Map.of("k", S), Map.of("k", 1L, "gone", 2L)))) {
      assertThat(hop(rep, r)).isEqualTo(r);
    }
    assertThat(hop(ev, new CacheEvent.Update("k", null, 7)))
        .isEqualTo(new CacheEvent.Update("k", null, 7));
  }

  @Test
  void theOlderConstructorsMeanNoBaseAndGenerationZero() {
    assertThat(new KvsRequest.Put("k", S, null).baseGeneration()).isEqualTo(-1);
    assertThat(new KvsReply.Found("k", S).generation()).isZero();
    assertThat(new KvsReply.Stored("k", S).generation()).isZero();
    assertThat(new KvsReply.Deleted("k", true).generation()).isZero();
    assertThat(new CacheEvent.Update("k", S).generation()).isZero();
    KvsReply.FoundMany many = new KvsReply.FoundMany(Map.of("k", S));
    assertThat(many.generations()).isEmpty();
    assertThat(many.generation("k")).isZero();
    assertThat(new KvsReply.FoundMany(Map.of(), Map.of("gone", 2L)).generation("gone"))
        .isEqualTo(2);
  }
}
