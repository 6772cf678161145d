package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's errors and help: {@code ./cloudburst} run as a user would (from another
 * directory, by its path), and the node's own entry point as {@code start} execs it. Maven is
 * replaced by {@code false} where a command must not build, so any build attempt fails the test.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CloudburstCommandTest {
  private static final Path ROOT =
      Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
  private static final Path LAUNCHER = ROOT.resolve("cloudburst");
  private static final Map<String, String> NO_BUILD = Map.of("CLOUDBURST_MVN", "/bin/false");

  record Run(int exit, String out, String err) {}

  private static Run run(Path cwd, Map<String, String> env, List<String> command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    if (!p.waitFor(100, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("still running after 100 s: " + command);
    }
    return new Run(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
  }

  private static Run cloudburst(Path cwd, Map<String, String> env, String... args)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
    cmd.addAll(List.of(args));
    return run(cwd, env, cmd);
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "<unreadable: " + e + ">";
    }
  }

  @Test
  void anUnknownCommandExitsWithTwoAndNamesIt(@TempDir Path cwd) throws Exception {
    Run r = cloudburst(cwd, NO_BUILD, "nosuch");
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("unknown command 'nosuch'");
  }

  @Test
  void everyCommandsHelpPrintsItsUsageFromAnyFolderWithoutBuilding(@TempDir Path cwd)
      throws Exception {
    Run top = cloudburst(cwd, NO_BUILD, "--help");
    assertThat(top.exit()).as(top.toString()).isZero();
    assertThat(top.out()).startsWith("usage: ./cloudburst COMMAND").contains("package");
    for (String command : List.of("start", "cluster", "test", "build", "bench", "package")) {
      Run r = cloudburst(cwd, NO_BUILD, command, "--help");
      assertThat(r.exit()).as(command + ": " + r).isZero();
      assertThat(r.out()).as(command).startsWith("usage: ./cloudburst " + command);
      assertThat(r.err()).as(command + " printed only its usage").isEmpty();
    }
  }

  @Test
  void startRefusesAnImpossiblePortBeforeBuilding(@TempDir Path cwd) throws Exception {
    Run r = cloudburst(cwd, NO_BUILD, "start", "--port", "99999");
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("--port must be a port number from 0 to 65535, not '99999'");
  }

  @Test
  void clientCommandsRunInTheCallersDirectory(@TempDir Path tmp) throws Exception {
    // A python3 of our own first on PATH reports where and how the launcher ran it.
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path python = bin.resolve("python3");
    Files.writeString(
        python,
        "#!/bin/sh\necho \"cwd=$PWD\"\necho \"pythonpath=$PYTHONPATH\"\necho \"args=$*\"\n");
    Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path cwd = Files.createDirectories(tmp.resolve("work"));
    Run r =
        cloudburst(
            cwd,
            Map.of("PATH", bin + ":" + System.getenv("PATH"), "PYTHONPATH", ""),
            "deploy",
            "sq.py",
            "--name",
            "sq");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("cwd=" + cwd.toRealPath())
        .contains("pythonpath=" + ROOT.resolve("examples-python") + "\n")
        .contains("args=-m cloudburst.cli deploy sq.py --name sq");
  }

  @Test
  void aNodeOnAPortInUseExitsAtOnceNamingThePort(@TempDir Path data) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Run r =
          run(
              data,
              Map.of(),
              NodeProcess.command(
                  List.of(), List.of("--port", String.valueOf(port), "--data", data.toString())));
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      assertThat(r.err())
          .contains(
              "cloudburst: port " + port + " on 127.0.0.1 for HTTP (--port) is already in use");
      assertThat(r.out()).doesNotContain("up at");
    }
  }

  /** Another process holding {@code data}'s lock as a running node would: fcntl, its pid inside. */
  private static Process holdLock(Path data) throws Exception {
    String hold =
        "import fcntl, os, sys\n"
            + "f = open(sys.argv[1], 'a+'); fcntl.lockf(f, fcntl.LOCK_EX)\n"
            + "f.truncate(0); f.write('%d\\n' % os.getpid()); f.flush()\n"
            + "print('locked', flush=True); sys.stdin.read()\n";
    Process holder =
        new ProcessBuilder("python3", "-c", hold, data.resolve(Preflight.LOCK_FILE).toString())
            .start();
    String line = new String(holder.getInputStream().readNBytes(7), StandardCharsets.UTF_8);
    assertThat(line).isEqualTo("locked\n");
    return holder;
  }

  @Test
  void aNodeOnADataDirectoryInUseExitsNamingItAndTheHoldersPid(@TempDir Path tmp) throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    Process holder = holdLock(data);
    try {
      Run r =
          run(
              tmp,
              Map.of(),
              NodeProcess.command(List.of(), List.of("--port", "0", "--data", data.toString())));
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      assertThat(r.err())
          .contains(
              "cloudburst: data directory "
                  + data
                  + " is in use by another node (pid "
                  + holder.pid()
                  + ")");
    } finally {
      holder.destroyForcibly();
      holder.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aClusterNodeOnADataDirectoryAnotherNodeHoldsExitsBeforeJoiningAndTouchesNothing(
      @TempDir Path tmp) throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    Process holder = holdLock(data);
    try {
      Run r =
          run(
              tmp,
              Map.of(),
              NodeProcess.command(
                  List.of("-Dcloudburst.clusterName=cloudburst-held-" + holder.pid()),
                  List.of(
                      "--port",
                      "0",
                      "--data",
                      data.toString(),
                      "--cluster",
                      "--cluster-port",
                      String.valueOf(NodeProcess.freePort()))));
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      assertThat(r.err())
          .contains(
              "cloudburst: data directory "
                  + data
                  + " is in use by another node (pid "
                  + holder.pid()
                  + ")");
      assertThat(r.out()).doesNotContain("joined cluster").doesNotContain("up at");
      try (var files = Files.list(data)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .as("no cluster-id written, no store opened")
            .containsExactly(Preflight.LOCK_FILE);
      }
    } finally {
      holder.destroyForcibly();
      holder.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aClusterNodeOnAnotherClustersDataDirectoryExitsNamingBothAndTouchesNothing(@TempDir Path tmp)
      throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(data.resolve(Preflight.CLUSTER_ID_FILE), "cloudburst-other\n");
    Run r =
        run(
            tmp,
            Map.of(),
            NodeProcess.command(
                List.of("-Dcloudburst.clusterName=cloudburst-mine"),
                List.of(
                    "--port",
                    "0",
                    "--data",
                    data.toString(),
                    "--cluster",
                    "--cluster-port",
                    String.valueOf(NodeProcess.freePort()))));
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err())
        .contains(
            "cloudburst: data directory "
                + data
                + " keeps the data of cluster 'cloudburst-other', not of this node's cluster"
                + " 'cloudburst-mine'");
    assertThat(r.out()).doesNotContain("up at");
    try (var files = Files.list(data)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("no store opened")
          .containsExactlyInAnyOrder(Preflight.CLUSTER_ID_FILE, Preflight.LOCK_FILE);
    }
  }
}
