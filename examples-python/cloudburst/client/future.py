"""Futures of calls and handles of registered functions."""
import time
import urllib.parse

from cloudburst.errors import HTTP_STATUS, CloudburstError
from cloudburst.values import from_wire

__all__ = ["CloudburstFunction", "CloudburstFuture"]

# Polling backoff of CloudburstFuture.get, in seconds.
_POLL_FIRST = 0.001
_POLL_MAX = 0.05


class CloudburstFuture:
    """The eventual result of a function or DAG call.

    A call made with ``direct_response=True`` is resolved from the start; otherwise
    :meth:`get` and :meth:`done` ask the node for the result (``GET /v1/results/{id}``).
    Passed as an argument of another call, a future stands for its result (see
    :func:`cloudburst.values.to_wire`).
    """

    def __init__(self, connection, reply):
        self._connection = connection
        self.id = reply["id"]
        self._reply = None if reply.get("status") == "pending" else reply

    @property
    def obj_id(self):
        """The call's id: the original Cloudburst's name of :attr:`id`."""
        return self.id

    def done(self):
        """True once the call has finished, successfully or not (asks the node if not known yet)."""
        if self._reply is None:
            self._poll()
        return self._reply is not None

    def get(self, timeout=None):
        """The call's result.

        Waits at most ``timeout`` seconds (forever when None; the node ends every call at its
        own deadline) and raises ``TimeoutError`` when the call has not finished by then; the
        check happens after each poll, so the first poll is always made. Raises
        :class:`~cloudburst.errors.CloudburstError` when the call failed.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = _POLL_FIRST
        while not self.done():
            pause = delay
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("call %s has not finished after %s s" % (self.id, timeout))
                pause = min(pause, remaining)
            time.sleep(pause)
            delay = min(delay * 2, _POLL_MAX)
        if self._reply["status"] == "failed":
            error = self._reply.get("error") or {}
            code = error.get("code", "INTERNAL")
            raise CloudburstError(code, error.get("message", ""), HTTP_STATUS.get(code))
        return from_wire(self._reply.get("result"))

    def _poll(self):
        reply = self._connection._call("GET", "/v1/results/" + urllib.parse.quote(self.id, safe=""))
        if reply.get("status") != "pending":
            self._reply = reply

    def __repr__(self):
        state = "pending" if self._reply is None else self._reply["status"]
        return "<CloudburstFuture %s %s>" % (self.id, state)


class CloudburstFunction:
    """A registered function: its ``name``, ``version``, ``language`` and ``entrypoint``.

    Calling it, ``sq(2)``, invokes the function and returns a :class:`CloudburstFuture`.
    """

    def __init__(self, connection, info):
        self._connection = connection
        self.name = info["name"]
        self.version = info["version"]
        self.language = info.get("language")
        self.entrypoint = info.get("entrypoint")

    def __call__(self, *args):
        return self._connection.exec_func(self.name, list(args))

    def __repr__(self):
        return "<CloudburstFunction %s v%s (%s)>" % (self.name, self.version, self.language)
