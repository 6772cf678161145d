package io.cloudburst.runtime;

import static io.cloudburst.runtime.ExecutorHarness.fn;
import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.SchedulerReply.FunctionInfo;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a function returns must be a Cloudburst value: anything else is the function's
 * EXECUTION_ERROR, named by its type (a Python set, frozenset or tuple becomes a list), and a
 * function that breaks the encoding of its own result fails with EXECUTION_ERROR, never with the
 * caller's BAD_REQUEST. Python objects passed in as pickles (and put in the store) stay
 * Python-private.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ResultValuesTest {
  private static ExecutorHarness h;

  @BeforeAll
  static void deploy() throws Exception {
    h = ExecutorHarness.start(new JsonObject());
  }

  @AfterAll
  static void close() throws Exception {
    h.close();
  }

  private static CallResult call(FunctionInfo f, Object... args) throws Exception {
    return h.execute(f, 20_000, args).await(60, TimeUnit.SECONDS);
  }

  private static void assertNotAValue(CallResult r, String type) {
    assertThat(r.code()).as(String.valueOf(r)).isEqualTo(ErrorCode.EXECUTION_ERROR);
    assertThat(r.errorMessage()).isEqualTo("the result is not a Cloudburst value: " + type);
  }

  @Test
  void pythonResultsOutsideTheValueModelAreNamedExecutionErrors() throws Exception {
    FunctionInfo f =
        fn(
            "py_bad",
            "python",
            """
        def py_bad(c, which):
            if which == 'object':
                return object()
            if which == 'function':
                return py_bad
            if which == 'nested':
                return {'ok': [1, 2], 'bad': [object()]}
            return {1: 'int key'}
        """);
    assertNotAValue(call(f, "object"), "object");
    assertNotAValue(call(f, "function"), "function");
    assertNotAValue(call(f, "nested"), "object");
    assertNotAValue(call(f, "key"), "dict with a key of type int");
  }

  @Test
  void pythonSetsFrozensetsAndTuplesComeBackAsLists() throws Exception {
    FunctionInfo f =
        fn(
            "py_sets",
            "python",
            "def py_sets(c):\n return {'s': {3, 1, 2}, 'f': frozenset(['b', 'a']), 't': (1, (2, 3))}\n");
    CallResult r = call(f);
    assertThat(r.result())
        .as(String.valueOf(r))
        .isEqualTo(
            Map.of(
                "s",
                List.of(1L, 2L, 3L),
                "f",
                List.of("a", "b"),
                "t",
                List.of(1L, List.of(2L, 3L))));
    FunctionInfo top = fn("py_set", "python", "def py_set(c):\n return {5, 4}\n");
    assertThat(call(top).result()).isEqualTo(List.of(4L, 5L));
    FunctionInfo subclasses =
        fn(
            "py_subclasses",
            "python",
            """
        import collections, enum
        class Size(enum.IntEnum):
            BIG = 3
        def py_subclasses(c):
            p = collections.namedtuple('P', 'x y')(1, 2)
            return [collections.OrderedDict(a=Size.BIG), collections.defaultdict(list, b=[p])]
        """);
    CallResult r2 = call(subclasses);
    assertThat(r2.result())
        .as(String.valueOf(r2))
        .isEqualTo(List.of(Map.of("a", 3L), Map.of("b", List.of(List.of(1L, 2L)))));
  }

  @Test
  void aPickledPythonObjectPassedToAPythonFunctionStillArrivesAsItself() throws Exception {
    // pickle.dumps({'a', 'b'}, 2): what a Python client sends for a set it passes (its own pickle)
    int[] set = {
      128, 2, 99, 95, 95, 98, 117, 105, 108, 116, 105, 110, 95, 95, 10, 115, 101, 116, 10, 113, 0,
      93, 113, 1, 40, 88, 1, 0, 0, 0, 98, 113, 2, 88, 1, 0, 0, 0, 97, 113, 3, 101, 133, 113, 4, 82,
      113, 5, 46
    };
    byte[] bytes = new byte[set.length];
    for (int i = 0; i < set.length; i++) {
      bytes[i] = (byte) set[i];
    }
    FunctionInfo f =
        fn("py_arg", "python", "def py_arg(c, v):\n return [type(v).__name__, sorted(v)]\n");
    CallResult r = call(f, new io.cloudburst.bus.value.Pickled(bytes));
    assertThat(r.result()).as(String.valueOf(r)).isEqualTo(List.of("set", List.of("a", "b")));
  }

  @Test
  void javascriptFunctionsSymbolsBigIntsAndMapsAreNamedExecutionErrorsAndSetsBecomeLists()
      throws Exception {
    FunctionInfo f =
        fn(
            "js_bad",
            "javascript",
            """
        function js_bad(c, which) {
          if (which === 'function') return () => 1;
          if (which === 'symbol') return Symbol('s');
          if (which === 'bigint') return 10n;
          if (which === 'nested') return { ok: 1, bad: [function () {}] };
          if (which === 'map') return new Map([['a', 1]]);
          return { s: new Set([1, 2]) };
        }
        """);
    assertNotAValue(call(f, "function"), "function");
    assertNotAValue(call(f, "symbol"), "Symbol");
    assertNotAValue(call(f, "bigint"), "BigInt");
    assertNotAValue(call(f, "nested"), "function");
    assertNotAValue(call(f, "map"), "Map");
    assertThat(call(f, "set").result()).isEqualTo(Map.of("s", List.of(1L, 2L)));
  }

  @Test
  void rebindingTheJsonEncoderDoesNotChangeHowResultsAreEncoded() throws Exception {
    FunctionInfo py =
        fn(
            "py_rebind",
            "python",
            """
        import json
        json.dumps = lambda *a, **k: 'not json {'
        _encode = lambda v: 'not json {'
        def py_rebind(c):
            return {'a': [1, 2]}
        """);
    assertThat(call(py).result()).isEqualTo(Map.of("a", List.of(1L, 2L)));
    FunctionInfo js =
        fn(
            "js_rebind",
            "javascript",
            """
        JSON.stringify = () => 'not json {';
        Number.isFinite = () => true;
        function js_rebind(c) { return { a: [1, 2] }; }
        """);
    assertThat(call(js).result()).isEqualTo(Map.of("a", List.of(1L, 2L)));
  }

  @Test
  void aFunctionThatBreaksItsOwnResultEncodingFailsWithExecutionError() throws Exception {
    FunctionInfo py =
        fn(
            "py_break",
            "python",
            """
        import json
        json.JSONEncoder.iterencode = lambda self, o, _one_shot=False: ['not json {']
        def py_break(c):
            return {'a': 1}
        """);
    CallResult r = call(py);
    assertThat(r.code()).as(String.valueOf(r)).isEqualTo(ErrorCode.EXECUTION_ERROR);
    assertThat(r.errorMessage()).startsWith("the function's result could not be encoded");
    FunctionInfo js =
        fn(
            "js_break",
            "javascript",
            "function js_break(c) { return { toJSON() { return undefined; } }; }");
    CallResult j = call(js);
    assertThat(j.code()).as(String.valueOf(j)).isEqualTo(ErrorCode.EXECUTION_ERROR);
    assertThat(j.errorMessage()).startsWith("the function's result could not be encoded");
  }
}
