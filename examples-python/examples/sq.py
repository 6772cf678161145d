"""Registers `sq` and calls it: sq(2) == 4 (SCENARIOS.md 1).

    python3 examples/sq.py        # against CLOUDBURST_URL, default http://localhost:8080
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from cloudburst import CloudburstConnection  # noqa: E402


def sq(cloudburst, x):
    return x * x


cloud = CloudburstConnection(os.environ.get("CLOUDBURST_URL", "http://localhost:8080"))
cloud_sq = cloud.register(sq, "sq")
print("sq(2) =", cloud_sq(2).get(timeout=30))
print("sq(3) =", cloud.exec_func("sq", [3], direct_response=True).get())
