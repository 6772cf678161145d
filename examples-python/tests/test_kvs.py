"""The key-value store through the client against a live node (SCENARIOS.md 9, 10, 22); needs "kvs" in CLOUDBURST_FEATURES."""
import unittest

from cloudburst import CloudburstReference
from tests.support import FEATURES, connect, unique

CALL_TIMEOUT = 60


def sq(cloudburst, x):
    return x * x


def total(cloudburst, values):
    return sum(values)


@unittest.skipUnless("kvs" in FEATURES, "the key-value store not enabled: add 'kvs' to CLOUDBURST_FEATURES")
class KvsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cloud = connect()
        cls.sq = unique("kvs_sq")
        cls.cloud.register(sq, cls.sq)

    @classmethod
    def tearDownClass(cls):
        cls.cloud.close()

    def test_put_value_is_read_back(self):
        key = unique("k_plain")
        self.cloud.put_object(key, {"n": 3, "tags": ["a", "b"]})
        self.assertEqual(self.cloud.get_object(key), {"n": 3, "tags": ["a", "b"]})

    def test_reference_is_resolved_before_the_function_runs(self):
        key = unique("k")
        self.cloud.put_object(key, 3)
        self.assertEqual(self.cloud.exec_func(self.sq, [CloudburstReference(key)]).get(timeout=CALL_TIMEOUT), 9)
        self.assertEqual(self.cloud.exec_func(self.sq, [CloudburstReference(key)], direct_response=True).get(), 9)

    def test_missing_key_is_none(self):
        self.assertIsNone(self.cloud.get_object(unique("never_written")))

    def test_deleted_key_is_none(self):
        key = unique("k_deleted")
        self.cloud.put_object(key, "gone soon")
        self.assertEqual(self.cloud.get_object(key), "gone soon")
        self.cloud.delete_object(key)
        self.assertIsNone(self.cloud.get_object(key))

    def test_bytes_value_round_trips(self):
        key = unique("k_bytes")
        self.cloud.put_object(key, b"\x00\x01\xfe\xff")
        self.assertEqual(self.cloud.get_object(key), b"\x00\x01\xfe\xff")

    def test_set_lattice_round_trips(self):
        key = unique("k_set")
        self.cloud.put_object(key, {2, 3, 4}, lattice="set")
        self.assertEqual(sorted(self.cloud.get_object(key)), [2, 3, 4])

    def test_set_lattice_passed_by_reference_is_summed(self):
        key = unique("k_set_ref")
        self.cloud.put_object(key, {2, 3, 4}, lattice="set")
        name = unique("total")
        self.cloud.register(total, name)
        self.assertEqual(self.cloud.exec_func(name, [CloudburstReference(key)], direct_response=True).get(), 9)
