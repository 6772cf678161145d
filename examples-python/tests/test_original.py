"""The original Cloudburst's client scenarios, written its way, against a live node.

Each test uses the original's import paths and calls (``CloudburstConnection(host, ip,
local=True)``, ``register_dag`` pairs, ``CloudburstReference(key, True)``, class functions,
futures as arguments, ``getid()``) and names made unique to this run.
"""
import contextlib
import io
import unittest
import urllib.parse

from cloudburst.client.client import CloudburstConnection
from cloudburst.shared.proto.cloudburst_pb2 import (
    DAG_ALREADY_EXISTS,
    DAG_NOT_FOUND,
    EXECUTION_ERROR,
    FUNC_NOT_FOUND,
    NO_SUCH_DAG,
    CloudburstError,
)
from cloudburst.shared.reference import CloudburstReference
from tests.support import FEATURES, TIMEOUT, URL, unique

CALL_TIMEOUT = 60


def original_connection():
    """A connection made the original's way: host:port, the client's ip, local mode."""
    return CloudburstConnection(urllib.parse.urlsplit(URL).netloc, "127.0.0.1", tid=1, local=True, timeout=TIMEOUT)


class Adder:
    """A class function: built once per context with its init arguments, ``run`` per call."""

    inits = 0

    def __init__(self, cloudburst, base, tags):
        Adder.inits += 1
        self.base = base
        self.tags = tags

    def run(self, cloudburst, x):
        return [self.base + x, Adder.inits, sorted(self.tags)]


class Hello:
    def __init__(self, cloudburst):
        self.greeting = "hello"

    def run(self, cloudburst, who):
        return "%s %s" % (self.greeting, who)


class OriginalScenariosTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cloud = original_connection()
        cls.sq = unique("orig_square")
        cls.incr = unique("orig_incr")
        cls.cloud_sq = cls.cloud.register(lambda _, x: x * x, cls.sq)
        cls.cloud_incr = cls.cloud.register(lambda cloudburst, x: x + 1, cls.incr)

    @classmethod
    def tearDownClass(cls):
        cls.cloud.close()

    def test_registered_lambda_is_called_through_its_future(self):
        self.assertEqual(self.cloud_sq(2).get(), 4)
        self.assertEqual(self.cloud_sq.name, self.sq)

    def test_future_passed_as_an_argument_is_its_result(self):
        self.assertEqual(self.cloud_sq(self.cloud_incr(1)).get(timeout=CALL_TIMEOUT), 4)
        self.assertEqual(self.cloud_sq(self.cloud_sq(self.cloud_incr(1))).get(timeout=CALL_TIMEOUT), 16)

    def test_future_of_a_failed_call_passed_on_raises_its_error(self):
        boom = self.cloud.register(lambda cloudburst, x: x / 0, unique("orig_boom"))
        with self.assertRaises(CloudburstError) as caught:
            self.cloud_sq(boom(1))
        self.assertEqual(caught.exception.error, EXECUTION_ERROR)
        self.assertIsInstance(caught.exception, RuntimeError)

    def test_get_function_returns_a_callable_or_none(self):
        fn = self.cloud.get_function(self.incr)
        self.assertEqual(fn(41).get(timeout=CALL_TIMEOUT), 42)
        self.assertIsNone(self.cloud.get_function(unique("orig_absent")))

    def test_list_prints_and_returns_the_names_with_a_prefix(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            names = self.cloud.list(self.sq)
        self.assertEqual(names, [self.sq])
        self.assertEqual(out.getvalue(), self.sq + "\n")
        with contextlib.redirect_stdout(io.StringIO()):
            self.assertIn(self.incr, self.cloud.list())

    def test_class_function_is_built_once_per_context_with_its_init_args(self):
        adder = self.cloud.register((Adder, (10, {"b", "a"})), unique("orig_adder"))
        results = [adder(i).get(timeout=CALL_TIMEOUT) for i in range(5)]
        self.assertEqual([r[0] for r in results], [10, 11, 12, 13, 14])
        self.assertEqual({r[1] for r in results}, {1})  # one instance per context, never rebuilt per call
        self.assertEqual(results[0][2], ["a", "b"])
        hello = self.cloud.register(Hello, unique("orig_hello"))
        self.assertEqual(hello("cloud").get(timeout=CALL_TIMEOUT), "hello cloud")

    def test_class_function_needs_run_and_literal_init_args(self):
        with self.assertRaises(TypeError):
            self.cloud.register((CloudburstReference, ("k",)), unique("orig_no_run"))
        with self.assertRaises(TypeError):
            self.cloud.register((Adder, (object(), [])), unique("orig_bad_args"))

    def test_getid_is_the_invocation_id_in_python_and_javascript(self):
        py = self.cloud.register(lambda cloudburst: [cloudburst.getid(), cloudburst.id()], unique("orig_getid"))
        future = py()
        self.assertEqual(future.get(timeout=CALL_TIMEOUT), [future.id, future.id])
        js = self.cloud.register("function g(cb) { return [cb.getid(), cb.id()] }", unique("orig_getid_js"),
                                 language="javascript", entrypoint="g")
        future = js()
        self.assertEqual(future.get(timeout=CALL_TIMEOUT), [future.obj_id, future.obj_id])

    def test_unknown_function_is_func_not_found(self):
        with self.assertRaises(CloudburstError) as caught:
            self.cloud.exec_func(unique("orig_missing"), [1])
        self.assertEqual(caught.exception.error, FUNC_NOT_FOUND)
        self.assertEqual(CloudburstError.Name(caught.exception.error), "FUNC_NOT_FOUND")

    def test_error_names_and_numbers_are_the_originals(self):
        self.assertEqual((FUNC_NOT_FOUND, EXECUTION_ERROR, NO_SUCH_DAG, DAG_ALREADY_EXISTS), (1, 3, 4, 6))
        self.assertEqual(DAG_NOT_FOUND, NO_SUCH_DAG)
        self.assertEqual(CloudburstError.Name(DAG_ALREADY_EXISTS), "DAG_ALREADY_EXISTS")
        self.assertEqual(CloudburstError.Name(4), "NO_SUCH_DAG")
        self.assertEqual(CloudburstError.Value("NO_ERROR"), 0)
        self.assertEqual(CloudburstError.DAG_ALREADY_EXISTS, 6)
        with self.assertRaises(ValueError):
            CloudburstError.Name(99)


@unittest.skipUnless("dags" in FEATURES, "DAGs not enabled: add 'dags' to CLOUDBURST_FEATURES")
class OriginalDagsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cloud = original_connection()
        cls.sq = unique("orig_dag_square")
        cls.cloud.register(lambda _, x: x * x, cls.sq)

    @classmethod
    def tearDownClass(cls):
        cls.cloud.close()

    def test_register_call_and_delete_a_dag(self):
        dag = unique("orig_dag")
        self.assertEqual(self.cloud.register_dag(dag, [self.sq], []), (True, 0))
        success, error = self.cloud.register_dag(dag, [self.sq], [])
        self.assertFalse(success)
        self.assertEqual(CloudburstError.Name(error), "DAG_ALREADY_EXISTS")
        self.assertEqual(self.cloud.call_dag(dag, {self.sq: [2]}).get(timeout=CALL_TIMEOUT), 4)
        self.assertEqual(self.cloud.call_dag(dag, {self.sq: [3]}, True).get(timeout=0), 9)
        self.assertEqual(self.cloud.delete_dag(dag), (True, 0))
        self.assertEqual(self.cloud.delete_dag(dag), (False, NO_SUCH_DAG))


@unittest.skipUnless("kvs" in FEATURES, "the key-value store not enabled: add 'kvs' to CLOUDBURST_FEATURES")
class OriginalKvsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cloud = original_connection()

    @classmethod
    def tearDownClass(cls):
        cls.cloud.close()

    def test_reference_with_deserialize_flag_is_resolved(self):
        key = unique("orig_ref")
        self.cloud.put_object(key, 7)
        sq = self.cloud.register(lambda _, x: x * x, unique("orig_ref_square"))
        self.assertEqual(sq(CloudburstReference(key, True)).get(timeout=CALL_TIMEOUT), 49)

    def test_put_then_get_object(self):
        key = unique("orig_obj")
        self.assertTrue(self.cloud.put_object(key, {"a": [1, 2]}))
        self.assertEqual(self.cloud.get_object(key), {"a": [1, 2]})

    def test_a_python_set_is_stored_as_a_set_lattice_that_merges(self):
        key = unique("orig_set")
        self.cloud.put_object(key, {1, 2})
        self.cloud.put_object(key, {3})
        self.assertEqual(sorted(self.cloud.get_object(key)), [1, 2, 3])

    def test_function_reads_and_writes_the_store_through_the_user_library(self):
        key = unique("orig_lib")

        def bump(cloudburst, key):
            cloudburst.put(key, (cloudburst.get(key) or 0) + 1)
            return cloudburst.get(key)

        fn = self.cloud.register(bump, unique("orig_bump"))
        self.assertEqual(fn(key).get(timeout=CALL_TIMEOUT), 1)
        self.assertEqual(fn(key).get(timeout=CALL_TIMEOUT), 2)
        self.assertEqual(self.cloud.get_object(key), 2)


if __name__ == "__main__":
    unittest.main()
