"""The paper's DAG: incr -> sq, called with incr's argument 3, gives 16 (SCENARIOS.md 14).

    python3 examples/incr_sq.py   # against CLOUDBURST_URL, default http://localhost:8080
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from cloudburst import CloudburstConnection, CloudburstError  # noqa: E402


def incr(cloudburst, x):
    return x + 1


def sq(cloudburst, x):
    return x * x


cloud = CloudburstConnection(os.environ.get("CLOUDBURST_URL", "http://localhost:8080"))
cloud.register(incr, "incr")
cloud.register(sq, "sq")
try:
    cloud.register_dag("incr_sq", ["incr", "sq"], [["incr", "sq"]])
except CloudburstError as e:
    if e.code != "DAG_ALREADY_EXISTS":  # a rerun: the DAG names the functions just re-registered
        raise
print("sq(incr(3)) =", cloud.call_dag("incr_sq", {"incr": [3]}).get(timeout=30))
