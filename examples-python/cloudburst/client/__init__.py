"""The client package: ``cloudburst.client.client`` is the connection (the original's import path)."""
from cloudburst.client._http import _LeanHttp, _StdlibHttp  # noqa: F401  (the transport tests use them)
from cloudburst.client.client import (
    CloudburstConnection,
    CloudburstError,
    CloudburstFunction,
    CloudburstFuture,
    CloudburstReference,
    Pickled,
    from_wire,
    to_wire,
)

__all__ = [
    "CloudburstConnection",
    "CloudburstError",
    "CloudburstFunction",
    "CloudburstFuture",
    "CloudburstReference",
    "Pickled",
    "from_wire",
    "to_wire",
]
