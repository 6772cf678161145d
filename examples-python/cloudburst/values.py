"""The JSON value model of the API, as the client sees it.

Values cross the wire as JSON: bytes as ``{"$bytes": b64}``, key references as
``{"$ref": key}`` and Python objects that are not JSON-shaped (a set a function returned, say)
as ``{"$pickle": b64}``. The client never unpickles: a pickle runs code of the sender's choosing
when it is loaded, and the client must not trust what a node sends (a stored value is anyone's
write). Such a value comes back as an opaque :class:`Pickled`.
"""
import base64

__all__ = ["CloudburstReference", "Pickled", "from_wire", "to_wire"]


class CloudburstReference:
    """A reference to a key of the key-value store, resolved by the node before a function runs.

    ``deserialize`` is the original Cloudburst's second argument; the node always hands the
    function the stored value, so it is kept only for compatibility.
    """

    def __init__(self, key, deserialize=True):
        if not isinstance(key, str) or not key:
            raise ValueError("a reference names a key: a non-empty string")
        self.key = key
        self.deserialize = deserialize

    def __eq__(self, other):
        return isinstance(other, CloudburstReference) and other.key == self.key

    def __hash__(self):
        return hash(("CloudburstReference", self.key))

    def __repr__(self):
        return "CloudburstReference(%r)" % self.key


class Pickled:
    """A pickled Python object a node sent, left unpickled on purpose.

    ``data`` holds the pickle's bytes. Passing a ``Pickled`` back as an argument or storing it
    sends it on unchanged, so a Python function gets the object. Loading it here is up to you:
    ``pickle.loads(p.data)`` runs whatever code the pickle names, so do it only for a node and
    data you trust.
    """

    __slots__ = ("data",)

    def __init__(self, data):
        self.data = bytes(data)

    def __eq__(self, other):
        return isinstance(other, Pickled) and other.data == self.data

    def __hash__(self):
        return hash(("Pickled", self.data))

    def __repr__(self):
        return "<Pickled %d bytes, not unpickled>" % len(self.data)


def to_wire(value):
    """Converts a Python value to the JSON value model.

    JSON-shaped values pass as they are (tuples and sets become arrays, the latter for set
    lattices); bytes become ``{"$bytes": b64}``, a :class:`CloudburstReference`
    ``{"$ref": key}`` and a :class:`Pickled` its ``{"$pickle": b64}`` again. A
    :class:`~cloudburst.client.client.CloudburstFuture` stands for its call's result: it is
    waited for and its value sent. Anything else raises ``TypeError``.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, CloudburstReference):
        return {"$ref": value.key}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_wire(v) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError("object keys must be strings, not %s" % type(k).__name__)
            out[k] = to_wire(v)
        return out
    if isinstance(value, Pickled):
        return {"$pickle": base64.b64encode(value.data).decode("ascii")}
    # Imported here: the future module uses this one, and only rare values get this far.
    from cloudburst.client.future import CloudburstFuture
    if isinstance(value, CloudburstFuture):
        return to_wire(value.get())
    raise TypeError("%s is not a Cloudburst value (JSON, bytes, a CloudburstReference or a future)"
                    % type(value).__name__)


def from_wire(value):
    """Converts a JSON value model value back to Python.

    ``{"$bytes": b64}`` becomes bytes, ``{"$ref": key}`` a :class:`CloudburstReference` and
    ``{"$pickle": b64}`` a :class:`Pickled` holding the bytes, never the unpickled object.
    """
    if isinstance(value, list):
        return [from_wire(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1:
            (marker, payload), = value.items()
            if marker == "$bytes":
                return base64.b64decode(payload)
            if marker == "$pickle":
                return Pickled(base64.b64decode(payload))
            if marker == "$ref":
                return CloudburstReference(payload)
        return {k: from_wire(v) for k, v in value.items()}
    return value
