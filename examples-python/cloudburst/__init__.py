"""A Python client of a Cloudburst node, standard library only.

    from cloudburst import CloudburstConnection

    cloud = CloudburstConnection("http://localhost:8080")

    def sq(cloudburst, x):
        return x * x

    cloud_sq = cloud.register(sq, "sq")
    cloud_sq(2).get()                                     # 4
    cloud.exec_func("sq", [2], direct_response=True).get()  # 4

Programs written for the original Cloudburst keep their imports:
``cloudburst.client.client.CloudburstConnection``, ``cloudburst.shared.reference``,
``cloudburst.shared.proto.cloudburst_pb2`` (error and consistency numbers).
"""
from cloudburst.client.client import *  # noqa: F401,F403  (its __all__ is the public API)
from cloudburst.client.client import __all__  # noqa: F401
