package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line of {@code ./cloudburst start}: cluster and autoscaling options, and their
 * errors.
 */
class NodeOptionsTest {
  private static NodeOptions parse(String... args) {
    return NodeOptions.parse(List.of(args));
  }

  @Test
  void embeddedByDefaultWithAFixedPool() {
    NodeOptions o = parse();
    assertThat(o.cluster().enabled()).isFalse();
    assertThat(o.scaling().enabled()).isFalse();
    assertThat(o.executors()).isEqualTo(1);
  }

  @Test
  void clusterOptions() {
    NodeOptions o =
        parse(
            "--cluster",
            "--name",
            "b",
            "--join",
            "127.0.0.1:5701, localhost ,10.0.0.7:6000",
            "--cluster-port",
            "5702",
            "--role",
            "compute");
    assertThat(o.cluster().enabled()).isTrue();
    assertThat(o.cluster().join())
        .containsExactly("127.0.0.1:5701", "localhost:5701", "10.0.0.7:6000");
    assertThat(o.cluster().port()).isEqualTo(5702);
    assertThat(o.cluster().host()).isEqualTo("127.0.0.1");
    assertThat(o.cluster().compute()).isTrue();
    assertThat(o.cluster().storage()).isFalse();
    assertThat(parse("--cluster", "--role", "storage").cluster().compute()).isFalse();
  }

  @Test
  void badClusterOptionsAreRefusedClearly() {
    assertThatThrownBy(() -> parse("--join", "127.0.0.1:5701"))
        .hasMessageContaining("need --cluster");
    assertThatThrownBy(() -> parse("--cluster", "--join", "127.0.0.1:99999"))
        .hasMessageContaining("--join takes host:port");
    assertThatThrownBy(() -> parse("--cluster", "--join", "a b:1"))
        .hasMessageContaining("--join takes host:port");
    assertThatThrownBy(() -> parse("--cluster", "--join", ","))
        .hasMessageContaining("at least one host:port");
    assertThatThrownBy(() -> parse("--cluster", "--role", "leader"))
        .hasMessageContaining("--role must be both, storage or compute");
    assertThatThrownBy(() -> parse("--cluster", "--cluster-port", "0"))
        .hasMessageContaining("--cluster-port must be an integer");
    assertThatThrownBy(() -> parse("--cluster", "--name", "a b"))
        .hasMessageContaining("--name must be");
  }

  @Test
  void scalingOptions() {
    NodeOptions o =
        parse(
            "--min-executors",
            "2",
            "--max-executors",
            "5",
            "--scale-up-at",
            "80",
            "--scale-down-at",
            "20",
            "--scale-window-ms",
            "1000",
            "--scale-cooldown-ms",
            "3000");
    assertThat(o.scaling().enabled()).isTrue();
    assertThat(o.executors()).isEqualTo(2);
    assertThat(o.scaling()).isEqualTo(new NodeOptions.ScalingOptions(2, 5, 0.8, 0.2, 1000, 3000));
    assertThat(parse("--executors", "3").scaling().enabled())
        .as("--executors alone keeps the pool fixed")
        .isFalse();
    assertThat(parse("--executors", "3").executors()).isEqualTo(3);
  }

  @Test
  void badScalingOptionsAreRefusedClearly() {
    assertThatThrownBy(() -> parse("--min-executors", "4", "--max-executors", "2"))
        .hasMessageContaining("is above --max-executors");
    assertThatThrownBy(() -> parse("--scale-up-at", "20", "--scale-down-at", "30"))
        .hasMessageContaining("--scale-down-at must be below");
    assertThatThrownBy(() -> parse("--max-executors", "65"))
        .hasMessageContaining("--max-executors must be an integer from 1 to 64");
  }

  private static final String TOKEN_A = "aaaaaaaaaaaaaaaa-from-the-line";
  private static final String TOKEN_F = "ffffffffffffffff-from-the-file";
  private static final String TOKEN_E = "eeeeeeeeeeeeeeee-from-the-env";

  @Test
  void tokenComesFromTheEnvironmentWhenTheCommandLineGivesNone() {
    assertThat(NodeOptions.parse(List.of(), Map.of(NodeOptions.TOKEN_ENV, TOKEN_E + "\n")).token())
        .isEqualTo(TOKEN_E);
    assertThat(NodeOptions.parse(List.of(), Map.of()).token()).isNull();
    assertThat(NodeOptions.parse(List.of(), Map.of(NodeOptions.TOKEN_ENV, " ")).token())
        .as("blank is unset")
        .isNull();
    assertThat(
            NodeOptions.parse(List.of("--auth", "off"), Map.of(NodeOptions.TOKEN_ENV, TOKEN_E))
                .token())
        .as("a client's exported token does not stop an --auth off node")
        .isNull();
  }

  @Test
  void tokenFileIsReadAndWinsOverTheEnvironment(@TempDir Path dir) throws Exception {
    Path f = Files.writeString(dir.resolve("token"), TOKEN_F + "\nsecond line ignored\n");
    assertThat(
            NodeOptions.parse(
                    List.of("--token-file", f.toString()), Map.of(NodeOptions.TOKEN_ENV, TOKEN_E))
                .token())
        .isEqualTo(TOKEN_F);
    assertThat(
            NodeOptions.parse(List.of("--token", TOKEN_A), Map.of(NodeOptions.TOKEN_ENV, TOKEN_E))
                .token())
        .isEqualTo(TOKEN_A);
  }

  @Test
  void badTokenSourcesAreRefusedClearly(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("nope");
    assertThatThrownBy(() -> parse("--token-file", missing.toString()))
        .hasMessageContaining("--token-file: cannot read " + missing);
    Path f = Files.writeString(dir.resolve("token"), TOKEN_F);
    assertThatThrownBy(() -> parse("--token", TOKEN_A, "--token-file", f.toString()))
        .hasMessageContaining("exclude each other");
    Path shortToken = Files.writeString(dir.resolve("short"), "abc");
    assertThatThrownBy(() -> parse("--token-file", shortToken.toString()))
        .hasMessageContaining("16 to 1024");
    assertThatThrownBy(() -> NodeOptions.parse(List.of(), Map.of(NodeOptions.TOKEN_ENV, "short")))
        .hasMessageContaining("16 to 1024");
  }
}
