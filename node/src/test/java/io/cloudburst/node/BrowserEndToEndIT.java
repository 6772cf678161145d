package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard and the browser client in a real browser: {@code src/test/js/browser-test.mjs}
 * drives Debian's Chromium (headless) with playwright-core against the shared node and prints what
 * the pages showed; this test asserts on it. Screenshots land in {@code
 * target/browser-screenshots/}.
 *
 * <p>Chromium and playwright-core are part of the test setup, not optional: {@code ./cloudburst
 * test} installs both before Maven runs, and this test fails (never skips) without them.
 */
class BrowserEndToEndIT {
  private static final Path CHROMIUM =
      Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
  private static final Path SCRIPTS = Path.of("src/test/js").toAbsolutePath();
  private static final long SCRIPT_TIMEOUT_S = 240;

  @Test
  @Timeout(value = 360, unit = TimeUnit.SECONDS)
  void theDashboardAndTheBrowserClientWorkInChromium() throws Exception {
    assertThat(Files.isExecutable(CHROMIUM))
        .as(CHROMIUM + " is missing: ./cloudburst test installs it (apt-get install chromium)")
        .isTrue();
    assertThat(SCRIPTS.resolve("node_modules/playwright-core/package.json"))
        .as(
            "playwright-core is missing: ./cloudburst test installs it (npm ci in node/src/test/js)")
        .exists();
    TestNode node = TestNode.shared();
    Path shots = Path.of("target/browser-screenshots").toAbsolutePath();
    Path log = Path.of("target/browser-test.log").toAbsolutePath();
    Files.createDirectories(shots);

    Process p =
        new ProcessBuilder("node", "browser-test.mjs", node.base, shots.toString())
            .directory(SCRIPTS.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean finished = p.waitFor(SCRIPT_TIMEOUT_S, TimeUnit.SECONDS);
    if (!finished) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(finished)
        .as("the browser script finished within " + SCRIPT_TIMEOUT_S + " s:\n" + output)
        .isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    List<String> results = output.lines().filter(l -> l.startsWith("RESULT ")).toList();
    assertThat(results).as(output).hasSize(1);
    JsonObject r = new JsonObject(results.get(0).substring("RESULT ".length()));

    // The dashboard lists a function registered over HTTP, and shows executors and cache figures.
    assertThat(r.getString("listedLanguage")).isEqualTo("python");
    assertThat(r.getString("listedVersion")).isEqualTo("v1");
    assertThat(r.getInteger("executors")).isGreaterThanOrEqualTo(1);
    assertThat(r.getString("cacheLine")).startsWith("local cache: ").contains("keys");

    // A JavaScript function uploaded and called through the form: the result, its source, its logs.
    assertThat(r.getString("uploadCallText")).contains("done").contains("result: 42");
    assertThat(r.getString("detailTitle")).contains("v1").contains("javascript");
    assertThat(r.getString("detailSource")).contains("return x + 1;");
    assertThat(r.getString("uploadLiveLogs")).contains("adding one to 41");

    // A DAG drawn as a graph, and its call shown live: (3 + 1) * 2.
    assertThat(r.getInteger("dagBoxes")).isEqualTo(2);
    assertThat(r.getInteger("dagEdges")).isEqualTo(1);
    assertThat(r.getLong("dagHttpResult")).isEqualTo(8L);
    assertThat(r.getString("dagLiveFunction")).startsWith("bt_dag_");
    assertThat(r.getString("dagPill")).startsWith("done in ");

    // The test page: a pending call's future over the WebSocket and over the bridge, and a key
    // over the bridge, absent first, then the value written over HTTP, which also completes the
    // call.
    assertThat(r.getString("pendingStatus")).isEqualTo("pending");
    assertThat(r.getString("keyBefore")).isEqualTo("null");
    assertThat(r.getString("futureBefore")).isEqualTo("waiting");
    assertThat(r.getString("keyAfter")).isEqualTo("7");
    assertThat(r.getString("keyLattice")).isEqualTo("lww");
    assertThat(r.getString("future")).isEqualTo("70");
    assertThat(r.getString("busResult")).isEqualTo("70");

    assertThat(r.getJsonArray("pageErrors"))
        .as("uncaught errors in the pages")
        .isEqualTo(new JsonArray());
    assertThat(shots.resolve("dashboard.png")).isNotEmptyFile();
    assertThat(shots.resolve("futures.png")).isNotEmptyFile();
  }
}
