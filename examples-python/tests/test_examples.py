"""The composition examples (examples/gossip.py, examples/pipeline.py) against a live node."""
import importlib.util
import os
import unittest

from tests.support import FEATURES, RUN, connect

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load(name):
    """Imports examples/<name>.py without running its __main__ part."""
    spec = importlib.util.spec_from_file_location("example_" + name, os.path.join(HERE, "examples", name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@unittest.skipUnless("dags" in FEATURES, "DAGs not enabled: add 'dags' to CLOUDBURST_FEATURES")
class ExamplesTest(unittest.TestCase):
    def setUp(self):
        self.cloud = connect()

    def tearDown(self):
        self.cloud.close()

    def test_gossip_peers_converge_on_the_mean(self):
        estimates = load("gossip").run(self.cloud, [1, 5, 9, 25], suffix="_" + RUN, rounds=3)
        self.assertEqual(len(estimates), 4)
        for name, estimate in estimates.items():
            self.assertAlmostEqual(estimate, 10.0, places=9, msg=name)

    def test_pipeline_runs_both_models_and_averages_them(self):
        out = load("pipeline").run(self.cloud, [3, 7, 1, 9], suffix="_" + RUN)
        # preprocess: [0.25, 0.75, 0.0, 1.0]; linear: 0.125 + 0.1875 + 0 + 0.125; mean: 0.5
        self.assertAlmostEqual(out["linear"], 0.4375)
        self.assertAlmostEqual(out["mean"], 0.5)
        self.assertAlmostEqual(out["ensemble"], 0.46875)

    def test_an_atomic_bank_transfer_moves_money_once_and_never_half(self):
        out = load("bank_transfer").run(self.cloud, suffix="_" + RUN)
        self.assertEqual(out["after_transfer"], {"alice": 70, "bob": 30, "carol": None})
        self.assertEqual(out["after_retry"], {"alice": 70, "bob": 30, "carol": None})
        self.assertEqual(out["refused"], "EXECUTION_ERROR")
        self.assertEqual(out["after_refused"], {"alice": 70, "bob": 30, "carol": None})


if __name__ == "__main__":
    unittest.main()
