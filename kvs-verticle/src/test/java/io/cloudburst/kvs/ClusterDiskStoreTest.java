package io.cloudburst.kvs;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.lattice.SetLattice;
import io.cloudburst.kvs.impl.DeleteProcessor;
import io.cloudburst.kvs.impl.LatticeStore;
import io.cloudburst.kvs.impl.MergeProcessor;
import io.cloudburst.kvs.impl.StoredValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A storage member's disk on a real (single-member) Hazelcast cluster: writes go through to it, and
 * restores join several members' disks into the map.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterDiskStoreTest {
  @TempDir Path dir;

  /** A member of a cluster of its own: no join, so tests never meet another cluster. */
  private static HazelcastInstance member(ClusterDiskStore disk) {
    Config hz = new Config().setClusterName("disk-test-" + System.nanoTime());
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    hz.setProperty("hazelcast.logging.type", "jdk");
    hz.getNetworkConfig().setPort(freePort()).setPortAutoIncrement(false);
    hz.getNetworkConfig().getInterfaces().setEnabled(true);
    hz.getNetworkConfig().getInterfaces().addInterface("127.0.0.1");
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(false);
    return Hazelcast.newHazelcastInstance(disk.configure(hz));
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static StoredValue read(IMap<String, byte[]> map, String key) {
    return StoredValue.decode(key, map.get(key));
  }

  private static SetLattice set(Long... members) {
    return SetLattice.of(List.of(members));
  }

  @Test
  void acknowledgedPutsAndDeletesAreOnDiskAndComeBackAfterARestart() throws Exception {
    Path d = dir.resolve("a");
    ClusterDiskStore disk = ClusterDiskStore.open(d);
    HazelcastInstance hz = member(disk);
    try {
      IMap<String, byte[]> map = hz.getMap(ClusterKvsVerticle.MAP_NAME);
      map.submitToKey("s", new MergeProcessor(set(1L, 2L).encode(), 4096, -1))
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      map.submitToKey("gone", new MergeProcessor(set(9L).encode(), 4096, -1))
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      map.submitToKey("gone", new DeleteProcessor(1_000))
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    } finally {
      hz.getLifecycleService().terminate(); // as a crash: nothing is flushed on the way out
      disk.close();
    }

    disk = ClusterDiskStore.open(d);
    hz = member(disk);
    try {
      IMap<String, byte[]> map = hz.getMap(ClusterKvsVerticle.MAP_NAME);
      assertThat(map.get("s")).as("nothing is loaded before the restore").isNull();
      assertThat(disk.restore(hz, 10_000)).isEqualTo(2);
      assertThat(read(map, "s")).isEqualTo(StoredValue.live(set(1L, 2L), 0));
      assertThat(read(map, "gone")).isEqualTo(StoredValue.tombstone(1, 1_000));
    } finally {
      hz.getLifecycleService().terminate();
      disk.close();
    }
  }

  @Test
  void restoringAnotherDiskFirstJoinsEachKeysStatesAndLosesNothingOfThisMembersOwnDisk()
      throws Exception {
    Path x = dir.resolve("x");
    Path y = dir.resolve("y");
    // Two members' disks after ownership of the keys moved between them.
    try (LatticeStore sx = LatticeStore.open(x, 4096);
        LatticeStore sy = LatticeStore.open(y, 4096)) {
      sx.writeRaw(
          Map.of(
              "merged", StoredValue.live(set(1L), 0).encode(),
              "deleted", StoredValue.live(LwwLattice.of("old", 1, "n"), 0).encode(),
              "rewritten", StoredValue.tombstone(1, 500).encode()),
          List.of());
      sy.writeRaw(
          Map.of(
              "merged", StoredValue.live(set(2L), 0).encode(),
              "deleted", StoredValue.tombstone(1, 700).encode(),
              "rewritten", StoredValue.live(LwwLattice.of("new", 2, "n"), 1).encode()),
          List.of());
    }
    ClusterDiskStore dx = ClusterDiskStore.open(x);
    HazelcastInstance hz = member(dx);
    try (ClusterDiskStore dy = ClusterDiskStore.open(y)) {
      IMap<String, byte[]> map = hz.getMap(ClusterKvsVerticle.MAP_NAME);
      assertThat(dy.restore(hz, 10_000)).isEqualTo(3);
      assertThat(dx.restore(hz, 10_000)).isEqualTo(3);
      assertThat(read(map, "merged")).isEqualTo(StoredValue.live(set(1L, 2L), 0));
      assertThat(read(map, "deleted")).isEqualTo(StoredValue.tombstone(1, 700));
      assertThat(read(map, "rewritten"))
          .isEqualTo(StoredValue.live(LwwLattice.of("new", 2, "n"), 1));
    } finally {
      hz.getLifecycleService().terminate();
      dx.close();
    }
    // The member owned every key, so the joined states went through to its own disk; its own
    // states, overwritten by the first restore if a store wrote the map's state alone, survive.
    try (LatticeStore sx = LatticeStore.open(x, 4096)) {
      assertThat(sx.get("merged")).isEqualTo(StoredValue.live(set(1L, 2L), 0));
      assertThat(sx.get("deleted")).isEqualTo(StoredValue.tombstone(1, 700));
      assertThat(sx.get("rewritten")).isEqualTo(StoredValue.live(LwwLattice.of("new", 2, "n"), 1));
    }
  }
}
