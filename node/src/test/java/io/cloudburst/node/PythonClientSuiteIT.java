package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the Python client's own stdlib unittest suite (examples-python/tests) against a started
 * node, as a user of the client would, and fails when any of its tests fails.
 */
class PythonClientSuiteIT {
  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void thePythonClientSuitePassesAgainstARunningNode() throws Exception {
    TestNode n = TestNode.shared();
    Path examples = Path.of("..", "examples-python").toAbsolutePath().normalize();
    assertThat(examples.resolve("tests")).isDirectory();
    Path log = Files.createTempFile("python-suite", ".log");
    ProcessBuilder pb =
        new ProcessBuilder("python3", "-m", "unittest", "discover", "-s", "tests", "-t", ".", "-v")
            .directory(examples.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("CLOUDBURST_URL", n.base);
    pb.environment()
        .put(
            "CLOUDBURST_FEATURES", System.getProperty("cloudburst.features", "functions,dags,kvs"));
    pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    Process p = pb.start();
    boolean finished = p.waitFor(540, TimeUnit.SECONDS);
    if (!finished) {
      p.destroyForcibly();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    System.out.println("---- examples-python suite ----\n" + out);
    assertThat(finished).as("python suite finished in time").isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).containsPattern("Ran [1-9][0-9]* tests?").contains("OK");
    new File(log.toString()).delete();
  }
}
