"""The client's value model and argument checks, offline (no node needed)."""
import base64
import pickle
import unittest

from cloudburst import CloudburstConnection, CloudburstReference, Pickled, from_wire, to_wire


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

    def test_pickled_result_stays_an_unloaded_pickle_that_travels_back_unchanged(self):
        data = pickle.dumps({1, 2, 3})
        payload = base64.b64encode(data).decode()
        self.assertEqual(from_wire({"result": {"$pickle": payload}}), {"result": Pickled(data)})
        self.assertEqual(from_wire({"$pickle": payload}).data, data)
        self.assertEqual(to_wire([Pickled(data)]), [{"$pickle": payload}])

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

    def test_node_is_an_http_url_a_host_or_a_host_and_port(self):
        self.assertEqual(CloudburstConnection("http://n:1/api").url, "http://n:1/api")
        self.assertEqual(CloudburstConnection("localhost:8081").url, "http://localhost:8081")
        self.assertEqual(CloudburstConnection("127.0.0.1", "127.0.0.1", local=True).url, "http://127.0.0.1:8080")
        for bad in ("ftp://localhost:8080", "localhost:http", "localhost/path", "", ":8080"):
            with self.subTest(node=bad):
                with self.assertRaises(ValueError):
                    CloudburstConnection(bad)
