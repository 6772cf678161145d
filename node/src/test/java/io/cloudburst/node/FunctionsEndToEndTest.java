package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SCENARIOS.md 1-8 through the public HTTP API of a started node. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FunctionsEndToEndTest {
  private static TestNode n;

  @BeforeAll
  static void node() throws Exception {
    n = TestNode.shared();
  }

  @Test
  void healthSaysUp() throws Exception {
    TestNode.Reply r = n.get("/health");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getString("status")).isEqualTo("up");
  }

  @Test
  void pythonSquareOfTwoIsFour() throws Exception {
    TestNode.Reply reg = n.register("sq1", "python", "def sq1(cloudburst, x):\n    return x * x\n");
    assertThat(reg.status()).as(reg.body()).isEqualTo(201);
    assertThat(reg.json().getInteger("version")).isEqualTo(1);
    TestNode.Reply r = n.invoke("sq1", 2);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getString("status")).isEqualTo("done");
    assertThat(r.json().getLong("result")).isEqualTo(4L);
  }

  @Test
  void javascriptSquareOfTwoIsFour() throws Exception {
    TestNode.Reply reg = n.register("sq2", "javascript", "function sq2(cb, x) { return x * x }");
    assertThat(reg.status()).as(reg.body()).isEqualTo(201);
    TestNode.Reply r = n.invoke("sq2", 2);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getLong("result")).isEqualTo(4L);
  }

  @Test
  void moduleStateLoadedOnceIsKeptBetweenCalls() throws Exception {
    String src =
        """
        LOADS = []
        LOADS.append('model')          # set up once, when the module loads
        calls = 0
        def counter(cb):
            global calls
            calls += 1
            return {'loads': len(LOADS), 'calls': calls}
        """;
    assertThat(n.register("counter", "python", src).status()).isEqualTo(201);
    n.invoke("counter");
    JsonObject third = n.invoke("counter").json();
    third = n.invoke("counter").json();
    assertThat(third.getJsonObject("result").getInteger("loads")).isEqualTo(1);
    assertThat(third.getJsonObject("result").getInteger("calls")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void reRegisteringRunsTheNewVersionAndTheOldOneCanBeRestored() throws Exception {
    assertThat(n.register("ver", "python", "def ver(cb, x): return x * x").status()).isEqualTo(201);
    TestNode.Reply v2 = n.register("ver", "python", "def ver(cb, x): return x + 1000");
    assertThat(v2.json().getInteger("version")).isEqualTo(2);
    assertThat(n.invoke("ver", 3).json().getLong("result")).isEqualTo(1003L);

    TestNode.Reply versions = n.get("/v1/functions/ver/versions");
    JsonArray list = new JsonArray(versions.body());
    assertThat(list.size()).isEqualTo(2);
    assertThat(list.getJsonObject(0).getInteger("version")).isEqualTo(1);

    TestNode.Reply restored =
        n.post("/v1/functions/ver/restore", new JsonObject().put("version", 1));
    assertThat(restored.status()).as(restored.body()).isEqualTo(201);
    assertThat(restored.json().getInteger("version")).isEqualTo(3);
    assertThat(n.invoke("ver", 3).json().getLong("result")).isEqualTo(9L);
    assertThat(n.get("/v1/functions/ver?version=2").json().getString("source"))
        .contains("x + 1000");
  }

  @Test
  void aFunctionDeletedAndRegisteredAgainRunsItsNewSource() throws Exception {
    assertThat(n.register("again", "python", "def again(cb): return 'first'").status())
        .isEqualTo(201);
    assertThat(n.invoke("again").json().getString("result")).isEqualTo("first");
    assertThat(n.send("DELETE", "/v1/functions/again", null).status()).isEqualTo(204);
    assertThat(n.invoke("again").errorCode()).isEqualTo("FUNC_NOT_FOUND");
    TestNode.Reply again = n.register("again", "python", "def again(cb): return 'second'");
    assertThat(again.json().getInteger("version")).isEqualTo(1);
    assertThat(n.invoke("again").json().getString("result"))
        .as("a warm context of the deleted source must not run")
        .isEqualTo("second");
  }

  @Test
  void aRaisingFunctionGivesExecutionErrorWithTracebackAndTheNodeKeepsServing() throws Exception {
    assertThat(n.register("boom", "python", "def boom(cb, x):\n    return x / 0\n").status())
        .isEqualTo(201);
    TestNode.Reply r = n.invoke("boom", 1);
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.errorCode()).isEqualTo("EXECUTION_ERROR");
    assertThat(r.errorMessage())
        .contains("Traceback")
        .contains("ZeroDivisionError")
        .contains("line 2");

    assertThat(
            n.register(
                    "jsboom", "javascript", "function jsboom(cb) { throw new Error('bad thing') }")
                .status())
        .isEqualTo(201);
    TestNode.Reply j = n.invoke("jsboom");
    assertThat(j.status()).isEqualTo(422);
    assertThat(j.errorMessage()).contains("bad thing").contains("jsboom");

    assertThat(n.register("fine", "python", "def fine(cb): return 'ok'").status()).isEqualTo(201);
    assertThat(n.invoke("fine").json().getString("result")).isEqualTo("ok");
  }

  @Test
  void unknownFunctionIsFuncNotFound() throws Exception {
    TestNode.Reply r = n.invoke("no_such_function", 1);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.errorCode()).isEqualTo("FUNC_NOT_FOUND");
  }

  @Test
  void syntaxErrorsAreRefusedAtRegistrationWithTheLine() throws Exception {
    TestNode.Reply py =
        n.register("bad_py", "python", "def bad_py(cb):\n    return 1\n  x = = 2\n");
    assertThat(py.status()).isEqualTo(400);
    assertThat(py.errorCode()).isEqualTo("BAD_REQUEST");
    assertThat(py.errorMessage()).contains("line 3");

    TestNode.Reply js =
        n.register("bad_js", "javascript", "function bad_js(cb) {\n  return 1 +;\n}");
    assertThat(js.status()).isEqualTo(400);
    assertThat(js.errorMessage()).contains("line 2");

    TestNode.Reply missing = n.register("no_entry", "python", "def something_else(cb): return 1");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.errorMessage()).contains("no_entry");
    assertThat(n.get("/v1/functions/bad_py").status()).isEqualTo(404);
  }

  @Test
  void runawayCodeTimesOutAndTheNextCallSucceeds() throws Exception {
    String src = "def spin(cb, forever):\n    while forever:\n        pass\n    return 'done'\n";
    assertThat(n.register("spin", "python", src).status()).isEqualTo(201);
    long t0 = System.nanoTime();
    TestNode.Reply r =
        n.post(
            "/v1/functions/spin/invoke",
            new JsonObject().put("args", new JsonArray().add(true)).put("timeout_ms", 1000));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.status()).as(r.body()).isEqualTo(504);
    assertThat(r.errorCode()).isEqualTo("TIMEOUT");
    assertThat(ms).isBetween(900L, 10_000L);
    assertThat(n.invoke("spin", false).json().getString("result")).isEqualTo("done");

    assertThat(
            n.register(
                    "jsspin", "javascript", "function jsspin(cb, f) { while (f) {} return 'done' }")
                .status())
        .isEqualTo(201);
    TestNode.Reply j =
        n.post(
            "/v1/functions/jsspin/invoke",
            new JsonObject().put("args", new JsonArray().add(true)).put("timeout_ms", 1000));
    assertThat(j.errorCode()).isEqualTo("TIMEOUT");
    assertThat(n.invoke("jsspin", false).json().getString("result")).isEqualTo("done");
  }

  @Test
  void theSandboxRefusesFilesSocketsProcessesThreadsAndHostClasses() throws Exception {
    String[][] cases = {
      {"iso_file", "def iso_file(cb): return open('/etc/passwd').read()"},
      {"iso_listdir", "import os\ndef iso_listdir(cb): return os.listdir('/')"},
      {
        "iso_socket",
        "def iso_socket(cb):\n    import socket\n    s = socket.socket()\n    s.connect(('127.0.0.1', 22))\n    return 'connected'"
      },
      {"iso_proc", "import os\ndef iso_proc(cb): return os.system('echo hi')"},
      {
        "iso_subproc",
        "def iso_subproc(cb):\n    import subprocess\n    return subprocess.run(['ls']).returncode"
      },
      {
        "iso_thread",
        "import threading\ndef iso_thread(cb):\n    t = threading.Thread(target=print)\n    t.start()\n    return 'started'"
      },
      {
        "iso_java",
        "import java\ndef iso_java(cb): return str(java.type('java.lang.System').getProperty('user.home'))"
      },
    };
    for (String[] c : cases) {
      TestNode.Reply reg = n.register(c[0], "python", c[1]);
      TestNode.Reply r = reg.status() == 201 ? n.invoke(c[0]) : reg;
      assertThat(r.status()).as(c[0] + ": " + r.body()).isIn(400, 422);
      assertThat(r.body()).as(c[0]).doesNotContain("root:x:0").doesNotContain("\"result\"");
      assertThat(r.errorMessage()).as(c[0]).isNotBlank();
    }
    String[][] js = {
      {
        "iso_require",
        "function iso_require(cb) { return require('fs').readFileSync('/etc/passwd', 'utf8') }"
      },
      {
        "iso_jtype",
        "function iso_jtype(cb) { return Java.type('java.lang.System').getProperty('user.home') }"
      },
      {"iso_load", "function iso_load(cb) { load('/etc/passwd'); return 'loaded' }"},
    };
    for (String[] c : js) {
      TestNode.Reply reg = n.register(c[0], "javascript", c[1]);
      TestNode.Reply r = reg.status() == 201 ? n.invoke(c[0]) : reg;
      assertThat(r.status()).as(c[0] + ": " + r.body()).isIn(400, 422);
      assertThat(r.body()).as(c[0]).doesNotContain("\"result\"");
    }
  }

  @Test
  void printedOutputTravelsWithTheResult() throws Exception {
    assertThat(
            n.register("talk", "python", "def talk(cb, x):\n    print('hello', x)\n    return x")
                .status())
        .isEqualTo(201);
    TestNode.Reply r = n.invoke("talk", 7);
    assertThat(r.json().getLong("result")).isEqualTo(7L);
    assertThat(r.json().getString("logs")).contains("hello 7");
  }

  @Test
  void valuesCrossTheBoundaryBothWays() throws Exception {
    assertThat(n.register("echo_py", "python", "def echo_py(cb, v): return v").status())
        .isEqualTo(201);
    assertThat(n.register("echo_js", "javascript", "function echo_js(cb, v) { return v }").status())
        .isEqualTo(201);
    JsonObject value =
        new JsonObject()
            .put("list", new JsonArray().add(1).add("two").add(3.5).addNull().add(true))
            .put("nested", new JsonObject().put("k", "v"))
            .put("bytes", new JsonObject().put("$bytes", "AAEC"));
    for (String f : new String[] {"echo_py", "echo_js"}) {
      TestNode.Reply r =
          n.post(
              "/v1/functions/" + f + "/invoke",
              new JsonObject().put("args", new JsonArray().add(value)));
      assertThat(r.status()).as(f + ": " + r.body()).isEqualTo(200);
      assertThat(r.json().getJsonObject("result")).as(f).isEqualTo(value);
    }
  }

  @Test
  void badInputGetsItsCode() throws Exception {
    assertThat(n.register("x1", "cobol", "x").errorCode()).isEqualTo("BAD_REQUEST");
    assertThat(n.register("", "python", "def f(cb): return 1").errorCode())
        .isEqualTo("BAD_REQUEST");
    assertThat(n.register("x".repeat(1000), "python", "def f(cb): return 1").errorCode())
        .isEqualTo("BAD_REQUEST");
    assertThat(n.send("POST", "/v1/functions", "{not json").errorCode()).isEqualTo("BAD_REQUEST");
    assertThat(n.send("POST", "/v1/functions", "{\"name\": 5}").errorCode())
        .isEqualTo("BAD_REQUEST");
    TestNode.Reply huge =
        n.send(
            "POST",
            "/v1/functions",
            "{\"name\":\"big\",\"language\":\"python\",\"source\":\""
                + "#".repeat(10 << 20)
                + "\"}");
    assertThat(huge.status()).isEqualTo(413);
    assertThat(huge.errorCode()).isEqualTo("PAYLOAD_TOO_LARGE");
    assertThat(n.send("POST", "/v1/functions/sq1/invoke", "{\"args\": \"nope\"}").errorCode())
        .isEqualTo("BAD_REQUEST");
  }
}
