"""DAGs through the client against a live node (SCENARIOS.md 14, 15, 22); needs "dags" in CLOUDBURST_FEATURES.

``create_dag`` raises on a refusal; ``register_dag`` and ``delete_dag`` answer the original's
``(success, error)`` pairs.
"""
import unittest

from cloudburst import CloudburstError
from cloudburst.shared.proto.cloudburst_pb2 import DAG_ALREADY_EXISTS, DAG_INVALID, DAG_NOT_FOUND
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
        cls.registered = cls.cloud.create_dag(cls.dag, [cls.incr, cls.sq], [[cls.incr, cls.sq]])

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

    def test_output_key_holds_the_result_once_the_call_is_done(self):
        key = unique("dag_out")
        future = self.cloud.call_dag(self.dag, {self.incr: [4]}, True, "normal", key)
        self.assertEqual(future.get(timeout=CALL_TIMEOUT), 25)
        self.assertEqual(self.cloud.get_object(key), 25)

    def test_reserved_output_key_is_refused_before_the_call_runs(self):
        with self.assertRaises(CloudburstError) as caught:
            self.cloud.call_dag(self.dag, {self.incr: [4]}, True, "normal", "__cloudburst/x")
        self.assertEqual(caught.exception.code, "BAD_REQUEST")

    def test_unknown_dag_is_dag_not_found(self):
        with self.assertRaises(CloudburstError) as caught:
            self.cloud.call_dag(unique("no_dag"), {self.incr: [3]}, direct_response=True)
        self.assertEqual(caught.exception.code, "DAG_NOT_FOUND")
        self.assertEqual(caught.exception.http_status, 404)

    def test_taken_dag_name_is_dag_already_exists(self):
        with self.assertRaises(CloudburstError) as caught:
            self.cloud.create_dag(self.dag, [self.incr, self.sq], [[self.incr, self.sq]])
        self.assertEqual(caught.exception.code, "DAG_ALREADY_EXISTS")
        self.assertEqual(caught.exception.error, DAG_ALREADY_EXISTS)

    def test_dag_of_an_unregistered_function_is_dag_invalid(self):
        missing = unique("unregistered")
        with self.assertRaises(CloudburstError) as caught:
            self.cloud.create_dag(unique("bad_dag"), [self.incr, missing], [[self.incr, missing]])
        self.assertEqual(caught.exception.code, "DAG_INVALID")

    def test_register_dag_answers_success_and_error_like_the_original(self):
        name = unique("pair_dag")
        self.assertEqual(self.cloud.register_dag(name, [self.incr, self.sq], [(self.incr, self.sq)]), (True, 0))
        self.assertEqual(self.cloud.register_dag(name, [self.incr, self.sq], [(self.incr, self.sq)]),
                         (False, DAG_ALREADY_EXISTS))
        missing = unique("unregistered")
        self.assertEqual(self.cloud.register_dag(unique("bad_pair_dag"), [self.incr, missing], [(self.incr, missing)]),
                         (False, DAG_INVALID))
        self.assertEqual(self.cloud.call_dag(name, {self.incr: [1]}, True).get(timeout=0), 4)

    def test_deleted_dag_is_gone_and_its_name_free_again(self):
        name = unique("deleted_dag")
        self.assertEqual(self.cloud.register_dag(name, [self.sq], []), (True, 0))
        self.assertEqual(self.cloud.delete_dag(name), (True, 0))
        self.assertEqual(self.cloud.delete_dag(name), (False, DAG_NOT_FOUND))
        with self.assertRaises(CloudburstError) as caught:
            self.cloud.call_dag(name, {self.sq: [3]}, direct_response=True)
        self.assertEqual(caught.exception.code, "DAG_NOT_FOUND")
        self.assertEqual(self.cloud.register_dag(name, [self.sq], []), (True, 0))
        self.assertEqual(self.cloud.call_dag(name, {self.sq: 3}, True).get(timeout=0), 9)

    def test_original_consistency_numbers_and_todays_keyword_both_run(self):
        from cloudburst.shared.proto.cloudburst_pb2 import MULTI, NORMAL, SINGLE
        for mode in (NORMAL, SINGLE, MULTI, "normal", "repeatable_read", "causal"):
            with self.subTest(consistency=mode):
                self.assertEqual(self.cloud.call_dag(self.dag, {self.incr: [3]}, True, mode).get(timeout=0), 16)
                self.assertEqual(self.cloud.call_dag(self.dag, {self.incr: [3]}, consistency=mode).get(
                    timeout=CALL_TIMEOUT), 16)
