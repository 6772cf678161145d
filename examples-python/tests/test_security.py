"""The client never unpickles what a node sends: a pickle runs code of its maker's choosing when loaded.

Offline tests feed a malicious pickle (its ``__reduce__`` creates a marker file) through every
path a node's answer takes into the client, from a scripted HTTP server; a live test stores one
in the key-value store of the node under test and reads it back.
"""
import ast
import base64
import json
import os
import pickle
import tempfile
import unittest

import cloudburst
from cloudburst import CloudburstConnection, CloudburstError, Pickled, from_wire
from tests.support import FEATURES, connect, unique
from tests.test_transport import ScriptedServer

PACKAGE = os.path.dirname(os.path.abspath(cloudburst.__file__))
# Modules whose loading of data can run code.
UNSAFE = {"pickle", "_pickle", "cPickle", "cloudpickle", "dill", "marshal", "shelve"}


class Exploit:
    """Creates the file ``path`` when unpickled."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return open, (self.path, "w")


def http_json(status, body):
    data = json.dumps(body).encode()
    return b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (status, len(data), data)


class MaliciousPickleTest(unittest.TestCase):
    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.marker = os.path.join(folder.name, "pwned")
        self.data = pickle.dumps(Exploit(self.marker))
        self.wire = {"$pickle": base64.b64encode(self.data).decode()}

    def test_the_payload_is_live_when_unpickled(self):
        # The control: loading this payload does create the marker, so the tests below can fail.
        probe = self.marker + ".probe"
        pickle.loads(pickle.dumps(Exploit(probe))).close()
        self.assertTrue(os.path.exists(probe))

    def test_from_wire_keeps_the_pickle_opaque(self):
        value = from_wire({"nested": [self.wire]})
        self.assertEqual(value, {"nested": [Pickled(self.data)]})
        self.assertIn("not unpickled", repr(value["nested"][0]))
        self.assertFalse(os.path.exists(self.marker))

    def test_results_and_stored_values_from_a_node_are_never_unpickled(self):
        server = ScriptedServer([
            http_json(200, {"value": self.wire}),                                           # get_object
            http_json(200, {"id": "c-1", "status": "done", "result": self.wire}),          # direct response
            http_json(202, {"id": "c-2", "status": "pending"}),                            # async call ...
            http_json(200, {"id": "c-2", "status": "done", "result": {"list": [self.wire]}}),  # ... its poll
            http_json(200, self.wire),                                                     # echo
        ])
        self.addCleanup(server.close)
        cloud = CloudburstConnection("127.0.0.1:%d" % server.port, timeout=5)
        self.addCleanup(cloud.close)
        self.assertEqual(cloud.get_object("k"), Pickled(self.data))
        self.assertEqual(cloud.exec_func("f", [], direct_response=True).get(), Pickled(self.data))
        self.assertEqual(cloud.exec_func("f", []).get(timeout=5), {"list": [Pickled(self.data)]})
        self.assertEqual(cloud.echo(1), Pickled(self.data))
        self.assertFalse(os.path.exists(self.marker))

    def test_the_client_package_imports_no_deserializer_that_runs_code(self):
        for folder, _, files in os.walk(PACKAGE):
            for name in (n for n in files if n.endswith(".py")):
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    tree = ast.parse(f.read())
                for node in ast.walk(tree):
                    if isinstance(node, ast.Import):
                        modules = [a.name for a in node.names]
                    elif isinstance(node, ast.ImportFrom):
                        modules = [node.module or ""]
                    else:
                        continue
                    for module in modules:
                        self.assertNotIn(module.split(".")[0], UNSAFE, "%s imports %s" % (name, module))


@unittest.skipUnless("kvs" in FEATURES, "the key-value store not enabled: add 'kvs' to CLOUDBURST_FEATURES")
class PickledValuesLiveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cloud = connect()

    @classmethod
    def tearDownClass(cls):
        cls.cloud.close()

    def test_a_stored_malicious_pickle_reads_back_unloaded(self):
        with tempfile.TemporaryDirectory() as folder:
            marker = os.path.join(folder, "pwned")
            key = unique("k_pickle")
            self.cloud.put_object(key, Pickled(pickle.dumps(Exploit(marker))))
            value = self.cloud.get_object(key)
            self.assertIsInstance(value, Pickled)
            self.assertEqual(value.data, pickle.dumps(Exploit(marker)))
            self.assertFalse(os.path.exists(marker))

    def test_a_python_object_a_function_stores_comes_back_pickled_and_goes_back_as_itself(self):
        def store_set(cloudburst, key, n):
            cloudburst.put(key, set(range(n)))
            return n

        def size(cloudburst, s):
            return [type(s).__name__, len(s)]

        key = unique("stored_set")
        self.assertEqual(self.cloud.register(store_set, unique("store_set"))(key, 3).get(timeout=60), 3)
        made = self.cloud.get_object(key)
        self.assertIsInstance(made, Pickled)
        sized = self.cloud.register(size, unique("set_size"))
        self.assertEqual(sized(made).get(timeout=60), ["set", 3])

    def test_a_result_outside_the_value_model_is_an_execution_error_and_a_set_a_list(self):
        def make_object(cloudburst):
            return object()

        def make_set(cloudburst, n):
            return set(range(n))

        with self.assertRaises(CloudburstError) as caught:
            self.cloud.register(make_object, unique("make_object"))().get(timeout=60)
        self.assertEqual(caught.exception.code, "EXECUTION_ERROR")
        self.assertIn("not a Cloudburst value", str(caught.exception))
        self.assertEqual(self.cloud.register(make_set, unique("make_set"))(3).get(timeout=60), [0, 1, 2])


if __name__ == "__main__":
    unittest.main()
