"""DAGs through the client against a live node (SCENARIOS.md 14, 15, 22); needs "dags" in CLOUDBURST_FEATURES."""
import unittest

from cloudburst import CloudburstError
from tests.support import FEATURES, connect, unique

CALL_TIMEOUT = 60


def incr(cloudburst, x):
    return x + 1


def sq(cloudburst, x):
    return x * x


@unittest.skipUnless("dags" in FEATURES, "DAGs not enabled: add 'dags' to CLOUDBURST_FEATURES")
class DagsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cloud = connect()
        cls.incr, cls.sq, cls.dag = unique("incr"), unique("dag_sq"), unique("dag")
        cls.cloud.register(incr, cls.incr)
        cls.cloud.register(sq, cls.sq)
        cls.registered = cls.cloud.register_dag(cls.dag, [cls.incr, cls.sq], [[cls.incr, cls.sq]])

    @classmethod
    def tearDownClass(cls):
        cls.cloud.close()

    def test_registered_dag_is_described(self):
        self.assertEqual(self.registered["name"], self.dag)
        self.assertEqual(self.registered["connections"], [[self.incr, self.sq]])

    def test_incr_then_sq_of_three_is_sixteen(self):
        self.assertEqual(self.cloud.call_dag(self.dag, {self.incr: [3]}).get(timeout=CALL_TIMEOUT), 16)

    def test_direct_response_dag_call_is_resolved_at_once(self):
        future = self.cloud.call_dag(self.dag, {self.incr: [3]}, direct_response=True)
        self.assertTrue(future.done())
        self.assertEqual(future.get(timeout=0), 16)

    def test_unknown_dag_is_dag_not_found(self):
        with self.assertRaises(CloudburstError) as caught:
            self.cloud.call_dag(unique("no_dag"), {self.incr: [3]}, direct_response=True)
        self.assertEqual(caught.exception.code, "DAG_NOT_FOUND")
        self.assertEqual(caught.exception.http_status, 404)

    def test_taken_dag_name_is_dag_already_exists(self):
        with self.assertRaises(CloudburstError) as caught:
            self.cloud.register_dag(self.dag, [self.incr, self.sq], [[self.incr, self.sq]])
        self.assertEqual(caught.exception.code, "DAG_ALREADY_EXISTS")

    def test_dag_of_an_unregistered_function_is_dag_invalid(self):
        missing = unique("unregistered")
        with self.assertRaises(CloudburstError) as caught:
            self.cloud.register_dag(unique("bad_dag"), [self.incr, missing], [[self.incr, missing]])
        self.assertEqual(caught.exception.code, "DAG_INVALID")
