# The Cloudburst prelude: loaded into every Python context before user code. It converts values
# at the executor edge (JSON text with $bytes/$pickle markers), wraps the host library object as
# the `cloudburst` argument, and formats tracebacks. User code runs in __main__; the executor
# keeps its own references to these functions, so user code that rebinds a name cannot break it.
import base64 as _b64
import json as _json
from math import isfinite as _isfinite
import pickle as _pickle
import time as _time
import traceback as _tb


def _sliced(allocate_lock, clock, sleep_doc):
    # GraalPy's own time.sleep can be kept from ever seeing its context's cancel (once any context
    # of the engine imported urllib.request, it retries its interrupted host sleep for good, and
    # its worker spins a core). This sleep waits on a lock instead, which sees the cancel, in
    # slices of at most 20 ms with a safepoint between them. The original is not kept anywhere
    # user code could reach it (re-importing or reloading time gives this module back).
    def sleep(secs):
        t = type(secs)
        if t is not int and t is not float and t is not bool:
            if not hasattr(t, "__float__") and not hasattr(t, "__index__"):
                raise TypeError("'" + t.__name__ + "' object cannot be interpreted as an integer or float")
            secs = float(secs)
        if secs != secs:
            raise ValueError("Invalid value NaN (not a number)")
        if secs < 0:
            raise ValueError("sleep length must be non-negative")
        never = allocate_lock()
        never.acquire()
        end = clock() + secs
        while True:
            left = end - clock()
            if left <= 0:
                return None
            never.acquire(True, 0.02 if left > 0.02 else left)

    sleep.__doc__ = sleep_doc
    return sleep


def _patch_sleep():
    import _thread

    _time.sleep = _sliced(_thread.allocate_lock, _time.monotonic, _time.sleep.__doc__)


_patch_sleep()
del _sliced, _patch_sleep


class CloudburstError(Exception):
    """A failure of a library call (get, put, call, send, recv): .code is the API error code."""

    def __init__(self, code, message):
        super().__init__(code + ": " + message)
        self.code = code
        self.message = message


def _to_json(v):
    if v is None or v is True or v is False or type(v) in (int, float, str):
        return v
    if isinstance(v, (bytes, bytearray, memoryview)):
        return {"$bytes": _b64.b64encode(bytes(v)).decode("ascii")}
    if type(v) in (list, tuple):
        return [_to_json(x) for x in v]
    if type(v) is dict and all(type(k) is str for k in v):
        return {k: _to_json(x) for k, x in v.items()}
    # Not JSON-shaped: private to Python functions (API.md), carried as a pickle.
    return {"$pickle": _b64.b64encode(_pickle.dumps(v)).decode("ascii")}


def _from_json(v):
    t = type(v)
    if t is dict:
        if len(v) == 1:
            if "$bytes" in v:
                return _b64.b64decode(v["$bytes"])
            if "$pickle" in v:
                return _pickle.loads(_b64.b64decode(v["$pickle"]))
        return {k: _from_json(x) for k, x in v.items()}
    if t is list:
        return [_from_json(x) for x in v]
    return v


def _encode(v):
    return _json.dumps(_to_json(v), separators=(",", ":"), allow_nan=False)


def _decode(text):
    return _from_json(_json.loads(text))


def _reply(text):
    # Host methods answer JSON text; a failure is {"$error": {"code", "message"}}.
    if text.startswith('{"$error"'):
        e = _json.loads(text)["$error"]
        raise CloudburstError(e["code"], e["message"])
    return _decode(text)


class Cloudburst:
    """The user library: the first argument of every function."""

    __slots__ = ("_h",)
    Error = CloudburstError

    def __init__(self, host):
        self._h = host

    def id(self):
        return self._h.id()

    def getid(self):
        """The original Cloudburst's name of id()."""
        return self._h.id()

    def get(self, key):
        if type(key) is not str:
            if isinstance(key, (list, tuple)):
                return _reply(self._h.getMany(_encode(list(key))))
            raise TypeError("get: key must be a str or a list of str")
        r = self._h.get(key)
        t = type(r)
        if t is str or t is int or t is float or t is bool:
            return r
        return _reply(r[0])

    def put(self, key, value):
        t = type(value)
        if t is str or t is bool or (t is float and _isfinite(value)) or (t is int and _MIN_LONG <= value <= _MAX_LONG):
            r = self._h.putPlain(key, value)
        else:
            r = self._h.put(key, _encode(value))
        if r is not True:
            _reply(r[0])

    def call(self, name, *args):
        return _reply(self._h.call(name, _encode(list(args))))

    def send(self, dest, data):
        if not isinstance(dest, str):
            raise TypeError("send: dest must be an invocation id (str)")
        _reply(self._h.send(dest, _encode(bytes(data))))

    def recv(self):
        return [(m[0], m[1]) for m in _reply(self._h.recv())]


_MIN_LONG = -9223372036854775808
_MAX_LONG = 9223372036854775807


def _results(dumps, b64encode, min_long, max_long):
    # What a function returns must be a Cloudburst value (unlike what it puts, which may be any
    # picklable object, private to Python functions). Built once at load: the helpers it uses are
    # held in this closure, so user code that rebinds json.dumps or the prelude's names in
    # __main__ cannot change how results are encoded.
    class NotAValue(Exception):
        pass

    def value(v):
        t = type(v)
        if v is None or t is bool or t is str or t is int or t is float:
            return v
        if t is list or t is tuple:
            return [value(x) for x in v]
        if t is dict:
            out = {}
            for k, x in v.items():
                if type(k) is not str:
                    raise NotAValue("dict with a key of type " + type(k).__name__)
                out[k] = value(x)
            return out
        if t is set or t is frozenset:
            items = [value(x) for x in v]
            try:
                items.sort()
            except TypeError:
                pass  # mixed types keep the set's order
            return items
        if t is bytes or t is bytearray or t is memoryview:
            return {"$bytes": b64encode(bytes(v)).decode("ascii")}
        # Subclasses of the value types (IntEnum, OrderedDict, defaultdict, a namedtuple) are values too.
        if isinstance(v, int):
            return bool(v) if isinstance(v, bool) else int(v)
        if isinstance(v, float):
            return float(v)
        if isinstance(v, str):
            return str(v)
        if isinstance(v, (bytes, bytearray)):
            return {"$bytes": b64encode(bytes(v)).decode("ascii")}
        if isinstance(v, (list, tuple)):
            return value(list(v))
        if isinstance(v, dict):
            return value(dict(v))
        if isinstance(v, (set, frozenset)):
            return value(set(v))
        raise NotAValue(t.__name__)

    def run(fn, lib, *args):
        r = fn(lib, *args)
        t = type(r)
        if r is None or t is str or t is bool or (t is int and min_long <= r <= max_long):
            return r
        try:
            return [dumps(value(r))]
        except NotAValue as e:
            return [None, e.args[0]]

    return run


_run = _results(_json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode, _b64.b64encode, _MIN_LONG, _MAX_LONG)
del _results


def _format(exc):
    tb = exc.__traceback__
    if tb is not None and tb.tb_frame.f_code.co_name == "run" and tb.tb_frame.f_code.co_filename == "<cloudburst>":
        tb = tb.tb_next
    return "".join(_tb.format_exception(type(exc), exc, tb))

