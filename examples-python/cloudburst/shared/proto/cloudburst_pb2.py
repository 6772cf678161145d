"""The parts of the original's ``cloudburst_pb2`` a client program uses, without protobuf.

``CloudburstError`` is the client's exception class, which also answers ``Name(number)`` and
``Value(name)`` like the protobuf enum it replaces (see :mod:`cloudburst.errors`); the module
constants are its numbers, the original's first (``DAG_ALREADY_EXISTS`` is 6 in both). The
consistency constants are accepted by ``call_dag(..., consistency=...)``.
"""
from cloudburst.errors import CloudburstError

# CloudburstError numbers: the original's (with its names) ...
NO_CLOUDBURST_ERROR = 0
FUNC_NOT_FOUND = 1
NOT_PINNED = 2
EXECUTION_ERROR = 3
NO_SUCH_DAG = 4
NO_RESOURCES = 5
DAG_ALREADY_EXISTS = 6
# ... this API's own codes ...
BAD_REQUEST = 7
UNAUTHORIZED = 8
KEY_NOT_FOUND = 9
RESULT_NOT_FOUND = 10
CONFLICT = 11
DAG_INVALID = 12
PAYLOAD_TOO_LARGE = 13
TIMEOUT = 14
INTERNAL = 15
# ... and other names for the same numbers.
NO_ERROR = NO_CLOUDBURST_ERROR
DAG_NOT_FOUND = NO_SUCH_DAG

# ConsistencyType: NORMAL, or single- and multi-key causal (both run as this node's causal
# mode, which is multi-key); REPEATABLE_READ is this node's third mode.
NORMAL = 0
SINGLE = 1
MULTI = 2
REPEATABLE_READ = 3

__all__ = ["CloudburstError"] + [n for n in CloudburstError.keys()] + ["NORMAL", "SINGLE", "MULTI", "REPEATABLE_READ"]
