package io.cloudburst.kvs;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.codec.CloudburstCodecs;
import io.cloudburst.bus.lattice.CounterLattice;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.KvsRequest;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every write acknowledged before a {@code kill -9} of the store's process is there after a
 * restart.
 */
@ExtendWith(VertxExtension.class)
class KvsCrashTest {
  private static final int ACKS_BEFORE_KILL = 400;

  @TempDir Path dir;

  private Vertx vertx;
  private Process child;

  @AfterEach
  void cleanUp(VertxTestContext ctx) {
    if (child != null) {
      child.destroyForcibly();
    }
    (vertx == null ? io.vertx.core.Future.succeededFuture() : vertx.close())
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void acknowledgedWritesSurviveKillNine(VertxTestContext ctx) throws Exception {
    Path data = dir.resolve("kvs");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    child =
        new ProcessBuilder(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                KvsCrashChild.class.getName(),
                data.toString())
            .redirectError(dir.resolve("child.err").toFile())
            .start();
    long[] acked = new long[KvsCrashChild.WRITERS];
    CompletableFuture<Void> enough =
        CompletableFuture.runAsync(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                int seen = 0;
                String line;
                while (seen < ACKS_BEFORE_KILL && (line = out.readLine()) != null) {
                  String[] p = line.split(" ");
                  acked[Integer.parseInt(p[1])] = Long.parseLong(p[2]);
                  seen++;
                }
                // SIGKILL while the writers are still going: some writes are in flight,
                // unacknowledged.
                child.destroyForcibly();
                if (seen < ACKS_BEFORE_KILL) {
                  throw new IllegalStateException("child stopped after " + seen + " acks");
                }
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    enough.get(45, TimeUnit.SECONDS);
    assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isEqualTo(137);

    vertx = Vertx.vertx();
    CloudburstCodecs.register(vertx);
    List<String> keys = new ArrayList<>();
    keys.add("count");
    for (int w = 0; w < acked.length; w++) {
      for (long i = 1; i <= acked[w]; i++) {
        keys.add("k-" + w + "-" + i);
      }
    }
    vertx
        .deployVerticle(
            new KvsVerticle(),
            new DeploymentOptions().setConfig(new JsonObject().put("dataDir", data.toString())))
        .compose(
            id ->
                vertx
                    .eventBus()
                    .<KvsReply>request(
                        Addresses.KVS,
                        new KvsRequest.GetMany(keys, null),
                        new DeliveryOptions().setSendTimeout(10_000)))
        .onComplete(
            ctx.succeeding(
                m ->
                    ctx.verify(
                        () -> {
                          Map<String, Lattice> found = ((KvsReply.FoundMany) m.body()).lattices();
                          assertThat(found.keySet()).containsAll(keys);
                          CounterLattice count = (CounterLattice) found.get("count");
                          for (int w = 0; w < acked.length; w++) {
                            assertThat(count.counts().getOrDefault("w" + w, 0L))
                                .isGreaterThanOrEqualTo(acked[w]);
                          }
                          ctx.completeNow();
                        })));
  }
}
