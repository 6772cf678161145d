"""Functions through the client against a live node (SCENARIOS.md 1, 2, 4, 5, 6, 22)."""
import time
import unittest

from cloudburst import CloudburstError
from tests.support import connect, unique

CALL_TIMEOUT = 60


def sq(cloudburst, x):
    return x * x


def boom(cloudburst, x):
    return x / 0


def echo(cloudburst, value):
    return value


def kind(cloudburst, value):
    return type(value).__name__


def slow(cloudburst, seconds):
    import time
    end = time.time() + seconds
    while time.time() < end:
        pass
    return "slept"


class FunctionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cloud = connect()
        cls.sq = unique("sq")
        cls.cloud_sq = cls.cloud.register(sq, cls.sq)

    @classmethod
    def tearDownClass(cls):
        cls.cloud.close()

    def test_node_is_up(self):
        self.assertEqual(self.cloud.health()["status"], "up")

    def test_python_square_of_two_is_four(self):
        self.assertEqual(self.cloud_sq.name, self.sq)
        self.assertEqual(self.cloud_sq.version, 1)
        self.assertEqual(self.cloud_sq.entrypoint, "sq")
        self.assertEqual(self.cloud.exec_func(self.sq, [2]).get(timeout=CALL_TIMEOUT), 4)
        self.assertEqual(self.cloud_sq(3).get(timeout=CALL_TIMEOUT), 9)

    def test_direct_response_future_is_resolved_at_once(self):
        future = self.cloud.exec_func(self.sq, [2], direct_response=True)
        self.assertTrue(future.done())
        self.assertEqual(future.get(timeout=0), 4)

    def test_registered_function_is_listed(self):
        listed = {f["name"]: f for f in self.cloud.list_functions()}
        self.assertIn(self.sq, listed)
        self.assertEqual(listed[self.sq]["language"], "python")

    def test_javascript_square_of_two_is_four(self):
        name = unique("sq_js")
        f = self.cloud.register("function sq(cb, x) { return x * x }", name, language="javascript", entrypoint="sq")
        self.assertEqual(f.language, "javascript")
        self.assertEqual(self.cloud.exec_func(name, [2], direct_response=True).get(), 4)
        self.assertEqual(self.cloud.exec_func(name, [5]).get(timeout=CALL_TIMEOUT), 25)

    def test_raising_function_gives_execution_error_with_traceback(self):
        name = unique("boom")
        self.cloud.register(boom, name)
        for direct in (True, False):
            with self.subTest(direct_response=direct):
                future = self.cloud.exec_func(name, [1], direct_response=direct)
                with self.assertRaises(CloudburstError) as caught:
                    future.get(timeout=CALL_TIMEOUT)
                self.assertEqual(caught.exception.code, "EXECUTION_ERROR")
                self.assertEqual(caught.exception.http_status, 422)
                self.assertIn("Traceback", caught.exception.message)
                self.assertIn("ZeroDivisionError", caught.exception.message)
        self.assertEqual(self.cloud.exec_func(self.sq, [4], direct_response=True).get(), 16)

    def test_unknown_function_is_func_not_found(self):
        for direct in (True, False):
            with self.subTest(direct_response=direct):
                with self.assertRaises(CloudburstError) as caught:
                    self.cloud.exec_func(unique("missing"), [1], direct_response=direct)
                self.assertEqual(caught.exception.code, "FUNC_NOT_FOUND")
                self.assertEqual(caught.exception.http_status, 404)

    def test_reregistering_makes_a_new_version_that_new_calls_run(self):
        name = unique("versioned")
        first = self.cloud.register(sq, name)
        second = self.cloud.register("def sq(cloudburst, x):\n    return x + 1000\n", name, entrypoint="sq")
        self.assertEqual(second.version, first.version + 1)
        self.assertEqual(self.cloud.exec_func(name, [3], direct_response=True).get(), 1003)
        listed = {f["name"]: f["version"] for f in self.cloud.list_functions()}
        self.assertEqual(listed[name], second.version)

    def test_bytes_round_trip_through_a_function(self):
        name = unique("echo")
        self.cloud.register(echo, name)
        value = {"raw": b"\x00\x01\xfe\xff", "list": [1, "two", 3.5, None, True], "nested": {"k": b"v"}}
        self.assertEqual(self.cloud.exec_func(name, [value], direct_response=True).get(), value)
        self.assertEqual(self.cloud.exec_func(name, [b"\x00\xff"]).get(timeout=CALL_TIMEOUT), b"\x00\xff")

    def test_function_sees_bytes_as_python_bytes(self):
        name = unique("kind")
        self.cloud.register(kind, name)
        self.assertEqual(self.cloud.exec_func(name, [b"abc"], direct_response=True).get(), "bytes")

    def test_pending_call_is_read_back_through_its_future(self):
        future = self.cloud.exec_func(self.sq, [7])
        self.assertIsInstance(future.id, str)
        self.assertTrue(future.id)
        self.assertEqual(future.get(timeout=CALL_TIMEOUT), 49)
        self.assertTrue(future.done())

    def test_get_gives_up_locally_when_its_timeout_passes(self):
        name = unique("slow")
        self.cloud.register(slow, name)
        future = self.cloud.exec_func(name, [1.0], timeout_ms=30_000)
        started = time.monotonic()
        with self.assertRaises(TimeoutError):
            future.get(timeout=0.001)
        self.assertLess(time.monotonic() - started, 0.5)
        self.assertFalse(future.done())
        self.assertEqual(future.get(timeout=CALL_TIMEOUT), "slept")

    def test_unknown_language_is_bad_request(self):
        with self.assertRaises(CloudburstError) as caught:
            self.cloud.register("x", unique("cobol"), language="cobol")
        self.assertEqual(caught.exception.code, "BAD_REQUEST")
        self.assertEqual(caught.exception.http_status, 400)

    def test_invalid_name_is_bad_request(self):
        with self.assertRaises(CloudburstError) as caught:
            self.cloud.register(sq, "not a name")
        self.assertEqual(caught.exception.code, "BAD_REQUEST")

    def test_syntax_error_is_refused_at_registration_with_its_line(self):
        source = "def broken(cloudburst):\n    return 1\n  x = = 2\n"
        with self.assertRaises(CloudburstError) as caught:
            self.cloud.register(source, unique("broken"), entrypoint="broken")
        self.assertEqual(caught.exception.code, "BAD_REQUEST")
        self.assertIn("line 3", caught.exception.message)

