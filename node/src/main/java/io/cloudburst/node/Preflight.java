package io.cloudburst.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks a node process makes before its boot (seconds of engine and context start-up), so that a
 * port already taken or a data directory held by another node fails at once with a message that
 * names it, rather than after the boot with a raw bind or RocksDB error. The data directory's lock
 * covers everything under it, the cluster store in {@code <data>/cluster-kvs} included.
 */
public final class Preflight {
  /** The name of the lock file a node process holds in its data directory while it runs. */
  public static final String LOCK_FILE = "node.lock";

  /** The file in a storage member's data directory naming the cluster whose data it keeps. */
  public static final String CLUSTER_ID_FILE = "cluster-id";

  private Preflight() {}

  /**
   * The ports of {@code options} that the node will listen on and that another process already
   * holds, each as a message naming the port; empty when all are free. Port 0 (any free port) is
   * not checked.
   */
  public static List<String> portsInUse(NodeOptions options) {
    List<String> problems = new ArrayList<>();
    check(options.host(), options.port(), "HTTP (--port)").ifPresent(problems::add);
    if (options.tcpBridgePort() > 0) {
      check(options.host(), options.tcpBridgePort(), "TCP event-bus bridge (--tcp-bridge-port)")
          .ifPresent(problems::add);
    }
    if (options.cluster().enabled()) {
      check(options.cluster().host(), options.cluster().port(), "cluster member (--cluster-port)")
          .ifPresent(problems::add);
    }
    return List.copyOf(problems);
  }

  private static Optional<String> check(String host, int port, String what) {
    if (port <= 0) {
      return Optional.empty();
    }
    // SO_REUSEADDR as the servers themselves bind: a port in TIME_WAIT is free to them, a listener
    // is not.
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(host, port));
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(
          "port "
              + port
              + " on "
              + host
              + " for "
              + what
              + " is already in use ("
              + e.getMessage()
              + ")");
    }
  }

  /**
   * Locks {@code dataDir} for this process (creating it if needed) by holding an OS file lock on
   * {@link #LOCK_FILE}, which also records this process's pid; the lock lasts until the process
   * exits (the returned channel must stay reachable).
   *
   * @throws IllegalStateException naming the directory (and the holder's pid, when recorded) if
   *     another process holds it
   */
  public static FileChannel lockDataDir(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    Path file = dataDir.resolve(LOCK_FILE);
    FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    if (lock == null) {
      String holder = readPid(ch);
      ch.close();
      throw new IllegalStateException(
          "data directory "
              + dataDir.toAbsolutePath()
              + " is in use by another node"
              + (holder.isEmpty() ? "" : " (pid " + holder + ")")
              + "; stop it or choose another --data");
    }
    ch.truncate(0);
    ch.write(
        ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
        0);
    ch.force(false);
    return ch;
  }

  /**
   * Claims {@code dataDir} for the cluster {@code clusterName}: a storage member's data directory
   * records, in {@link #CLUSTER_ID_FILE}, the cluster whose data it keeps. Written (synced) when
   * absent; call it after {@link #lockDataDir} and before the member opens its store.
   *
   * @throws IllegalStateException naming both clusters when the directory keeps another cluster's
   *     data (nothing in it is touched)
   */
  public static void claimForCluster(Path dataDir, String clusterName) throws IOException {
    Path file = dataDir.resolve(CLUSTER_ID_FILE);
    if (Files.exists(file)) {
      String recorded = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (!recorded.equals(clusterName)) {
        throw new IllegalStateException(
            "data directory "
                + dataDir.toAbsolutePath()
                + " keeps the data of cluster '"
                + recorded
                + "', not of this node's cluster '"
                + clusterName
                + "'; choose another --data (or remove "
                + CLUSTER_ID_FILE
                + " and "
                + "cluster-kvs to discard that data)");
      }
      return;
    }
    Path tmp = dataDir.resolve(CLUSTER_ID_FILE + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap((clusterName + "\n").getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String readPid(FileChannel ch) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(32);
    ch.read(buf, 0);
    String s = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).strip();
    return s.matches("[0-9]{1,19}") ? s : "";
  }
}
