"""The client package: ``cloudburst.client.client`` is the connection (the original's import path)."""
from cloudburst.client._http import _LeanHttp, _StdlibHttp  # noqa: F401  (the transport tests use them)
from cloudburst.client.client import *  # noqa: F401,F403  (its __all__ is the public API)
from cloudburst.client.client import __all__  # noqa: F401
