package io.cloudburst.node;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A node in its own JVM (the test JVM's class path and flags), for tests that kill a node process.
 * Its output goes to a log file beside its data.
 */
final class NodeProcess implements AutoCloseable {
  final Process process;
  final int port;
  final String base;

  private NodeProcess(Process process, String host, int port) {
    this.process = process;
    this.port = port;
    this.base = "http://" + host + ":" + port;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Starts a node on {@code data} and waits (bounded) until its /health says up. */
  static NodeProcess start(Path data, Path log) throws Exception {
    return start(data, log, List.of(), List.of());
  }

  /**
   * The command line of a node process: the test JVM's class path, Hazelcast's module flags, then
   * {@code args}.
   */
  static List<String> command(List<String> jvmFlags, List<String> args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "--enable-native-access=ALL-UNNAMED",
                "-Dpolyglot.engine.WarnInterpreterOnly=false",
                "--add-modules",
                "java.se",
                "--add-exports",
                "java.base/jdk.internal.ref=ALL-UNNAMED",
                "--add-opens",
                "java.base/java.lang=ALL-UNNAMED",
                "--add-opens",
                "java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens",
                "java.management/sun.management=ALL-UNNAMED",
                "--add-opens",
                "jdk.management/com.sun.management.internal=ALL-UNNAMED"));
    for (String p : List.of("polyglot.engine.userResourceCache", "cloudburst.runtime.mode")) {
      if (System.getProperty(p) != null) {
        cmd.add("-D" + p + "=" + System.getProperty(p));
      }
    }
    cmd.addAll(jvmFlags);
    cmd.addAll(
        List.of("-cp", System.getProperty("java.class.path"), CloudburstNode.class.getName()));
    cmd.addAll(args);
    return cmd;
  }

  /**
   * Starts a node with extra JVM flags and options, and waits (bounded) until its /health says up.
   */
  static NodeProcess start(Path data, Path log, List<String> jvmFlags, List<String> options)
      throws Exception {
    NodeProcess node = launch(data, log, jvmFlags, options);
    node.awaitUp(log);
    return node;
  }

  /** Starts a node with extra JVM flags and options, without waiting for it. */
  static NodeProcess launch(Path data, Path log, List<String> jvmFlags, List<String> options)
      throws Exception {
    int port = freePort();
    List<String> args =
        new ArrayList<>(List.of("--port", String.valueOf(port), "--data", data.toString()));
    args.addAll(options);
    Process p =
        new ProcessBuilder(command(jvmFlags, args))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new NodeProcess(p, "127.0.0.1", port);
  }

  /**
   * Starts a node whose command line is prefixed by {@code wrapper} (e.g. {@code ip netns exec NS},
   * which execs the JVM in that network namespace, so the process is the JVM itself), listening for
   * HTTP on {@code host:port}; without waiting for it.
   */
  static NodeProcess launchWrapped(
      List<String> wrapper,
      String host,
      int port,
      Path data,
      Path log,
      List<String> jvmFlags,
      List<String> options)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of("--host", host, "--port", String.valueOf(port), "--data", data.toString()));
    args.addAll(options);
    List<String> cmd = new ArrayList<>(wrapper);
    cmd.addAll(command(jvmFlags, args));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new NodeProcess(p, host, port);
  }

  /** Waits (bounded) until the node's /health says up; {@code log} is named when it fails. */
  void awaitUp(Path log) throws Exception {
    Process p = process;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < end) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "node process exited with " + p.exitValue() + "; see " + log);
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "/health"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      p.waitFor(200, TimeUnit.MILLISECONDS);
    }
    p.destroyForcibly();
    throw new IllegalStateException("node did not come up within 120 s; see " + log);
  }

  /**
   * Waits (bounded) until the node's log holds {@code line} (e.g. its cluster member is up, long
   * before its HTTP server).
   */
  void awaitLog(Path log, String line) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "node process exited with " + process.exitValue() + "; see " + log);
      }
      if (Files.exists(log) && Files.readString(log).contains(line)) {
        return;
      }
      process.waitFor(100, TimeUnit.MILLISECONDS);
    }
    throw new IllegalStateException("no '" + line + "' in " + log + " within 120 s");
  }

  /** SIGKILL, and wait for the process to be gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
