"""Error codes: this node's API codes (strings) and the original Cloudburst's numbers.

One class, :class:`CloudburstError`, plays both roles the two clients need:

* it is the exception a failed call raises (``e.code`` is the API code string such as
  ``"DAG_ALREADY_EXISTS"``, ``e.error`` the same code as the original's number);
* it is the enum wrapper the original imported from ``cloudburst_pb2``
  (``CloudburstError.Name(6) == "DAG_ALREADY_EXISTS"``, ``CloudburstError.Value(...)``,
  ``CloudburstError.DAG_ALREADY_EXISTS == 6``), so
  ``from cloudburst.shared.proto.cloudburst_pb2 import CloudburstError`` gets this very class.

It derives from ``RuntimeError`` because the original client raised ``RuntimeError`` when a
registration failed.
"""

# The original's numbers first (its protobuf enum, with its names), then this API's codes the
# original did not have. Name() gives the first name listed for a number.
_NUMBERS = (
    ("NO_CLOUDBURST_ERROR", 0),
    ("FUNC_NOT_FOUND", 1),
    ("NOT_PINNED", 2),
    ("EXECUTION_ERROR", 3),
    ("NO_SUCH_DAG", 4),
    ("NO_RESOURCES", 5),
    ("DAG_ALREADY_EXISTS", 6),
    ("BAD_REQUEST", 7),
    ("UNAUTHORIZED", 8),
    ("KEY_NOT_FOUND", 9),
    ("RESULT_NOT_FOUND", 10),
    ("CONFLICT", 11),
    ("DAG_INVALID", 12),
    ("PAYLOAD_TOO_LARGE", 13),
    ("TIMEOUT", 14),
    ("INTERNAL", 15),
)
# Other names for the same numbers: this API calls NO_SUCH_DAG DAG_NOT_FOUND.
_ALIASES = {"NO_ERROR": 0, "DAG_NOT_FOUND": 4}

_VALUE = dict(_NUMBERS, **_ALIASES)
_NAME = {}
for _n, _v in _NUMBERS:
    _NAME.setdefault(_v, _n)

# HTTP status of each API code, so a failure read back through a future carries the status
# the same call would have had with direct_response.
HTTP_STATUS = {
    "BAD_REQUEST": 400,
    "UNAUTHORIZED": 401,
    "FUNC_NOT_FOUND": 404,
    "DAG_NOT_FOUND": 404,
    "KEY_NOT_FOUND": 404,
    "RESULT_NOT_FOUND": 404,
    "DAG_ALREADY_EXISTS": 409,
    "CONFLICT": 409,
    "DAG_INVALID": 400,
    "PAYLOAD_TOO_LARGE": 413,
    "EXECUTION_ERROR": 422,
    "INTERNAL": 500,
    "NO_RESOURCES": 503,
    "TIMEOUT": 504,
}


def number_of(code):
    """The original-style number of an API code string (INTERNAL's for an unknown code)."""
    return _VALUE.get(code, _VALUE["INTERNAL"])


class _EnumAccess(type):
    """Lets ``CloudburstError.DAG_ALREADY_EXISTS`` read a number, as a protobuf enum wrapper does."""

    def __getattr__(cls, name):
        try:
            return _VALUE[name]
        except KeyError:
            raise AttributeError(name) from None


class CloudburstError(RuntimeError, metaclass=_EnumAccess):
    """A call the node refused or that failed, with its API error code.

    ``code`` is the API code (``FUNC_NOT_FOUND``, ``EXECUTION_ERROR``, ...), ``message`` the
    node's explanation (for ``EXECUTION_ERROR`` the guest's traceback or stack), ``http_status``
    the HTTP status that goes with it and ``error`` the code as the original's number.
    """

    def __init__(self, code, message, http_status=None):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message
        self.http_status = http_status
        self.error = number_of(code)

    @classmethod
    def from_reply(cls, body, http_status):
        """The error carried by an error answer, or INTERNAL when it carries none."""
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict) and "code" in error:
            return cls(error["code"], error.get("message", ""), http_status)
        return cls("INTERNAL", "unexpected answer (HTTP %d): %.200r" % (http_status, body), http_status)

    # ---- the original's protobuf enum wrapper ----

    @staticmethod
    def Name(number):
        """The name of an error number, e.g. ``Name(6) == "DAG_ALREADY_EXISTS"``; ValueError if unknown."""
        try:
            return _NAME[number]
        except (KeyError, TypeError):
            raise ValueError("no CloudburstError has the number %r" % (number,)) from None

    @staticmethod
    def Value(name):
        """The number of an error name (original or API spelling); ValueError if unknown."""
        try:
            return _VALUE[name]
        except (KeyError, TypeError):
            raise ValueError("no CloudburstError is named %r" % (name,)) from None

    @staticmethod
    def keys():
        """Every name, original spellings first."""
        return [n for n, _ in _NUMBERS] + list(_ALIASES)

    @staticmethod
    def values():
        """The number of each name of :meth:`keys`."""
        return [_VALUE[n] for n in CloudburstError.keys()]

    @staticmethod
    def items():
        """(name, number) pairs in the order of :meth:`keys`."""
        return [(n, _VALUE[n]) for n in CloudburstError.keys()]
