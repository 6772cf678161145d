"""The Python client's suite: offline tests of the value model and live tests against the node at CLOUDBURST_URL.

Run from examples-python with ``python3 -m unittest discover -s tests -t . -v``.
CLOUDBURST_FEATURES (comma separated, default "functions") turns on the
"dags" and "kvs" tests.
"""
