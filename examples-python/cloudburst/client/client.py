"""The Cloudburst HTTP client: functions, DAGs, futures and the key-value store.

``from cloudburst.client.client import CloudburstConnection`` is the original Cloudburst's
import path and works here; so does ``from cloudburst import CloudburstConnection``.

Everything travels over one persistent keep-alive HTTP/1.1 connection per
:class:`CloudburstConnection`, so a call costs one round trip on a warm socket. Values cross the
wire in the JSON value model (:mod:`cloudburst.values`).
"""
import http.client
import json
import os
import threading
import urllib.parse

from cloudburst.client._http import _LeanHttp, _StdlibHttp
from cloudburst.client.future import CloudburstFunction, CloudburstFuture
from cloudburst.client.sources import python_source
from cloudburst.errors import CloudburstError
from cloudburst.values import CloudburstReference, Pickled, from_wire, to_wire

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

# The port a bare host (the original's ``CloudburstConnection("127.0.0.1", ...)``) means.
DEFAULT_PORT = 8080
# Function names whose quoted invoke path a connection keeps (the rest are quoted per call).
_MAX_CACHED_PATHS = 1024
# Extra socket time a waiting call gets beyond its deadline, so the node's
# TIMEOUT answer arrives before the socket gives up.
_WAIT_MARGIN = 5.0
# One compact encoder and one decoder for every request: json.dumps with options builds a new
# encoder per call, and json.loads of bytes sniffs the encoding first (the node sends UTF-8).
_ENCODE = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
_DECODE = json.JSONDecoder().decode
# The original's consistency numbers (cloudburst_pb2 NORMAL, SINGLE, MULTI) and this client's
# REPEATABLE_READ. Both causal ones run as this node's causal mode, which is multi-key.
_CONSISTENCY = {0: "normal", 1: "causal", 2: "causal", 3: "repeatable_read"}


class CloudburstConnection:
    """A client of one Cloudburst node.

    ``CloudburstConnection("http://localhost:8080")`` names the node by URL;
    ``CloudburstConnection("127.0.0.1", "127.0.0.1", local=True)`` is the original's form: a host
    (or ``host:port``; the port defaults to 8080). The original's ``ip``, ``tid`` and ``local``
    chose the sockets its answers came back on; over HTTP answers come back on the request's own
    connection, so they are accepted and kept but change nothing.

    ``timeout`` (seconds) bounds every HTTP request; a call that waits for its result gets the
    longer of ``timeout`` and its ``timeout_ms``, plus a margin, so the node's own ``TIMEOUT``
    answer arrives first. Requests go one at a time over one keep-alive connection (a lock
    serializes threads); it is reopened when the node closes it, and a request that finds a
    reused connection already closed is sent once more on a fresh one.
    """

    def __init__(self, func_addr, ip=None, tid=0, local=False, timeout=30, token=None):
        url = _node_url(func_addr)
        parts = urllib.parse.urlsplit(url)
        self.url = url
        self.ip, self.tid, self.local = ip, tid, local
        self.timeout = timeout
        self._tls = parts.scheme == "https"
        # The node's API token, when it requires one (a node listening beyond loopback does).
        token = token if token is not None else os.environ.get("CLOUDBURST_TOKEN")
        self._auth = None if not token else "Bearer " + token
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._lock = threading.Lock()
        self._http = None
        # Invoke paths by function name: quoting a name on every call costs more than the lookup.
        self._invoke_paths = {}

    # ---- functions ----

    def register(self, function, name, language=None, entrypoint=None):
        """Registers a function under ``name`` and returns it as a callable :class:`CloudburstFunction`.

        ``function`` is one of: a Python function or lambda (its source is sent); a class with
        ``run(self, cloudburst, *args)``, or a ``(class, init_args)`` pair, whose
        ``__init__(self, cloudburst, *init_args)`` runs once per context; or a source string in
        ``language`` ("python" by default, or "javascript") whose entrypoint defaults to
        ``name``. The function is called as ``entrypoint(cloudburst, *args)``. Registering a
        name again makes a new version. Raises :class:`CloudburstError` (a ``RuntimeError``, as
        the original raised) when the node refuses it.
        """
        if isinstance(function, str):
            source = function
            language = language or "python"
        else:
            if language not in (None, "python"):
                raise ValueError("a function object is Python source; pass a source string for %s" % language)
            source, own_entry = python_source(function)
            language = "python"
            entrypoint = entrypoint or own_entry
        body = {"name": name, "language": language, "source": source}
        if entrypoint:
            body["entrypoint"] = entrypoint
        return CloudburstFunction(self, self._call("POST", "/v1/functions", body))

    def get_function(self, name):
        """The registered function ``name`` as a callable :class:`CloudburstFunction`, or None."""
        try:
            return CloudburstFunction(self, self._call("GET", "/v1/functions/" + _quote(name)))
        except CloudburstError as e:
            if e.code == "FUNC_NOT_FOUND":
                return None
            raise

    def list(self, prefix=None):
        """Prints the names of the registered functions (those starting with ``prefix``) and returns them."""
        names = [f["name"] for f in self.list_functions() if not prefix or f["name"].startswith(prefix)]
        for n in names:
            print(n)
        return names

    def list_functions(self):
        """The registered functions: a list of ``{"name", "language", "version"}``."""
        return self._call("GET", "/v1/functions")

    def delete_function(self, name):
        """Deletes function ``name``; raises :class:`CloudburstError` (``CONFLICT``) while a DAG uses it."""
        self._call("DELETE", "/v1/functions/" + _quote(name))

    def exec_func(self, name, args, timeout_ms=None, direct_response=False, atomic=False, request_id=None):
        """Calls function ``name`` with the argument list ``args`` and returns a :class:`CloudburstFuture`.

        With ``direct_response`` the node answers once the call has finished and the future is
        already resolved. Raises :class:`CloudburstError` when the node refuses the call
        (``FUNC_NOT_FOUND``, ``BAD_REQUEST``); a call that ran and failed raises from the
        future's ``get``. A future among ``args`` is waited for and its result passed. With
        ``atomic`` the call's writes become visible all together when it succeeds and never when
        it fails; ``request_id`` makes it run at most once per id (an atomic call with one is run
        again if it loses its executor, and commits exactly once).
        """
        body = {"args": _arg_list(args), "wait": bool(direct_response)}
        if atomic:
            body["atomic"] = True
        if request_id is not None:
            body["request_id"] = request_id
        path = self._invoke_paths.get(name)
        if path is None:
            path = "/v1/functions/" + _quote(name) + "/invoke"
            if len(self._invoke_paths) < _MAX_CACHED_PATHS:
                self._invoke_paths[name] = path
        return self._invoke(path, body, timeout_ms)

    # ---- DAGs ----

    def register_dag(self, name, functions, connections):
        """Registers a DAG, the original's way: returns ``(success, error)``.

        ``error`` is the original-style number (0 on success; compare with ``cloudburst_pb2``'s
        ``DAG_ALREADY_EXISTS`` and name it with ``CloudburstError.Name``). Only a refusal by the
        node becomes ``(False, error)``; a node that cannot be reached still raises.
        """
        try:
            self.create_dag(name, functions, connections)
        except CloudburstError as e:
            return False, e.error
        return True, 0

    def create_dag(self, name, functions, connections):
        """Registers a DAG of registered ``functions`` linked by ``connections``, pairs ``[from, to]``.

        Returns the node's description of the DAG; raises :class:`CloudburstError`
        (``DAG_INVALID``, ``DAG_ALREADY_EXISTS``) when refused.
        """
        body = {"name": name, "functions": list(functions), "connections": [list(c) for c in connections]}
        return self._call("POST", "/v1/dags", body)

    def delete_dag(self, name):
        """Deletes DAG ``name``, the original's way: returns ``(success, error)`` like :meth:`register_dag`."""
        try:
            self._call("DELETE", "/v1/dags/" + _quote(name))
        except CloudburstError as e:
            return False, e.error
        return True, 0

    def call_dag(self, name, arg_map, direct_response=False, consistency="normal", output_key=None,
                 client_id=None, timeout_ms=None, atomic=False, request_id=None):
        """Calls DAG ``name`` and returns a :class:`CloudburstFuture`.

        ``arg_map`` maps a function of the DAG to its argument list (a single value that is not
        a list is one argument, as in the original). With one sink the result is its value,
        with several a dict keyed by sink. With ``direct_response`` the node answers once the
        call has finished and the future is already resolved. ``consistency`` is "normal",
        "repeatable_read" or "causal", or the original's ``NORMAL``/``SINGLE``/``MULTI``
        (``client_id`` names the causal session); ``output_key`` makes the node store the result under
        that key before it reports the call done. ``atomic`` and ``request_id`` as for
        :meth:`exec_func`: every write of every function of an atomic call becomes visible
        together when its sinks are done, or never.
        """
        args = {fn: _arg_list(a if isinstance(a, (list, tuple)) else [a]) for fn, a in arg_map.items()}
        body = {"args": args, "consistency": _consistency(consistency), "wait": bool(direct_response)}
        if client_id is not None:
            body["client_id"] = client_id
        if output_key is not None:
            body["output_key"] = output_key
        if atomic:
            body["atomic"] = True
        if request_id is not None:
            body["request_id"] = request_id
        return self._invoke("/v1/dags/" + _quote(name) + "/invoke", body, timeout_ms)

    # ---- key-value store ----

    def get_object(self, key):
        """The value stored under ``key``, or None when the key is absent.

        A stored Python object that is not JSON-shaped comes back as an unloaded
        :class:`~cloudburst.values.Pickled`.
        """
        try:
            reply = self._call("GET", "/v1/kvs/" + _quote(key))
        except CloudburstError as e:
            if e.code == "KEY_NOT_FOUND":
                return None
            raise
        return from_wire(reply.get("value"))

    def put_object(self, key, value, lattice=None):
        """Stores ``value`` under ``key`` in a ``lattice``: "lww", "set", "counter" or "causal".

        By default a Python set goes into a set lattice (as the original did) and anything else
        into a last-writer-wins one.
        """
        if lattice is None:
            lattice = "set" if isinstance(value, (set, frozenset)) else "lww"
        self._call("PUT", "/v1/kvs/" + _quote(key), {"value": to_wire(value), "lattice": lattice})
        return True

    def delete_object(self, key):
        """Deletes ``key`` from the store."""
        self._call("DELETE", "/v1/kvs/" + _quote(key))

    # ---- node ----

    def health(self):
        """The node's health, ``{"status": "up", ...}`` once it can run functions."""
        return self._call("GET", "/health")

    def status(self):
        """The node's ``/v1/status``: nodes, executors and their load, cache figures."""
        return self._call("GET", "/v1/status")

    def echo(self, value):
        """Sends ``value`` to the node's bare echo endpoint and returns what comes back (a baseline)."""
        return from_wire(self._call("POST", "/v1/echo", to_wire(value)))

    def close(self):
        """Closes the HTTP connection; the next request opens a new one."""
        with self._lock:
            self._drop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        # Programs written for the original never close their connection: close its socket
        # when the connection goes, rather than leave it to the socket's own finalizer.
        try:
            self._drop()
        except Exception:
            pass

    # ---- plumbing ----

    def _invoke(self, path, body, timeout_ms):
        if timeout_ms is not None:
            body["timeout_ms"] = timeout_ms
        request_timeout = self.timeout
        if body["wait"]:
            request_timeout = max(request_timeout, (timeout_ms or 0) / 1000.0) + _WAIT_MARGIN
        status, reply = self._request("POST", path, body, request_timeout)
        # A call that ran and failed still has an id: its error belongs to the future.
        if status >= 400 and not (isinstance(reply, dict) and "id" in reply):
            raise CloudburstError.from_reply(reply, status)
        return CloudburstFuture(self, reply)

    def _call(self, method, path, body=None):
        status, reply = self._request(method, path, body, self.timeout)
        if status >= 400:
            raise CloudburstError.from_reply(reply, status)
        return reply

    def _request(self, method, path, body, timeout):
        """Sends one request and returns (status, decoded JSON body or None)."""
        payload = None if body is None else _ENCODE(body).encode()
        with self._lock:
            while True:
                fresh = self._http is None
                conn = self._open() if fresh else self._http
                try:
                    status, data, will_close = conn.exchange(method, self._prefix + path, payload, timeout)
                except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, http.client.RemoteDisconnected):
                    # A kept-alive connection the node closed while idle: retry once, fresh.
                    self._drop()
                    if fresh:
                        raise
                    continue
                except BaseException:
                    self._drop()
                    raise
                if will_close:
                    self._drop()
                break
        if not data:
            return status, None
        try:
            return status, _DECODE(data.decode())
        except ValueError:  # UnicodeDecodeError is one too
            raise CloudburstError("INTERNAL", "HTTP %d with a body that is not JSON: %.200r"
                                  % (status, data), status) from None

    def _open(self):
        if self._tls:
            conn = _StdlibHttp(http.client.HTTPSConnection(self._host, self._port, timeout=self.timeout), self._auth)
        else:
            conn = _LeanHttp(self._host, self._port or 80, self.timeout, self._auth)
        self._http = conn
        return conn

    def _drop(self):
        if self._http is not None:
            self._http.close()
            self._http = None

    def __repr__(self):
        return "<CloudburstConnection %s>" % self.url


def _node_url(func_addr):
    """The node's base URL from an http(s) URL, a host or a host:port."""
    if not isinstance(func_addr, str):
        raise TypeError("the node is a URL or a host[:port] string, not %s" % type(func_addr).__name__)
    url = func_addr if "://" in func_addr else "http://" + func_addr
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected http(s)://host[:port], host or host:port, got %r" % func_addr)
    if "://" not in func_addr:
        if parts.path or parts.query or parts.fragment:
            raise ValueError("expected host or host:port, got %r" % func_addr)
        if port is None:
            url = "%s:%d" % (url, DEFAULT_PORT)
    return url


def _consistency(mode):
    if isinstance(mode, str):
        return mode
    if isinstance(mode, int) and not isinstance(mode, bool) and mode in _CONSISTENCY:
        return _CONSISTENCY[mode]
    raise ValueError("consistency is 'normal', 'repeatable_read', 'causal' or NORMAL/SINGLE/MULTI, not %r" % (mode,))


def _arg_list(args):
    if not isinstance(args, (list, tuple)):
        raise TypeError("arguments are a list, e.g. [2], not %s" % type(args).__name__)
    return to_wire(args)


def _quote(segment):
    return urllib.parse.quote(segment, safe="")

