"""Stores 3 under key "k" and passes it to `sq` by reference: 9 (SCENARIOS.md 9).

    python3 examples/reference.py # against CLOUDBURST_URL, default http://localhost:8080
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from cloudburst import CloudburstConnection, CloudburstReference  # noqa: E402


def sq(cloudburst, x):
    return x * x


cloud = CloudburstConnection(os.environ.get("CLOUDBURST_URL", "http://localhost:8080"))
cloud.register(sq, "sq")
cloud.put_object("k", 3)
print("get_object('k') =", cloud.get_object("k"))
print("sq(ref k) =", cloud.exec_func("sq", [CloudburstReference("k")]).get(timeout=30))
