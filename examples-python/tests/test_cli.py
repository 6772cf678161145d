"""The client commands of ./cloudburst (deploy, call, dag, logs, kv) against a live node."""
import json
import os
import subprocess
import tempfile
import unittest

from tests.support import FEATURES, RUN, URL

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "cloudburst")


def cli(*args, check=True):
    """Runs ./cloudburst with ARGS against the node under test; returns (exit code, stdout, stderr)."""
    env = dict(os.environ, CLOUDBURST_URL=URL)
    p = subprocess.run([SCRIPT, *args], capture_output=True, text=True, env=env, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError("%s exited %d: %s" % (" ".join(args), p.returncode, p.stderr))
    return p.returncode, p.stdout, p.stderr


@unittest.skipUnless({"dags", "kvs"} <= FEATURES, "needs DAGs and the KVS: add 'dags,kvs' to CLOUDBURST_FEATURES")
class CliTest(unittest.TestCase):
    def test_deploy_call_logs_dag_and_kv_from_the_command_line(self):
        with tempfile.TemporaryDirectory() as d:
            py = os.path.join(d, "cli_incr_%s.py" % RUN)
            with open(py, "w") as f:
                f.write("def cli_incr_%s(cloudburst, x):\n    print('incrementing', x)\n    return x + 1\n" % RUN)
            js = os.path.join(d, "double.js")
            with open(js, "w") as f:
                f.write("function double(cb, x) { return 2 * x }\n")
            incr = "cli_incr_%s" % RUN
            double = "cli_double_%s" % RUN
            self.assertEqual(json.loads(cli("deploy", py)[1])["name"], incr)
            deployed = json.loads(cli("deploy", js, "--name", double, "--entrypoint", "double")[1])
            self.assertEqual((deployed["language"], deployed["version"]), ("javascript", 1))

        self.assertEqual(json.loads(cli("call", incr, "41")[1]), 42)
        logs = cli("logs", incr)[1]
        self.assertIn("incrementing 41", logs)

        dag = "cli_dag_%s" % RUN
        cli("dag", "create", dag, "--functions", "%s,%s" % (incr, double), "--connect", "%s:%s" % (incr, double))
        self.assertEqual(json.loads(cli("dag", "call", dag, "--args", json.dumps({incr: [4]}))[1]), 10)

        key = "cli_key_%s" % RUN
        cli("kv", "put", key, "[1, 2]", "--lattice", "set")
        cli("kv", "put", key, "3", "--lattice", "set")
        self.assertEqual(json.loads(cli("kv", "get", key)[1]), [1, 2, 3])
        # A reference to an absent key resolves to null: None + 1 raises in the function, exit 1.
        code, _, err = cli("call", incr, json.dumps({"$ref": "cli_absent_n_" + RUN}), check=False)
        self.assertEqual(code, 1)
        self.assertIn("EXECUTION_ERROR", err)

    def test_errors_exit_non_zero_with_the_code(self):
        code, _, err = cli("call", "cli_no_such_function_%s" % RUN, check=False)
        self.assertEqual(code, 1)
        self.assertIn("FUNC_NOT_FOUND", err)
        code, _, err = cli("kv", "get", "cli_absent_%s" % RUN, check=False)
        self.assertEqual(code, 1)
        code, out, _ = cli("dag", "create", "--help")
        self.assertIn("--functions", out)


if __name__ == "__main__":
    unittest.main()
