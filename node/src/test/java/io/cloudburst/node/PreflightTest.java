package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks before a node's boot: ports already taken, data directories held by another node or
 * kept for another cluster.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PreflightTest {

  @Test
  void aTakenHttpOrBridgePortIsNamedAndFreePortsPass() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      NodeOptions http = NodeOptions.defaults().withPort(port);
      assertThat(Preflight.portsInUse(http))
          .singleElement()
          .asString()
          .contains("port " + port + " on 127.0.0.1 for HTTP (--port) is already in use");
      NodeOptions bridge = NodeOptions.defaults().withPort(0).withTcpBridgePort(port);
      assertThat(Preflight.portsInUse(bridge))
          .singleElement()
          .asString()
          .contains("port " + port)
          .contains("--tcp-bridge-port");
    }
    assertThat(Preflight.portsInUse(NodeOptions.defaults().withPort(0))).isEmpty();
  }

  @Test
  void aDataDirectoryLockedByAnotherHolderIsRefusedNamingItAndItsPid(@TempDir Path dir)
      throws Exception {
    Path data = dir.resolve("data");
    try (FileChannel first = Preflight.lockDataDir(data)) {
      assertThat(Files.readString(data.resolve(Preflight.LOCK_FILE)).strip())
          .isEqualTo(String.valueOf(ProcessHandle.current().pid()));
      // Within one JVM a second lock of the same file is refused by the JVM itself, not the OS.
      assertThatThrownBy(() -> Preflight.lockDataDir(data))
          .isInstanceOf(java.nio.channels.OverlappingFileLockException.class);
    }
    try (FileChannel again = Preflight.lockDataDir(data)) {
      assertThat(again.isOpen())
          .as("released with its channel, so a restarted node gets it")
          .isTrue();
    }
  }

  @Test
  void aDataDirectoryRecordsItsClusterOnceAndRefusesAnotherClusterUntouched(@TempDir Path dir)
      throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Preflight.claimForCluster(data, "east");
    assertThat(Files.readString(data.resolve(Preflight.CLUSTER_ID_FILE)).strip()).isEqualTo("east");
    Preflight.claimForCluster(data, "east"); // the same cluster again: accepted
    Path stored = Files.createDirectories(data.resolve("cluster-kvs")).resolve("CURRENT");
    Files.writeString(stored, "kept");

    assertThatThrownBy(() -> Preflight.claimForCluster(data, "west"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("data directory " + data.toAbsolutePath())
        .hasMessageContaining("keeps the data of cluster 'east', not of this node's cluster 'west'")
        .hasMessageContaining("choose another --data");
    assertThat(Files.readString(data.resolve(Preflight.CLUSTER_ID_FILE)).strip()).isEqualTo("east");
    assertThat(Files.readString(stored)).isEqualTo("kept");
    try (var files = Files.list(data)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(Preflight.CLUSTER_ID_FILE, "cluster-kvs");
    }
  }

  @Test
  void rocksDbLockErrorsAreExplainedAsTheDataDirectoryInUse() {
    NodeOptions o = NodeOptions.defaults().withDataDir(Path.of("/tmp/cb-x"));
    String m =
        NodeLauncher.explain(
            new RuntimeException(
                "While lock file: /tmp/cb-x/kvs/LOCK: Resource temporarily unavailable"),
            o);
    assertThat(m).startsWith("data directory /tmp/cb-x is in use by another process");
    assertThat(NodeLauncher.explain(new IllegalStateException("boom"), o))
        .isEqualTo("java.lang.IllegalStateException: boom");
  }
}
