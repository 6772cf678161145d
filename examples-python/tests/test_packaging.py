"""``pip install ./examples-python`` works with no package index, and the README's snippet runs as written.

The install test is offline (pip may not reach an index: PIP_NO_INDEX); the README test runs the
README's Python snippet twice against the node under test, through the installed package.
"""
import os
import re
import subprocess
import sys
import tempfile
import unittest
import zipfile

from tests.support import FEATURES, URL

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(os.path.dirname(HERE), "README.md")


def pip_available():
    return subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True).returncode == 0


def readme_snippet():
    """The README's Python block that follows its "From Python" line."""
    with open(README, encoding="utf-8") as f:
        text = f.read()
    found = re.search(r"From Python[^\n]*\n(?:[^\n]*\n)*?```python\n(.*?)```", text, re.S)
    if not found:
        raise AssertionError("no Python snippet after 'From Python' in README.md")
    return found.group(1)


@unittest.skipUnless(pip_available(), "pip is not installed")
class PackagingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.TemporaryDirectory()
        cls.target = os.path.join(cls.folder.name, "site")
        env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
        cls.install = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--target", cls.target, HERE],
            capture_output=True, text=True, env=env, timeout=300)

    @classmethod
    def tearDownClass(cls):
        cls.folder.cleanup()

    def run_installed(self, *args, **kwargs):
        """Runs Python with only the installed package on its path, away from the source folder."""
        env = dict(os.environ, PYTHONPATH=self.target, PYTHONDONTWRITEBYTECODE="1")
        return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                              cwd=self.folder.name, timeout=120, **kwargs)

    def test_pip_installs_the_package_without_an_index(self):
        self.assertEqual(self.install.returncode, 0, self.install.stderr)
        p = self.run_installed("-c", "import cloudburst, cloudburst.client.client, cloudburst.shared.reference, "
                                     "cloudburst.shared.proto.cloudburst_pb2 as pb; print(cloudburst.__file__, pb.DAG_ALREADY_EXISTS)")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout.startswith(self.target), p.stdout)
        self.assertTrue(p.stdout.rstrip().endswith(" 6"), p.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.target, "tests")))  # only the package is installed

    def test_the_installed_cli_script_runs(self):
        p = subprocess.run([os.path.join(self.target, "bin", "cloudburst-cli"), "--help"], capture_output=True,
                           text=True, env=dict(os.environ, PYTHONPATH=self.target), timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("deploy", p.stdout)

    def test_the_wheel_holds_the_package_and_its_record(self):
        sys.path.insert(0, os.path.join(HERE, "build_backend"))
        try:
            import cloudburst_build
        finally:
            sys.path.pop(0)
        with tempfile.TemporaryDirectory() as out:
            with zipfile.ZipFile(os.path.join(out, cloudburst_build.build_wheel(out))) as whl:
                names = set(whl.namelist())
                record = whl.read("cloudburst_client-%s.dist-info/RECORD" % cloudburst_build.VERSION).decode()
        self.assertIn("cloudburst/client/client.py", names)
        self.assertIn("cloudburst/shared/proto/cloudburst_pb2.py", names)
        self.assertFalse({n for n in names if n.startswith(("tests/", "examples/", "original/"))})
        self.assertEqual({line.split(",")[0] for line in record.splitlines()}, names)

    @unittest.skipUnless({"dags", "kvs"} <= FEATURES, "needs DAGs and the KVS: add 'dags,kvs' to CLOUDBURST_FEATURES")
    def test_readme_snippet_runs_as_written_and_again(self):
        snippet = readme_snippet()
        self.assertIn('CloudburstConnection("http://localhost:8080")', snippet)
        with tempfile.NamedTemporaryFile("w", suffix=".py", dir=self.folder.name, delete=False) as f:
            f.write(snippet.replace("http://localhost:8080", URL))
        for run in (1, 2):
            p = self.run_installed(f.name)
            self.assertEqual(p.returncode, 0, "run %d: %s" % (run, p.stderr))
            self.assertEqual(p.stdout.split(), ["16", "4", "9"], "run %d" % run)


if __name__ == "__main__":
    unittest.main()
