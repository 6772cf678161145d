"""A Python client of a Cloudburst node, standard library only.

    from cloudburst import CloudburstConnection

    cloud = CloudburstConnection("http://localhost:8080")

    def sq(cloudburst, x):
        return x * x

    cloud_sq = cloud.register(sq, "sq")
    cloud_sq(2).get()                                     # 4
    cloud.exec_func("sq", [2], direct_response=True).get()  # 4
"""
from cloudburst.client import (
    CloudburstConnection,
    CloudburstError,
    CloudburstFunction,
    CloudburstFuture,
    CloudburstReference,
    from_wire,
    to_wire,
)

__all__ = [
    "CloudburstConnection",
    "CloudburstError",
    "CloudburstFunction",
    "CloudburstFuture",
    "CloudburstReference",
    "from_wire",
    "to_wire",
]
