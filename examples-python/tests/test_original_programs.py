"""The programs of original/, written for the original Cloudburst, run unchanged against a live node.

They use fixed names (incr, square, sleep, composition, scaling, dag) as the original's did:
reruns register new versions of the same functions, and the scaling DAG is deleted before the
program creates it again.
"""
import contextlib
import importlib.util
import io
import os
import unittest
import urllib.parse

from cloudburst.client.client import CloudburstConnection
from tests.support import FEATURES, TIMEOUT, URL

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load(name):
    """Imports original/<name>.py without running its __main__ part."""
    spec = importlib.util.spec_from_file_location("original_" + name, os.path.join(HERE, "original", name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@unittest.skipUnless({"dags", "kvs"} <= FEATURES, "needs DAGs and the KVS: add 'dags,kvs' to CLOUDBURST_FEATURES")
class OriginalProgramsTest(unittest.TestCase):
    def setUp(self):
        self.client = CloudburstConnection(urllib.parse.urlsplit(URL).netloc, "127.0.0.1", local=True,
                                           timeout=TIMEOUT)
        self.out = io.StringIO()

    def tearDown(self):
        self.client.close()

    def run_quietly(self, fn, *args):
        with contextlib.redirect_stdout(self.out):
            return fn(*args)

    def test_composition_driver_runs_its_dag_on_a_reference(self):
        composition = load("composition")
        for _ in range(2):  # a rerun finds the DAG registered and goes on
            total, scheduler, kvs, retries = self.run_quietly(composition.run, self.client, 5)
            self.assertEqual((len(total), len(scheduler), len(kvs), retries), (5, 5, 5, 0))
        self.assertIn("Successfully tested functions!", self.out.getvalue())
        self.assertEqual(self.client.get_object("composition-input"), 4)

    def test_scaling_driver_creates_then_calls_with_direct_responses(self):
        scaling = load("scaling")
        self.client.delete_dag("scaling")
        self.assertEqual(self.run_quietly(scaling.run, self.client, 0, True), ([], 0))
        total, answered = self.run_quietly(scaling.run, self.client, 4, False)
        self.assertEqual((len(total), answered), (4, 4))
        self.assertTrue(all(t >= 0.05 for t in total), total)  # each call slept 50 ms on the node
        self.assertIn("Successfully registered sleep function.", self.out.getvalue())

    def test_readme_session_prints_four_twice_and_reruns(self):
        readme = load("readme")
        netloc = urllib.parse.urlsplit(URL).netloc
        self.run_quietly(readme.main, netloc)
        self.run_quietly(readme.main, netloc)
        self.assertEqual(self.out.getvalue(), "4\n4\n4\n4\n")


if __name__ == "__main__":
    unittest.main()
