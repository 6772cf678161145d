"""The Python source the node runs for what ``register`` is given: a function, a lambda or a class.

The node runs source code, not pickles, so the client sends a function's own source. Only the
function's text travels: names it takes from its module (imports, helpers, constants) must be
imported or defined inside it.
"""
import ast
import inspect
import textwrap

__all__ = ["python_source"]

_LAMBDA_ENTRY = "cloudburst_lambda"
_CLASS_ENTRY = "cloudburst_class_entry"


def python_source(obj):
    """(source, entrypoint) for a function, a lambda, a class or a ``(class, init_args)`` pair."""
    if isinstance(obj, tuple) and len(obj) == 2 and inspect.isclass(obj[0]):
        return _class_source(obj[0], obj[1])
    if inspect.isclass(obj):
        return _class_source(obj, ())
    if not inspect.isfunction(obj):
        raise TypeError("register takes a function, a lambda, a class, a (class, init_args) pair "
                        "or a source string, not %s" % type(obj).__name__)
    if obj.__name__ == "<lambda>":
        return _lambda_source(obj)
    return textwrap.dedent(inspect.getsource(obj)), obj.__name__


def _class_source(cls, init_args):
    """The class's source and an entry that builds one instance per context, on its first call.

    ``__init__(self, cloudburst, *init_args)`` runs once in each context the function is loaded
    in and ``run(self, cloudburst, *args)`` on every call, as with the original Cloudburst. The
    init arguments travel as a Python literal, so they must be literals (numbers, strings, bytes,
    lists, tuples, dicts, sets, None, booleans).
    """
    if not callable(getattr(cls, "run", None)):
        raise TypeError("a class registered as a function needs a run(self, cloudburst, *args) method")
    if not isinstance(init_args, (list, tuple)):
        init_args = (init_args,)
    literal = repr(tuple(init_args))
    try:
        same = ast.literal_eval(literal) == tuple(init_args)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        same = False
    if not same:
        raise TypeError("the init arguments of %s must be Python literals, got %.200s" % (cls.__name__, literal))
    entry = (
        "\n\n_cloudburst_instance = None\n\n\n"
        "def %(entry)s(cloudburst, *args):\n"
        "    global _cloudburst_instance\n"
        "    if _cloudburst_instance is None:\n"
        "        _cloudburst_instance = %(cls)s(cloudburst, *%(args)s)\n"
        "    return _cloudburst_instance.run(cloudburst, *args)\n"
    ) % {"entry": _CLASS_ENTRY, "cls": cls.__name__, "args": literal}
    return textwrap.dedent(inspect.getsource(cls)).rstrip("\n") + entry, _CLASS_ENTRY


def _lambda_source(fn):
    """A lambda's expression, found in the lines that hold it, bound to a name."""
    try:
        lines, _ = inspect.getsourcelines(fn)
    except (OSError, TypeError):
        raise ValueError("the source of this lambda is not available (typed at a prompt?): "
                         "register a def or a source string") from None
    tree, text = _parse_prefix(textwrap.dedent("".join(lines)))
    code = fn.__code__
    params = list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda)
             and [a.arg for a in n.args.posonlyargs + n.args.args + n.args.kwonlyargs] == params]
    if len(found) != 1:
        raise ValueError("cannot tell this lambda's source apart on its line: register a def instead")
    segment = ast.get_source_segment(text, found[0])
    return "%s = %s\n" % (_LAMBDA_ENTRY, segment), _LAMBDA_ENTRY


def _parse_prefix(text):
    """(tree, parsed text) of ``text`` or its first lines: a lambda's lines may end mid-statement
    or start one that needs a body (``with f(lambda: 1) as x:``)."""
    lines = text.splitlines(True)
    for end in range(len(lines), 0, -1):
        candidate = "".join(lines[:end])
        for attempt in (candidate, candidate.rstrip() + " pass\n"):
            try:
                return ast.parse(attempt), attempt
            except SyntaxError:
                continue
    raise ValueError("cannot parse the lines that hold this lambda: register a def instead")
