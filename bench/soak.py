#!/usr/bin/env python3
"""A soak run against a started node: a steady mix of calls for minutes, then a memory verdict.

    python3 bench/soak.py --url http://localhost:8080 --minutes 10 [--rate 50] [--threads 4] [--pid PID]

At a steady rate (default 50 operations/s over 4 client threads, each with its own keep-alive
HTTP/1.1 connection) it runs a mix of:

  sq       a Python function call, result checked (x*x)
  dag      a DAG call incr -> sq, result checked ((x+1)^2)
  kv_put   a KVS put (lww) of a key of the thread's own
  kv_get   a KVS get of a key the thread wrote before, value checked
  raise    a function that raises: expected EXECUTION_ERROR
  runaway  `while True: pass` with timeout_ms 500: expected TIMEOUT

registering what it needs under names unique to the run. It samples the node's memory after a
warm-up and at the end: the resident set (VmRSS of /proc/<pid>/status; the pid is --pid, or the
process listening on the URL's port, found through /proc/net/tcp[6] and /proc/*/fd), and the heap
after GC: when the JDK's jcmd is at hand, the heap in use (GET /metrics) right after a full
collection it asks for (jcmd PID GC.run), i.e. the live data; else jvm_gc_live_data_size_bytes once Micrometer knows it (G1 reports it only
after an old-generation or concurrent cycle, so it reads 0 on a young node), else the long-lived
pool's usage after the last collection, jvm_memory_usage_after_gc{pool="long-lived"} times
jvm_gc_max_data_size_bytes (the heap's current use is shown beside it). It
prints a table of start and end memory, the change in %, operations done and outcomes by code,
and exits 1 when either memory figure grew more than --max-growth % (default 10) or any outcome
was unexpected (an error code other than the two expected ones, a wrong result, a client error).

Standard library only; not part of the test suite.
"""
import argparse
import glob
import http.client
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

# (kind, weight) of the mix; the weights sum to 100.
MIX = [("sq", 35), ("dag", 15), ("kv_put", 17), ("kv_get", 17), ("raise", 10), ("runaway", 6)]
EXPECTED_ERRORS = {"raise": "EXECUTION_ERROR", "runaway": "TIMEOUT"}
RUNAWAY_TIMEOUT_MS = 500


class Node:
    """One keep-alive HTTP/1.1 connection to the node (one per client thread)."""

    def __init__(self, url, timeout=60):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port or 80
        self.timeout = timeout
        self.conn = None

    def call(self, method, path, body=None):
        """(status, parsed JSON body or None); reconnects once on a dropped keep-alive connection."""
        data = None if body is None else json.dumps(body).encode()
        headers = {"content-type": "application/json"} if data is not None else {}
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                r = self.conn.getresponse()
                raw = r.read()
                return r.status, (json.loads(raw) if raw else None)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def text(self, path):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request("GET", path)
            r = conn.getresponse()
            return r.status, r.read().decode("utf-8", "replace")
        finally:
            conn.close()


# ---- memory of the node ------------------------------------------------------------------------

def pid_listening_on(port):
    """The pid of the process with a listening TCP socket on port, from /proc (None if not found)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    local, state, inode = parts[1], parts[3], parts[9]
                    if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                        inodes.add("socket:[%s]" % inode)
        except OSError:
            pass
    if not inodes:
        return None
    for fd in glob.glob("/proc/[0-9]*/fd/*"):
        try:
            if os.readlink(fd) in inodes:
                return int(fd.split("/")[2])
        except OSError:
            continue
    return None


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS for pid %d" % pid)


def metric_sum(text, name, label_filter=None):
    """The sum of a Prometheus series over its label sets (those matching label_filter), or None."""
    total, seen = 0.0, False
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        m = re.match(r"^%s(\{[^}]*\})?\s+(\S+)" % re.escape(name), line)
        if not m or (label_filter and not re.search(label_filter, m.group(1) or "")):
            continue
        total += float(m.group(2))
        seen = True
    return total if seen else None


def find_jcmd():
    """The JDK's jcmd (JAVA_HOME, then a Temurin under /usr/lib/jvm, then PATH), or None."""
    candidates = [os.path.join(os.environ.get("JAVA_HOME", ""), "bin", "jcmd")]
    candidates += sorted(glob.glob("/usr/lib/jvm/temurin-2*/bin/jcmd"), reverse=True)
    candidates += [os.path.join(d, "jcmd") for d in os.environ.get("PATH", "").split(os.pathsep)]
    for c in candidates:
        if c and os.access(c, os.X_OK):
            return c
    return None


def full_gc(pid):
    """Runs a full collection in the node (jcmd PID GC.run) so the heap's use is its live data; False if it cannot."""
    jcmd = find_jcmd() if pid else None
    if not jcmd:
        return False
    done = subprocess.run([jcmd, str(pid), "GC.run"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    return done.returncode == 0


def sample_memory(node, pid):
    collected = full_gc(pid)
    status, text = node.text("/metrics")
    if status != 200:
        raise RuntimeError("/metrics answered %d" % status)
    if collected:
        # Right after a full collection the heap's use is what is alive (Micrometer reads the pools
        # at the scrape), the figure a leak would move.
        heap = metric_sum(text, "jvm_memory_used_bytes", r'area="heap"')
        return {"rss": rss_bytes(pid) if pid else None, "heap_after_gc": heap, "heap_used": heap,
                "gc_source": "heap in use right after a full GC (jcmd GC.run)",
                "gc_pauses": metric_sum(text, "jvm_gc_pause_seconds_count")}
    # Micrometer's jvm_gc_live_data_size_bytes stays 0 under G1 until an old-generation or concurrent
    # cycle; the long-lived pool's usage after the last collection (a ratio of its maximum) is
    # updated by every collection, so it is the figure used when live data is not known yet.
    live = metric_sum(text, "jvm_gc_live_data_size_bytes")
    ratio = metric_sum(text, "jvm_memory_usage_after_gc", r'pool="long-lived"')
    pool_max = metric_sum(text, "jvm_gc_max_data_size_bytes")
    after_gc = live if live else (ratio * pool_max if ratio is not None and pool_max else None)
    return {
        "rss": rss_bytes(pid) if pid else None,
        "heap_after_gc": after_gc,
        "heap_used": metric_sum(text, "jvm_memory_used_bytes", r'area="heap"'),
        "gc_source": "long-lived pool after the last GC",
        "gc_pauses": metric_sum(text, "jvm_gc_pause_seconds_count"),
    }


# ---- the load ----------------------------------------------------------------------------------

class Soak:
    def __init__(self, args):
        self.args = args
        self.run = uuid.uuid4().hex[:8]
        self.names = {k: "soak_%s_%s" % (k, self.run) for k in ("sq", "incr", "raise", "spin", "dag")}
        self.lock = threading.Lock()
        self.next_op = 0
        self.outcomes = {}      # (kind, outcome) -> count
        self.unexpected = {}    # description -> count (first few kept as examples)
        self.examples = []
        self.latencies = {}     # kind -> [seconds]

    def setup(self, node):
        n = self.names
        sources = {
            n["sq"]: "def %s(cloudburst, x):\n    return x * x\n" % n["sq"],
            n["incr"]: "def %s(cloudburst, x):\n    return x + 1\n" % n["incr"],
            n["raise"]: "def %s(cloudburst, x):\n    raise ValueError('soak %%s' %% x)\n" % n["raise"],
            n["spin"]: "def %s(cloudburst):\n    while True:\n        pass\n" % n["spin"],
        }
        for name, src in sources.items():
            status, body = node.call("POST", "/v1/functions", {"name": name, "language": "python", "source": src})
            if status != 201:
                raise SystemExit("soak: registering %s failed: %d %s" % (name, status, body))
        status, body = node.call("POST", "/v1/dags", {"name": n["dag"], "functions": [n["incr"], n["sq"]],
                                                      "connections": [[n["incr"], n["sq"]]]})
        if status != 201:
            raise SystemExit("soak: registering the DAG failed: %d %s" % (status, body))

    def record(self, kind, outcome, expected, seconds, detail=None):
        with self.lock:
            self.outcomes[(kind, outcome)] = self.outcomes.get((kind, outcome), 0) + 1
            self.latencies.setdefault(kind, []).append(seconds)
            if not expected:
                key = "%s: %s" % (kind, outcome)
                self.unexpected[key] = self.unexpected.get(key, 0) + 1
                if len(self.examples) < 5:
                    self.examples.append("%s: %s" % (key, str(detail)[:300]))

    def one(self, node, kind, rng, written):
        """Runs one operation; returns (outcome, expected?, detail)."""
        n = self.names
        x = rng.randint(0, 1000)
        if kind == "sq":
            status, body = node.call("POST", "/v1/functions/%s/invoke" % n["sq"], {"args": [x]})
            want = x * x
        elif kind == "dag":
            status, body = node.call("POST", "/v1/dags/%s/invoke" % n["dag"], {"args": {n["incr"]: [x]}})
            want = (x + 1) ** 2
        elif kind == "raise":
            status, body = node.call("POST", "/v1/functions/%s/invoke" % n["raise"], {"args": [x]})
            want = None
        elif kind == "runaway":
            status, body = node.call("POST", "/v1/functions/%s/invoke" % n["spin"],
                                     {"args": [], "timeout_ms": RUNAWAY_TIMEOUT_MS})
            want = None
        elif kind == "kv_put":
            key = "soak/%s/%d/%d" % (self.run, threading.get_ident() % 100000, x % 50)
            status, body = node.call("PUT", "/v1/kvs/" + urllib.parse.quote(key, safe=""), {"value": x})
            if status == 204:
                written[key] = x
                return "ok", True, None
            return self.error(status, body, kind)
        else:  # kv_get of a key this thread wrote (its last value, since only this thread writes it)
            if not written:
                return self.one(node, "kv_put", rng, written)
            key = rng.choice(sorted(written))
            status, body = node.call("GET", "/v1/kvs/" + urllib.parse.quote(key, safe=""))
            if status == 200:
                ok = body.get("value") == written[key]
                return ("ok", True, None) if ok else ("WRONG_RESULT", False, "%s = %r, wrote %r" % (key, body, written[key]))
            return self.error(status, body, kind)
        if status == 200 and body.get("status") == "done":
            if kind in EXPECTED_ERRORS:
                return "UNEXPECTED_SUCCESS", False, body
            if body.get("result") != want:
                return "WRONG_RESULT", False, "%r, wanted %r" % (body.get("result"), want)
            return "ok", True, None
        return self.error(status, body, kind)

    @staticmethod
    def error(status, body, kind):
        code = None
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            code = body["error"].get("code")
        code = code or "HTTP_%d" % status
        return code, EXPECTED_ERRORS.get(kind) == code, body

    def worker(self, start, end, seed):
        node = Node(self.args.url)
        rng = random.Random(seed)
        kinds = [k for k, w in MIX for _ in range(w)]
        written = {}
        while True:
            with self.lock:
                i = self.next_op
                self.next_op += 1
            due = start + i / self.args.rate
            if due >= end:
                return
            pause = due - time.time()
            if pause > 0:
                time.sleep(pause)  # a paced client: the schedule, not async work, is what it waits for
            kind = rng.choice(kinds)
            t0 = time.perf_counter()
            try:
                outcome, expected, detail = self.one(node, kind, rng, written)
            except Exception as e:  # noqa: BLE001 - every client-side failure is an unexpected outcome
                outcome, expected, detail = "CLIENT_" + type(e).__name__, False, e
                node = Node(self.args.url)
            self.record(kind, outcome, expected, time.perf_counter() - t0, detail)

    def load(self, seconds):
        start = time.time()
        end = start + seconds
        with self.lock:
            self.next_op = 0
        threads = [threading.Thread(target=self.worker, args=(start, end, i), daemon=True) for i in range(self.args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.time() - start


def fmt_bytes(b):
    return "n/a" if b is None else "%.1f MiB" % (b / (1 << 20))


def growth(a, b):
    if a is None or b is None or a == 0:
        return None
    return 100.0 * (b - a) / a


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default=os.environ.get("CLOUDBURST_URL", "http://localhost:8080"))
    p.add_argument("--minutes", type=float, default=10.0, help="length of the measured run (default: %(default)s)")
    p.add_argument("--rate", type=float, default=50.0, help="operations per second (default: %(default)s)")
    p.add_argument("--threads", type=int, default=4, help="client threads (default: %(default)s)")
    p.add_argument("--warmup", type=float, default=None,
                   help="seconds of the same load before the start sample (default: 10%% of the run, at most 60)")
    p.add_argument("--pid", type=int, help="the node's pid (default: the process listening on the URL's port)")
    p.add_argument("--max-growth", type=float, default=10.0, help="allowed memory growth in %% (default: %(default)s)")
    args = p.parse_args(argv)
    if args.rate <= 0 or args.threads <= 0 or args.minutes <= 0:
        p.error("--rate, --threads and --minutes must be positive")

    node = Node(args.url)
    try:
        status, health = node.call("GET", "/health")
    except OSError as e:
        raise SystemExit("soak: cannot reach %s: %s" % (args.url, e))
    if status != 200:
        raise SystemExit("soak: %s/health answered %d (a node with a token is not supported)" % (args.url, status))
    pid = args.pid or pid_listening_on(node.port)
    if pid is None:
        print("soak: no pid for port %d (pass --pid): RSS is not measured" % node.port, file=sys.stderr)

    soak = Soak(args)
    soak.setup(node)
    warmup = args.warmup if args.warmup is not None else min(60.0, args.minutes * 6)
    print("soak: run %s against %s (pid %s): %.0f s warm-up, then %.1f min at %.0f ops/s on %d threads"
          % (soak.run, args.url, pid, warmup, args.minutes, args.rate, args.threads), flush=True)
    if warmup > 0:
        soak.load(warmup)
    warm_unexpected = dict(soak.unexpected)
    soak.outcomes, soak.unexpected, soak.latencies = {}, {}, {}
    before = sample_memory(node, pid)
    elapsed = soak.load(args.minutes * 60)
    after = sample_memory(node, pid)

    ops = sum(soak.outcomes.values())
    rows = [
        ("RSS", fmt_bytes(before["rss"]), fmt_bytes(after["rss"]), growth(before["rss"], after["rss"])),
        ("heap after GC (%s)" % after["gc_source"], fmt_bytes(before["heap_after_gc"]), fmt_bytes(after["heap_after_gc"]),
         growth(before["heap_after_gc"], after["heap_after_gc"])),
        ("heap in use now (jvm_memory_used_bytes, heap)", fmt_bytes(before["heap_used"]), fmt_bytes(after["heap_used"]),
         growth(before["heap_used"], after["heap_used"])),
    ]
    print()
    print("| memory | start | end | change |")
    print("| --- | --- | --- | --- |")
    for name, a, b, g in rows:
        print("| %s | %s | %s | %s |" % (name, a, b, "n/a" if g is None else "%+.1f%%" % g))
    print()
    print("ops done: %d in %.0f s (%.1f/s; target %.0f/s); GC pauses during the run: %s"
          % (ops, elapsed, ops / elapsed, args.rate,
             "n/a" if after["gc_pauses"] is None else "%d" % (after["gc_pauses"] - before["gc_pauses"])))
    print()
    print("| operation | outcome | count | median ms | p99 ms |")
    print("| --- | --- | --- | --- | --- |")
    for (kind, outcome), count in sorted(soak.outcomes.items()):
        lat = sorted(soak.latencies.get(kind, [0]))
        print("| %s | %s | %d | %.1f | %.1f |" % (kind, outcome, count, 1000 * lat[len(lat) // 2],
                                              1000 * lat[min(len(lat) - 1, int(len(lat) * 0.99))]))
    errors = {}
    for (kind, outcome), count in soak.outcomes.items():
        if outcome != "ok":
            errors[outcome] = errors.get(outcome, 0) + count
    print()
    print("errors by code: %s" % (", ".join("%s %d" % kv for kv in sorted(errors.items())) or "none"))
    unexpected = sum(soak.unexpected.values())
    print("unexpected outcomes: %d%s" % (unexpected, "" if not unexpected else " " + json.dumps(soak.unexpected)))
    for e in soak.examples:
        print("  e.g. " + e)
    if warm_unexpected:
        print("(during the warm-up, not counted: %s)" % json.dumps(warm_unexpected))

    failed = []
    for name, _, _, g in rows[:2]:
        if g is not None and g > args.max_growth:
            failed.append("%s grew %.1f%% (> %.0f%%)" % (name, g, args.max_growth))
    if unexpected:
        failed.append("%d unexpected outcomes" % unexpected)
    print()
    print("verdict: " + ("FAIL: " + "; ".join(failed) if failed else "ok"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
