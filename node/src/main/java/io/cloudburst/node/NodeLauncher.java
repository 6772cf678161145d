package io.cloudburst.node;

import io.vertx.core.Vertx;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The node's process entry point, behind {@code ./cloudburst start} and {@code java -jar
 * cloudburst.jar start}: parses the options, checks ports and the data directory before the boot,
 * starts the node and stops it on SIGTERM/Ctrl-C.
 *
 * <p>Exit codes: 2 for a bad command line, 1 when the node cannot start (a port in use, its data
 * directory held by another node or, for a storage member, kept for another cluster, a failed
 * deployment), 3 when it cannot join its cluster.
 */
public final class NodeLauncher {
  private static final String LOG_FORMAT = "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n";

  /** Held for the life of the process: closing it would release the data directory's lock. */
  private static FileChannel dataLock;

  private NodeLauncher() {}

  public static void main(String[] args) throws InterruptedException {
    processDefaults();
    List<String> argList = new ArrayList<>(Arrays.asList(args));
    if (!argList.isEmpty() && argList.getFirst().equals("start")) {
      argList.removeFirst();
    }
    if (argList.contains("--help") || argList.contains("-h")) {
      System.out.println(usage());
      return;
    }
    NodeOptions options;
    try {
      options = NodeOptions.parse(argList);
    } catch (IllegalArgumentException e) {
      exit(2, e.getMessage());
      return;
    }
    List<String> busy = Preflight.portsInUse(options);
    if (!busy.isEmpty()) {
      exit(1, String.join("; ", busy));
      return;
    }
    try {
      dataLock = Preflight.lockDataDir(options.dataDir());
    } catch (IllegalStateException e) {
      exit(1, e.getMessage());
      return;
    } catch (java.io.IOException e) {
      exit(1, "cannot use data directory " + options.dataDir().toAbsolutePath() + ": " + e);
      return;
    }
    if (options.cluster().enabled() && options.cluster().storage()) {
      try {
        Preflight.claimForCluster(options.dataDir(), ClusterBoot.clusterName());
      } catch (IllegalStateException e) {
        exit(1, e.getMessage());
        return;
      } catch (java.io.IOException e) {
        exit(1, "cannot use data directory " + options.dataDir().toAbsolutePath() + ": " + e);
        return;
      }
    }
    run(options);
  }

  private static void run(NodeOptions options) throws InterruptedException {
    System.Logger log = System.getLogger(NodeLauncher.class.getName());
    long t0 = System.nanoTime();
    ClusterBoot.Joined joined = null;
    if (options.cluster().enabled()) {
      try {
        joined = ClusterBoot.join(options, CloudburstNode.vertxOptions());
      } catch (Exception e) {
        exit(3, "cannot join the cluster: " + e.getMessage());
        return;
      }
    }
    Vertx vertx = joined == null ? CloudburstNode.newVertx() : joined.vertx();
    ClusterBoot.Joined cluster = joined;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.log(System.Logger.Level.INFO, "stopping node");
                  try {
                    if (cluster != null) {
                      cluster.close(30);
                    } else {
                      vertx.close().await(30, TimeUnit.SECONDS);
                    }
                  } catch (Exception e) {
                    System.err.println("cloudburst: shutdown: " + e);
                  }
                  stopped.countDown();
                },
                "cloudburst-shutdown"));
    CloudburstNode.start(vertx, options, cluster == null ? null : cluster.hazelcast())
        .onComplete(
            ar -> {
              if (ar.failed()) {
                System.err.println(
                    "cloudburst: node failed to start: " + explain(ar.cause(), options));
                ar.cause().printStackTrace();
                vertx.close();
                System.exit(1);
              } else {
                System.out.printf(
                    "Cloudburst node '%s' up at http://%s:%d (runtime mode: %s, %s transport, idle polling %d µs, %s) in %.1f s%n",
                    options.nodeId(),
                    options.host().equals("127.0.0.1") ? "localhost" : options.host(),
                    ar.result().httpPort(),
                    CloudburstNode.runtimeMode(),
                    vertx.isNativeTransportEnabled() ? "epoll" : "NIO",
                    CloudburstNode.spinMicros(),
                    cluster == null
                        ? "data: " + options.dataDir().toAbsolutePath()
                        : "cluster member "
                            + options.cluster().host()
                            + ":"
                            + options.cluster().port()
                            + ", role "
                            + options.cluster().role(),
                    (System.nanoTime() - t0) / 1e9);
                System.out.flush();
              }
            });
    stopped.await();
  }

  /**
   * A start failure in words: RocksDB's lock error (another process, e.g. an embedded node, holds
   * the store) names the data directory; anything else as it came.
   */
  static String explain(Throwable cause, NodeOptions options) {
    String m = String.valueOf(cause.getMessage());
    if (m.contains("/LOCK")
        && (m.contains("Resource temporarily unavailable") || m.contains("lock hold"))) {
      return "data directory "
          + options.dataDir().toAbsolutePath()
          + " is in use by another process (its store is locked: "
          + m
          + ")";
    }
    return cause.toString();
  }

  static String usage() {
    return """
        usage: cloudburst start [--port N] [--data DIR] [--host H] [--name ID] [--threads N] [--max-contexts N]
                                [--cache-mb N] [--executors N] [--tcp-bridge-port N] [--auth on|off|auto]
                                [--token T | --token-file PATH]   (else $CLOUDBURST_TOKEN, else <data>/token)
          autoscaling: [--min-executors N] [--max-executors N] [--scale-up-at PCT] [--scale-down-at PCT]
                       [--scale-window-ms N] [--scale-cooldown-ms N]
          cluster:     --cluster [--join HOST:PORT,...] [--cluster-host H] [--cluster-port N] [--role both|storage|compute]""";
  }

  /**
   * The system properties a node process needs unless its command line set them: the log format
   * (with the date) and GraalVM's interpreter-only warning off. Call first thing in a {@code main}:
   * the console log handler reads the format once, when the first record is logged.
   */
  public static void processDefaults() {
    setDefault("java.util.logging.SimpleFormatter.format", LOG_FORMAT);
    setDefault("polyglot.engine.WarnInterpreterOnly", "false");
  }

  private static void setDefault(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  private static void exit(int code, String message) {
    System.err.println("cloudburst: " + message);
    System.exit(code);
  }
}
