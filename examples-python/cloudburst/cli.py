"""The command line behind ``./cloudburst deploy|call|list|rm|dag|logs|kv|status``: a thin layer over the client.

Every subcommand talks to the node at ``--url`` (default ``$CLOUDBURST_URL`` or
http://localhost:8080) with the token ``--token`` (default ``$CLOUDBURST_TOKEN``), prints JSON
results on stdout and errors on stderr, and exits 0 on success, 1 when the node answered with an
error (its code is printed) or cannot be reached, 2 for bad usage (a missing file included).
Paths are taken from the folder the command is run in.
"""
import argparse
import json
import os
import sys

from cloudburst.client import CloudburstConnection, CloudburstError, from_wire, to_wire

LANGUAGES = {".py": "python", ".js": "javascript", ".mjs": "javascript"}


def _json_arg(text):
    """A command-line value: JSON when it parses, else the plain string."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _print(value):
    print(json.dumps(to_wire(value), indent=2, sort_keys=False))


class UsageError(Exception):
    """A mistake in the command line, reported without contacting the node."""


def deploy(cloud, a):
    if not os.path.isfile(a.file):
        raise UsageError("no such file: %s" % a.file)
    language = a.language or LANGUAGES.get(os.path.splitext(a.file)[1].lower())
    if language is None:
        raise UsageError("cannot tell the language of %s: use --language python|javascript" % a.file)
    try:
        with open(a.file, encoding="utf-8") as f:
            source = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError("cannot read %s: %s" % (a.file, e)) from None
    name = a.name or os.path.splitext(os.path.basename(a.file))[0]
    fn = cloud.register(source, name, language=language, entrypoint=a.entrypoint)
    _print({"name": fn.name, "version": fn.version, "language": fn.language, "entrypoint": fn.entrypoint})


def call(cloud, a):
    args = [_json_arg(x) for x in a.args]
    _print(cloud.exec_func(a.name, args, timeout_ms=a.timeout_ms, direct_response=True,
                           atomic=a.atomic, request_id=a.request_id).get())


def list_functions(cloud, a):
    functions = sorted((f for f in cloud.list_functions() if not a.prefix or f["name"].startswith(a.prefix)),
                       key=lambda f: f["name"])
    if a.json:
        _print(functions)
        return
    for f in functions:
        print("%s\tv%s\t%s" % (f["name"], f.get("version", "?"), f.get("language", "?")))


def remove(cloud, a):
    cloud.delete_function(a.name)
    print("deleted %s" % a.name)


def status(cloud, a):
    report = {"health": cloud.health()}
    try:
        report["status"] = cloud.status()
    except CloudburstError as e:
        if e.http_status != 404:  # a node without /v1/status still has a health
            raise
    _print(report)


def dag_create(cloud, a):
    functions = [f for f in a.functions.split(",") if f]
    connections = []
    for edge in a.connect or []:
        src, sep, dst = edge.partition(":")
        if not sep or not src or not dst:
            raise UsageError("--connect takes FROM:TO, not %r" % edge)
        connections.append([src, dst])
    _print(cloud.create_dag(a.name, functions, connections))


def dag_call(cloud, a):
    arg_map = _json_arg(a.args) if a.args else {}
    if not isinstance(arg_map, dict):
        raise UsageError("--args takes a JSON object of argument lists by function name")
    _print(cloud.call_dag(a.name, arg_map, consistency=a.consistency, direct_response=True, timeout_ms=a.timeout_ms,
                          atomic=a.atomic, request_id=a.request_id).get())


def dag_delete(cloud, a):
    cloud._call("DELETE", "/v1/dags/%s" % _quote(a.name))
    print("deleted DAG %s" % a.name)


def logs(cloud, a):
    calls = cloud._call("GET", "/v1/functions/%s/logs" % _quote(a.name))
    if a.json:
        _print(calls)
        return
    if not calls:
        print("no finished calls of %s on this node yet" % a.name)
    for c in calls[: a.n]:
        outcome = json.dumps(c.get("result")) if c["status"] == "done" else "%s: %s" % (c["error"]["code"], c["error"]["message"])
        print("--- %s  %s  %s  %s us" % (c["id"], c["status"], outcome[:200], c.get("duration_us", "?")))
        if c.get("logs"):
            print(c["logs"].rstrip("\n"))


def kv_get(cloud, a):
    value = cloud.get_object(a.key)
    if value is None:
        print("cloudburst kv get: no key %r" % a.key, file=sys.stderr)
        sys.exit(1)
    _print(value)


def kv_put(cloud, a):
    cloud.put_object(a.key, from_wire(_json_arg(a.value)), lattice=a.lattice)
    print("stored %s" % a.key)


def _quote(segment):
    from urllib.parse import quote
    return quote(segment, safe="")


def parser():
    p = argparse.ArgumentParser(prog="./cloudburst", description="Talk to a Cloudburst node.")
    p.add_argument("--url", default=os.environ.get("CLOUDBURST_URL", "http://localhost:8080"), help="the node (default: %(default)s)")
    p.add_argument("--token", default=os.environ.get("CLOUDBURST_TOKEN"), help="the node's API token (default: $CLOUDBURST_TOKEN)")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("deploy", help="register a function from a .py or .js file",
                       description="Registers FILE as a function (a new version if the name exists).")
    d.add_argument("file", help="the source: FILE.py (Python) or FILE.js (JavaScript)")
    d.add_argument("--name", help="the function's name (default: the file name without extension)")
    d.add_argument("--entrypoint", help="the function to call in the source (default: the name)")
    d.add_argument("--language", choices=["python", "javascript"], help="override the language the extension implies")
    d.set_defaults(run=deploy)

    c = sub.add_parser("call", help="call a function and print its result",
                       description="Calls NAME with ARGS (each JSON, or a plain string) and prints the result.")
    c.add_argument("name")
    c.add_argument("args", nargs="*", help='arguments, e.g. 2 \'"text"\' \'{"$ref": "k"}\'')
    c.add_argument("--timeout-ms", type=int, dest="timeout_ms")
    c.add_argument("--atomic", action="store_true", help="all of the call's writes or none")
    c.add_argument("--request-id", dest="request_id", help="idempotency key: the call runs at most once per id")
    c.set_defaults(run=call)

    ls = sub.add_parser("list", help="list the registered functions",
                        description="Prints each registered function (name, version, language), or those starting with PREFIX.")
    ls.add_argument("prefix", nargs="?", help="only names starting with this")
    ls.add_argument("--json", action="store_true", help="print the node's list as JSON")
    ls.set_defaults(run=list_functions)

    rm = sub.add_parser("rm", help="delete a function", description="Deletes function NAME (refused while a DAG uses it).")
    rm.add_argument("name")
    rm.set_defaults(run=remove)

    g = sub.add_parser("dag", help="create, call or delete a DAG", description="DAGs of registered functions.")
    gsub = g.add_subparsers(dest="dag_command", required=True)
    gc = gsub.add_parser("create", help="register a DAG", description="Registers DAG NAME of --functions with --connect edges.")
    gc.add_argument("name")
    gc.add_argument("--functions", required=True, help="comma-separated function names, e.g. incr,sq")
    gc.add_argument("--connect", action="append", metavar="FROM:TO", help="an edge; repeat for more")
    gc.set_defaults(run=dag_create)
    gk = gsub.add_parser("call", help="call a DAG and print its result", description="Calls DAG NAME and prints the result.")
    gk.add_argument("name")
    gk.add_argument("--args", help='a JSON object of argument lists by function, e.g. \'{"incr": [3]}\'')
    gk.add_argument("--consistency", default="normal", choices=["normal", "repeatable_read", "causal"])
    gk.add_argument("--timeout-ms", type=int, dest="timeout_ms")
    gk.add_argument("--atomic", action="store_true", help="all of the call's writes or none")
    gk.add_argument("--request-id", dest="request_id", help="idempotency key: the call runs at most once per id")
    gk.set_defaults(run=dag_call)
    gd = gsub.add_parser("delete", help="delete a DAG", description="Deletes DAG NAME (its functions stay).")
    gd.add_argument("name")
    gd.set_defaults(run=dag_delete)

    lg = sub.add_parser("logs", help="the output of a function's recent calls",
                        description="Prints the last calls of NAME this node finished, newest first, with their output.")
    lg.add_argument("name")
    lg.add_argument("-n", type=int, default=10, help="how many calls (default: %(default)s)")
    lg.add_argument("--json", action="store_true", help="print the raw call results")
    lg.set_defaults(run=logs)

    k = sub.add_parser("kv", help="read or write the key-value store", description="The key-value store.")
    ksub = k.add_subparsers(dest="kv_command", required=True)
    kg = ksub.add_parser("get", help="print a key's value", description="Prints KEY's value; exit 1 when absent.")
    kg.add_argument("key")
    kg.set_defaults(run=kv_get)
    kp = ksub.add_parser("put", help="store a value", description="Stores VALUE (JSON, or a plain string) under KEY.")
    kp.add_argument("key")
    kp.add_argument("value")
    kp.add_argument("--lattice", default="lww", choices=["lww", "set", "counter", "causal", "multi_causal"])
    kp.set_defaults(run=kv_put)

    st = sub.add_parser("status", help="the node's health and status",
                        description="Prints the node's /health and, when it has one, its /v1/status.")
    st.set_defaults(run=status)
    return p


def main(argv=None):
    p = parser()
    a = p.parse_args(argv)
    try:
        cloud = CloudburstConnection(a.url, token=a.token)
    except ValueError as e:
        p.error("--url: %s" % e)
    try:
        a.run(cloud, a)
    except UsageError as e:
        print("cloudburst %s: %s" % (a.command, e), file=sys.stderr)
        return 2
    except CloudburstError as e:
        print("cloudburst %s: %s: %s" % (a.command, e.code, e.message), file=sys.stderr)
        return 1
    except (ConnectionError, OSError) as e:
        print("cloudburst %s: cannot reach %s: %s" % (a.command, a.url, e), file=sys.stderr)
        return 1
    finally:
        cloud.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
