"""The paper's DAG: incr -> sq, called with incr's argument 3, gives 16 (SCENARIOS.md 14).

    python3 examples/incr_sq.py   # against CLOUDBURST_URL, default http://localhost:8080
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from cloudburst import CloudburstConnection, CloudburstError  # noqa: E402
from cloudburst.shared.proto.cloudburst_pb2 import DAG_ALREADY_EXISTS  # noqa: E402


def incr(cloudburst, x):
    return x + 1


def sq(cloudburst, x):
    return x * x


cloud = CloudburstConnection(os.environ.get("CLOUDBURST_URL", "http://localhost:8080"))
cloud.register(incr, "incr")
cloud.register(sq, "sq")
success, error = cloud.register_dag("incr_sq", ["incr", "sq"], [["incr", "sq"]])
# On a rerun the DAG exists already and names the functions just re-registered.
if not success and error != DAG_ALREADY_EXISTS:
    sys.exit("cannot register incr_sq: %s" % CloudburstError.Name(error))
print("sq(incr(3)) =", cloud.call_dag("incr_sq", {"incr": [3]}).get(timeout=30))
