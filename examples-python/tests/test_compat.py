"""The original Cloudburst's calling conventions, offline: what the client sends, checked on a scripted server."""
import json
import unittest

from cloudburst.client.client import CloudburstConnection
from cloudburst.client.sources import python_source
from cloudburst.shared.proto.cloudburst_pb2 import MULTI, NORMAL, SINGLE, CloudburstError
from tests.test_transport import ScriptedServer

def answer(body, status=b"200 OK"):
    data = json.dumps(body).encode()
    return b"HTTP/1.1 %s\r\nContent-Length: %d\r\n\r\n%s" % (status, len(data), data)


def body_of(request):
    return json.loads(request.split(b"\r\n\r\n", 1)[1])


class Counter:
    def __init__(self, cloudburst, start):
        self.n = start

    def run(self, cloudburst, step):
        self.n += step
        return self.n


class CallConventionsTest(unittest.TestCase):
    def connect(self, responses):
        server = ScriptedServer(responses)
        self.addCleanup(server.close)
        cloud = CloudburstConnection("127.0.0.1:%d" % server.port, "127.0.0.1", local=True, timeout=5)
        self.addCleanup(cloud.close)
        return server, cloud

    def test_call_dag_takes_the_originals_positional_order(self):
        server, cloud = self.connect([answer({"id": "c", "status": "done", "result": 1})] * 2)
        cloud.call_dag("d", {"f": 3, "g": [1, 2]}, True, MULTI, "out", "me")
        cloud.call_dag("d", {"f": [3]}, consistency="repeatable_read")
        self.assertTrue(server.requests[0].startswith(b"POST /v1/dags/d/invoke HTTP/1.1\r\n"))
        self.assertEqual(body_of(server.requests[0]), {"args": {"f": [3], "g": [1, 2]}, "consistency": "causal",
                                                       "wait": True, "output_key": "out", "client_id": "me"})
        self.assertEqual(body_of(server.requests[1]), {"args": {"f": [3]}, "consistency": "repeatable_read",
                                                       "wait": False})

    def test_consistency_numbers_map_to_modes(self):
        from cloudburst.client.client import _consistency
        self.assertEqual([_consistency(m) for m in (NORMAL, SINGLE, MULTI)], ["normal", "causal", "causal"])
        with self.assertRaises(ValueError):
            _consistency(9)

    def test_a_future_argument_is_waited_for_and_its_value_sent(self):
        server, cloud = self.connect([
            answer({"id": "up", "status": "pending"}),
            answer({"id": "up", "status": "done", "result": 2}),
            answer({"id": "down", "status": "done", "result": 4}),
        ])
        upstream = cloud.exec_func("incr", [1])
        self.assertEqual(cloud.exec_func("sq", [upstream], direct_response=True).get(), 4)
        self.assertTrue(server.requests[1].startswith(b"GET /v1/results/up HTTP/1.1\r\n"))
        self.assertEqual(body_of(server.requests[2]), {"args": [2], "wait": True})

    def test_register_dag_and_delete_dag_answer_pairs(self):
        server, cloud = self.connect([
            answer({"name": "d", "functions": ["f"], "connections": []}),
            answer({"error": {"code": "DAG_ALREADY_EXISTS", "message": "taken"}}, b"409 Conflict"),
            b"HTTP/1.1 204 No Content\r\n\r\n",
        ])
        self.assertEqual(cloud.register_dag("d", ["f"], []), (True, 0))
        self.assertEqual(cloud.register_dag("d", ["f"], []), (False, CloudburstError.Value("DAG_ALREADY_EXISTS")))
        self.assertEqual(cloud.delete_dag("d"), (True, 0))
        self.assertTrue(server.requests[2].startswith(b"DELETE /v1/dags/d HTTP/1.1\r\n"))


class SourcesTest(unittest.TestCase):
    def test_a_lambda_becomes_a_named_entry(self):
        source, entry = python_source(lambda _, x: x * x)
        namespace = {}
        exec(source, namespace)
        self.assertEqual(namespace[entry](None, 3), 9)

    def test_the_right_lambda_is_picked_on_a_line_with_two(self):
        pair = (lambda cb: 1, lambda cb, x: x + 1)
        source, entry = python_source(pair[1])
        namespace = {}
        exec(source, namespace)
        self.assertEqual(namespace[entry](None, 1), 2)

    def test_a_lambda_inside_a_multi_line_call_is_found(self):
        fns = dict(
            a=lambda cloudburst, s: s.upper(),
        )
        source, entry = python_source(fns["a"])
        namespace = {}
        exec(source, namespace)
        self.assertEqual(namespace[entry](None, "x"), "X")

    def test_a_class_entry_builds_one_instance_and_runs_it(self):
        source, entry = python_source((Counter, [10]))
        namespace = {}
        exec(source, namespace)
        self.assertEqual([namespace[entry](None, 1), namespace[entry](None, 5)], [11, 16])

    def test_an_ordinary_function_keeps_its_name(self):
        def incr(cloudburst, x):
            return x + 1

        source, entry = python_source(incr)
        self.assertEqual(entry, "incr")
        self.assertTrue(source.startswith("def incr(cloudburst, x):"))

    def test_other_objects_are_refused(self):
        with self.assertRaises(TypeError):
            python_source(42)


if __name__ == "__main__":
    unittest.main()
