"""The client commands of ./cloudburst (deploy, call, list, rm, dag, logs, kv, status) against a live node."""
import json
import os
import subprocess
import tempfile
import unittest

from tests.support import FEATURES, RUN, URL

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "cloudburst")


def cli(*args, check=True, cwd=None):
    """Runs ./cloudburst with ARGS (in folder ``cwd``) against the node under test; returns (exit code, stdout, stderr)."""
    env = dict(os.environ, CLOUDBURST_URL=URL)
    p = subprocess.run([SCRIPT, *args], capture_output=True, text=True, env=env, timeout=120, cwd=cwd)
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

    def test_deploy_reads_paths_from_the_callers_folder_and_names_a_missing_file(self):
        name = "cli_rel_%s" % RUN
        with tempfile.TemporaryDirectory() as d:
            os.mkdir(os.path.join(d, "src"))
            with open(os.path.join(d, "src", name + ".py"), "w") as f:
                f.write("def %s(cloudburst):\n    return 'from the caller'\n" % name)
            self.assertEqual(json.loads(cli("deploy", os.path.join("src", name + ".py"), cwd=d)[1])["name"], name)
            code, out, err = cli("deploy", os.path.join("src", "absent.py"), cwd=d, check=False)
        self.assertEqual(json.loads(cli("call", name)[1]), "from the caller")
        self.assertEqual((code, out), (2, ""))
        self.assertIn("no such file: %s" % os.path.join("src", "absent.py"), err)
        self.assertNotIn("cannot reach", err)

    def test_list_rm_and_dag_delete(self):
        prefix = "cli_ls_%s" % RUN
        with tempfile.TemporaryDirectory() as d:
            for suffix in ("a", "b"):
                with open(os.path.join(d, "%s_%s.py" % (prefix, suffix)), "w") as f:
                    f.write("def %s_%s(cloudburst, x):\n    return x\n" % (prefix, suffix))
                cli("deploy", "%s_%s.py" % (prefix, suffix), cwd=d)
        a, b = prefix + "_a", prefix + "_b"
        self.assertEqual([line.split("\t") for line in cli("list", prefix)[1].splitlines()],
                         [[a, "v1", "python"], [b, "v1", "python"]])
        self.assertEqual({f["name"] for f in json.loads(cli("list", "--json")[1])} & {a, b}, {a, b})

        dag = "cli_del_dag_%s" % RUN
        cli("dag", "create", dag, "--functions", "%s,%s" % (a, b), "--connect", "%s:%s" % (a, b))
        code, _, err = cli("rm", a, check=False)  # a DAG uses it
        self.assertEqual(code, 1)
        self.assertIn("CONFLICT", err)
        self.assertIn("deleted DAG %s" % dag, cli("dag", "delete", dag)[1])
        code, _, err = cli("dag", "call", dag, "--args", json.dumps({a: [1]}), check=False)
        self.assertEqual(code, 1)
        self.assertIn("DAG_NOT_FOUND", err)
        code, _, err = cli("dag", "delete", dag, check=False)
        self.assertEqual(code, 1)
        self.assertIn("DAG_NOT_FOUND", err)

        self.assertIn("deleted %s" % a, cli("rm", a)[1])
        self.assertEqual([line.split("\t")[0] for line in cli("list", prefix)[1].splitlines()], [b])
        code, _, err = cli("rm", a, check=False)
        self.assertEqual(code, 1)
        self.assertIn("FUNC_NOT_FOUND", err)

    def test_status_shows_health_and_the_node_status(self):
        report = json.loads(cli("status")[1])
        self.assertEqual(report["health"]["status"], "up")
        self.assertTrue(report["status"]["nodes"])


class CliHelpTest(unittest.TestCase):
    def test_every_command_has_help(self):
        commands = [["deploy"], ["call"], ["list"], ["rm"], ["dag"], ["dag", "create"], ["dag", "call"],
                    ["dag", "delete"], ["logs"], ["kv"], ["kv", "get"], ["kv", "put"], ["status"]]
        for command in commands:
            with self.subTest(command=command):
                code, out, _ = cli(*command, "--help")
                self.assertEqual(code, 0)
                self.assertIn("usage: ./cloudburst " + " ".join(command), out)

    def test_an_unreachable_node_is_reported_as_such(self):
        env = dict(os.environ, CLOUDBURST_URL="http://127.0.0.1:9")
        p = subprocess.run([SCRIPT, "list"], capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot reach http://127.0.0.1:9", p.stderr)


if __name__ == "__main__":
    unittest.main()
