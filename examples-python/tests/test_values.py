"""The client's value model and argument checks, offline (no node needed)."""
import base64
import pickle
import unittest

from cloudburst import CloudburstConnection, CloudburstReference, from_wire, to_wire


def sq(cloudburst, x):
    return x * x


class ValuesTest(unittest.TestCase):
    def test_json_values_pass_unchanged(self):
        value = {"a": [1, 2.5, "s", None, True], "b": {"c": False}}
        self.assertEqual(to_wire(value), value)
        self.assertEqual(from_wire(value), value)

    def test_bytes_travel_as_base64_and_come_back_as_bytes(self):
        self.assertEqual(to_wire(b"\x00\xff"), {"$bytes": "AP8="})
        self.assertEqual(from_wire({"$bytes": "AP8="}), b"\x00\xff")
        self.assertEqual(from_wire(to_wire([{"k": bytearray(b"xy")}])), [{"k": b"xy"}])

    def test_reference_travels_as_ref(self):
        self.assertEqual(to_wire([CloudburstReference("k")]), [{"$ref": "k"}])
        self.assertEqual(from_wire({"$ref": "k"}), CloudburstReference("k"))

    def test_pickled_result_is_unpickled(self):
        payload = base64.b64encode(pickle.dumps({1, 2, 3})).decode()
        self.assertEqual(from_wire({"result": {"$pickle": payload}}), {"result": {1, 2, 3}})

    def test_tuples_and_sets_become_arrays(self):
        self.assertEqual(to_wire((1, 2)), [1, 2])
        self.assertEqual(sorted(to_wire({3, 1, 2})), [1, 2, 3])

    def test_object_with_several_keys_is_not_a_marker(self):
        value = {"$bytes": "AP8=", "other": 1}
        self.assertEqual(from_wire(value), value)

    def test_non_json_values_are_refused(self):
        with self.assertRaises(TypeError):
            to_wire(object())
        with self.assertRaises(TypeError):
            to_wire({1: "int key"})


class ArgumentsTest(unittest.TestCase):
    def setUp(self):
        # Never contacted: these calls fail before any request.
        self.cloud = CloudburstConnection("http://127.0.0.1:9")

    def test_function_object_cannot_be_registered_as_javascript(self):
        with self.assertRaises(ValueError):
            self.cloud.register(sq, "sq", language="javascript")

    def test_arguments_must_be_a_list(self):
        with self.assertRaises(TypeError):
            self.cloud.exec_func("sq", 2)

    def test_url_must_be_http(self):
        with self.assertRaises(ValueError):
            CloudburstConnection("localhost:8080")
