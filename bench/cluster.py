#!/usr/bin/env python3
"""The cluster benchmark behind `./cloudburst bench --cluster`.

It starts `./cloudburst cluster 1` and then `./cloudburst cluster 3` (node processes on this
machine's loopback, free ports, a temporary data directory; each cluster is stopped with SIGTERM,
and waited for, whatever happens) and measures a two-function DAG, incr -> sq:

  - DAG calls per second with K client threads, each with its own keep-alive connection (the
    lean client of examples-python), for a fixed time after a warm-up; on 3 nodes the threads
    are spread over the three nodes' HTTP ports;
  - sequential DAG latency (median, p99) on 1 node;
  - on 3 nodes, sequential latency of the same DAG with both functions pinned on one node, with
    the two functions pinned on two different nodes, and with both on a node other than the
    one the call enters through.

Pinning uses the placement policy itself: each function takes a `{"$ref": key}` argument to a key
that only the chosen node's cache holds (a PUT through that node put it there), and placement
prefers the executor whose node caches a call's referenced keys. DagRun passes a function its
explicit arguments first, then its upstreams' results, so incr(cloudburst, pin, x) and
sq(cloudburst, pin, x) take the pin first. Where the functions ran is checked, not assumed: the
sink's executor in every result, a direct call of each function with the same pin, and the warm
lists of /v1/status (each latency case registers its own copies of the functions).

All processes (nodes and client) share this one machine, so the 3-node throughput is what its
cores allow, not scale-out. Standard library only.
"""
import argparse
import datetime
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import shutil
import threading
import time
import urllib.request

ROOT_DEFAULT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

INCR = "def incr(cloudburst, pin, x):\n    return x + 1\n"
SQ = "def sq(cloudburst, pin, x):\n    return x * x\n"
X = 2
EXPECTED = (X + 1) * (X + 1)
REQUEST_TIMEOUT = 60


# ---------------------------------------------------------------- cluster processes

def ports_free(base, n):
    for p in range(base, base + n):
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", p))
            except OSError:
                return False
    return True


def free_range(n, taken=()):
    """A base port with n consecutive free ports, clear of the ranges in taken."""
    for _ in range(200):
        base = random.randint(20000, 60000 - n)
        if any(abs(base - t) < 16 for t in taken):
            continue
        if ports_free(base, n):
            return base
    raise SystemExit("bench: found no %d consecutive free ports" % n)


def get_json(port, path, timeout=10):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=timeout) as r:
        return json.loads(r.read())


class Cluster:
    """`./cloudburst cluster N` as a child process; stop() sends SIGTERM and waits for it."""

    def __init__(self, root, n, workdir, start_timeout):
        self.n = n
        self.base = free_range(n)
        self.member = free_range(n, taken=(self.base,))
        self.ports = [self.base + i for i in range(n)]
        self.data = os.path.join(workdir, "cluster%d" % n)
        self.log_path = os.path.join(workdir, "cluster%d.log" % n)
        self.node_pids = []
        self._log = open(self.log_path, "w")
        cmd = [os.path.join(root, "cloudburst"), "cluster", str(n), "--base-port", str(self.base),
               "--member-port", str(self.member), "--data", self.data]
        print("bench: %s" % " ".join(cmd[1:]), file=sys.stderr, flush=True)
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, cwd=root)
        try:
            self._wait_up(start_timeout)
        except BaseException:
            self.stop()
            raise

    def _tail(self):
        with open(self.log_path) as f:
            return f.read()[-3000:]

    def _wait_up(self, timeout):
        deadline = time.time() + timeout
        marker = "cluster of %d node(s) up" % self.n
        while True:
            if self.proc.poll() is not None:
                raise SystemExit("bench: ./cloudburst cluster %d exited (%s); its output:\n%s"
                                 % (self.n, self.proc.returncode, self._tail()))
            text = open(self.log_path).read()
            if marker in text:
                break
            if time.time() > deadline:
                raise SystemExit("bench: the %d-node cluster did not come up in %d s; its output:\n%s"
                                 % (self.n, timeout, self._tail()))
            time.sleep(0.3)
        # The table lines "nodeI  http://...  127.0.0.1:M  PID  DIR": the node processes' ids, used
        # only if the script itself does not stop them.
        for line in text.splitlines():
            parts = line.split()
            if len(parts) >= 4 and parts[0].startswith("node") and parts[3].isdigit():
                self.node_pids.append(int(parts[3]))
        # Every node's scheduler must see all N nodes with executors before a call is placed.
        while True:
            try:
                if all(len(live_nodes(get_json(p, "/v1/status"))) == self.n for p in self.ports):
                    return
            except (OSError, ValueError):
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                raise SystemExit("bench: the %d-node cluster's schedulers never saw %d nodes; output:\n%s"
                                 % (self.n, self.n, self._tail()))
            time.sleep(0.3)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(90)
            except subprocess.TimeoutExpired:
                # The script did not stop its nodes in time: stop them (by their ids) and then it.
                print("bench: the cluster script did not stop in 90 s; terminating its nodes %s" % self.node_pids,
                      file=sys.stderr)
                for pid in self.node_pids:
                    try:
                        os.kill(pid, signal.SIGTERM)
                    except ProcessLookupError:
                        pass
                try:
                    self.proc.wait(30)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        self._log.close()


def wire(ports):
    """{record type: [messages, bytes]} the nodes wrote for other nodes so far, summed over the nodes
    (the cloudburst_bus_wire_* counters of /metrics: counted where a record is encoded for a cluster hop)."""
    out = {}
    for p in ports:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % p, timeout=10) as r:
            text = r.read().decode()
        for line in text.splitlines():
            if not line.startswith("cloudburst_bus_wire_") or 'record="' not in line:
                continue
            name, value = line.rsplit(" ", 1)
            record = name.split('record="', 1)[1].split('"', 1)[0]
            slot = 0 if name.startswith("cloudburst_bus_wire_messages") else 1
            out.setdefault(record, [0.0, 0.0])[slot] += float(value)
    return out


# Records a node sends on a timer whatever the load; counted apart from the per-call ones.
PERIODIC = ("ExecutorStatus", "CacheEvent.Report")


def wire_per_call(before, after, calls):
    """Cross-node messages and bytes per call between two wire() snapshots."""
    per = {}
    for rec, (m, b) in after.items():
        m0, b0 = before.get(rec, [0.0, 0.0])
        if m > m0:
            per[rec] = [(m - m0) / max(calls, 1), (b - b0) / max(calls, 1)]
    calls_only = {r: v for r, v in per.items() if r not in PERIODIC}
    return {"messages_per_call": sum(v[0] for v in calls_only.values()),
            "bytes_per_call": sum(v[1] for v in calls_only.values()),
            "periodic_messages_per_call": sum(v[0] for r, v in per.items() if r in PERIODIC),
            "by_record": {r: [round(v[0], 3), round(v[1], 1)] for r, v in sorted(per.items())}}


def wire_note(w):
    return "cross-node per call: %.2f messages, %.0f B (%s; periodic status/reports %.2f more)" % (
        w["messages_per_call"], w["bytes_per_call"],
        ", ".join("%s %.2f" % (r, v[0]) for r, v in w["by_record"].items() if r not in PERIODIC and v[0] >= 0.01) or "none",
        w["periodic_messages_per_call"])


def live_nodes(status):
    return [n for n in status.get("nodes", []) if n.get("executors")]


def warm_by_node(port):
    """{node id: set of warm function versions on any of its executors}."""
    out = {}
    for n in get_json(port, "/v1/status").get("nodes", []):
        warm = set()
        for e in n.get("executors", []):
            warm.update(e.get("warm", []))
        out[n["id"]] = warm
    return out


def node_of(executor):
    """"cloudburst.executor.<node>.<index>" -> <node>."""
    parts = (executor or "").split(".")
    return parts[2] if len(parts) >= 4 else "?"


# ---------------------------------------------------------------- client side

sys.path.insert(0, os.path.join(ROOT_DEFAULT, "examples-python"))
from cloudburst import CloudburstConnection  # noqa: E402  (the stdlib client of this repository)


def connect(port):
    return CloudburstConnection("http://127.0.0.1:%d" % port, timeout=REQUEST_TIMEOUT)


def invoke(conn, path, body):
    """One waiting invoke; returns the whole answer (the client's futures drop the executor field)."""
    status, reply = conn._request("POST", path, body, REQUEST_TIMEOUT)
    if status != 200 or not isinstance(reply, dict) or reply.get("status") != "done":
        raise RuntimeError("HTTP %d: %.300r" % (status, reply))
    if reply.get("result") != EXPECTED:
        raise RuntimeError("expected %r, got %.300r" % (EXPECTED, reply))
    return reply


def dag_body(incr, sq, pin_incr, pin_sq):
    """The invoke body: incr gets (pin, X), sq gets (pin) and then incr's result."""
    return {"args": {incr: [pin_incr, X], sq: [pin_sq]}, "wait": True}


def register_dag(port, dag, incr_name, sq_name):
    with connect(port) as c:
        c.register(INCR, incr_name, language="python", entrypoint="incr")
        c.register(SQ, sq_name, language="python", entrypoint="sq")
        c.create_dag(dag, [incr_name, sq_name], [[incr_name, sq_name]])


def stats_ms(samples_ns):
    ordered = sorted(samples_ns)
    if not ordered:
        return {"n": 0, "median_ms": None, "p99_ms": None}
    p99 = ordered[max(0, -(-99 * len(ordered) // 100) - 1)]  # nearest rank
    return {"n": len(ordered), "median_ms": statistics.median(ordered) / 1e6, "p99_ms": p99 / 1e6,
            "mean_ms": statistics.fmean(ordered) / 1e6}


def sequential(port, path, body, n, warmup):
    """n timed sequential calls after warmup untimed ones; also which node each sink ran on."""
    samples, sinks = [], {}
    with connect(port) as c:
        for i in range(warmup + n):
            start = time.perf_counter_ns()
            reply = invoke(c, path, body)
            elapsed = time.perf_counter_ns() - start
            if i >= warmup:
                samples.append(elapsed)
                node = node_of(reply.get("executor"))
                sinks[node] = sinks.get(node, 0) + 1
    s = stats_ms(samples)
    s["sink_nodes"] = sinks
    return s


def throughput(ports, path, body, threads, warmup_s, duration_s):
    """K threads calling as fast as they can; calls finishing in the timed window count."""
    t0 = time.monotonic() + 0.5  # let every thread connect first
    window = (t0 + warmup_s, t0 + warmup_s + duration_s)
    lock = threading.Lock()
    counted, errors, samples, sinks = [0], [], [], {}

    def worker(i):
        mine, my_samples, my_sinks = 0, [], {}
        try:
            with connect(ports[i % len(ports)]) as c:
                c.health()
                while time.monotonic() < t0:
                    time.sleep(0.001)
                while True:
                    start = time.perf_counter_ns()
                    reply = invoke(c, path, body)
                    elapsed = time.perf_counter_ns() - start
                    now = time.monotonic()
                    with lock:
                        everything[0] += 1
                    if now >= window[1]:
                        break
                    if now >= window[0]:
                        mine += 1
                        my_samples.append(elapsed)
                        node = node_of(reply.get("executor"))
                        my_sinks[node] = my_sinks.get(node, 0) + 1
        except Exception as e:  # reported, and the run fails below
            with lock:
                errors.append("thread %d: %s" % (i, e))
        with lock:
            counted[0] += mine
            samples.extend(my_samples)
            for k, v in my_sinks.items():
                sinks[k] = sinks.get(k, 0) + v

    load_before = round(os.getloadavg()[0], 2)
    wire_before = wire(ports)
    everything = [0]
    ts = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(warmup_s + duration_s + REQUEST_TIMEOUT + 30)
    if errors:
        raise SystemExit("bench: %d client thread(s) failed: %s" % (len(errors), "; ".join(errors[:3])))
    s = stats_ms(samples)
    s.update({"calls": counted[0], "seconds": duration_s, "calls_per_s": counted[0] / duration_s,
              "threads": threads, "sink_nodes": sinks, "calls_all": everything[0],
              "wire_before": wire_before, "wire_after": wire(ports),
              "load_1min": [load_before, round(os.getloadavg()[0], 2)]})
    return s


def put_pin(port, key):
    with connect(port) as c:
        c.put_object(key, 0)


def wait_cached(port, node, key, timeout=15):
    """Waits until the schedulers report `key` in `node`'s cache (the cache reports about once a second)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for n in get_json(port, "/v1/status").get("nodes", []):
            if n["id"] == node and key in n.get("cache", {}).get("keys_shown", []):
                return
        time.sleep(0.2)
    raise SystemExit("bench: node %s's cache never reported key %s" % (node, key))


def where_function_runs(port, fn, pin):
    """The node a direct call of fn with this pin argument runs on (same placement inputs as in the DAG)."""
    with connect(port) as c:
        status, reply = c._request("POST", "/v1/functions/%s/invoke" % fn,
                                   {"args": [pin, X], "wait": True}, REQUEST_TIMEOUT)
    if status != 200:
        raise SystemExit("bench: direct call of %s failed: HTTP %d %.300r" % (fn, status, reply))
    return node_of(reply.get("executor"))


def pinned_case(cluster, tag, incr_node, sq_node, args):
    """Sequential latency of a fresh copy of the DAG, incr pinned on incr_node and sq on sq_node."""
    entry = cluster.ports[0]
    incr, sq, dag = "incr_" + tag, "sq_" + tag, "dag_" + tag
    register_dag(entry, dag, incr, sq)
    keys = {}
    for node in sorted({incr_node, sq_node}):
        key = "pin_%s_%s" % (tag, node)
        port = cluster.ports[int(node[len("node"):]) - 1]
        put_pin(port, key)
        wait_cached(entry, node, key)
        keys[node] = {"$ref": key}
    path = "/v1/dags/%s/invoke" % dag
    before = wire(cluster.ports)
    result = sequential(entry, path, dag_body(incr, sq, keys[incr_node], keys[sq_node]), args.n, args.warmup)
    result["wire"] = wire_per_call(before, wire(cluster.ports), args.n + args.warmup)
    warm = warm_by_node(entry)
    result.update({
        "intended": {"incr": incr_node, "sq": sq_node, "entered_through": "node1"},
        "incr_direct_call_node": where_function_runs(entry, incr, keys[incr_node]),
        "sq_direct_call_node": where_function_runs(entry, sq, keys[sq_node]),
        "warm": {fn: sorted(n for n, vs in warm.items() if any(v.split("@")[0] == fn for v in vs)) for fn in (incr, sq)},
    })
    ok = (result["sink_nodes"] == {sq_node: args.n} and result["incr_direct_call_node"] == incr_node
          and result["sq_direct_call_node"] == sq_node)
    result["placement_verified"] = ok
    return result


# ---------------------------------------------------------------- report

def fmt(ms):
    if ms is None:
        return "-"
    if ms < 1:
        return "%.0f µs" % (ms * 1000)
    return "%.2f ms" % ms


def row(label, s, rate="", note=""):
    return "| %-58s | %9s | %9s | %9s | %s |" % (label, fmt(s.get("median_ms")), fmt(s.get("p99_ms")), rate, note)


def placement_note(s):
    w = s["warm"]
    fns = sorted(w)
    return ("sink sq ran on %s; direct calls with the same pins: incr on %s, sq on %s; warm: %s"
            % (", ".join("%s ×%d" % kv for kv in sorted(s["sink_nodes"].items())), s["incr_direct_call_node"],
               s["sq_direct_call_node"], ", ".join("%s on %s" % (f.split("_")[0], "+".join(w[f]) or "-") for f in fns)))


def table(r, args):
    t1, t3 = r["one"]["throughput"], r["three"]["throughput"]
    seq1 = r["one"]["sequential"]
    same, cross, remote = r["three"]["same_node"], r["three"]["cross_node"], r["three"]["remote_node"]
    lines = ["", "### Cluster: DAG incr → sq (Python functions), interpreted mode", "",
             "| case | median | p99 | calls/s | notes |", "|---|---|---|---|---|"]
    lines.append(row("1 node: %d client threads, calls per second" % t1["threads"], t1, "%.0f" % t1["calls_per_s"],
                     "baseline; %d calls in %g s; 1-min load average before/after %s/%s"
                     % (t1["calls"], t1["seconds"], t1["load_1min"][0], t1["load_1min"][1])))
    lines.append(row("3 nodes: %d client threads over the 3 HTTP ports" % t3["threads"], t3, "%.0f" % t3["calls_per_s"],
                     "3-node/1-node = **%.2f**; %d calls in %g s; %s; sinks ran on %s; 1-min load average before/after %s/%s"
                     % (t3["calls_per_s"] / t1["calls_per_s"], t3["calls"], t3["seconds"], wire_note(t3["wire"]),
                        ", ".join("%s ×%d" % kv for kv in sorted(t3["sink_nodes"].items())),
                        t3["load_1min"][0], t3["load_1min"][1])))
    lines.append(row("1 node: sequential DAG call", seq1, "", "n=%d" % seq1["n"]))
    lines.append(row("3 nodes: incr and sq both on node1 (entered via node1)", same, "",
                     "baseline for cross-node; " + placement_note(same)))
    lines.append(row("3 nodes: incr on node1, sq on node2 (entered via node1)", cross, "",
                     "cross/same = **%.2f** (p99 %.2f); %s; %s" % (cross["median_ms"] / same["median_ms"],
                     cross["p99_ms"] / same["p99_ms"], wire_note(cross["wire"]), placement_note(cross))))
    lines.append(row("3 nodes: incr and sq both on node2 (entered via node1)", remote, "",
                     "remote/same = %.2f; %s" % (remote["median_ms"] / same["median_ms"], placement_note(remote))))
    lines.append("")
    lines.append("(%d client threads for %g s after %g s of warm-up per throughput case; %d sequential calls after %d "
                 "warm-up per latency case; every node, the client threads and the Hazelcast members share this "
                 "machine's %d cores, so 3 nodes cannot beat 1 node on throughput here: the 3-node figure is what "
                 "%d cores allow with the cluster's extra hops, not scale-out)"
                 % (args.threads, args.duration, args.warmup_s, args.n, args.warmup, os.cpu_count(), os.cpu_count()))
    if not all(c["placement_verified"] for c in (same, cross, remote)):
        lines.append("WARNING: a latency case did not run where it was pinned (see its notes)")
    return "\n".join(lines)


# ---------------------------------------------------------------- main

def run_one(root, workdir, args):
    cluster = Cluster(root, 1, workdir, args.start_timeout)
    try:
        register_dag(cluster.ports[0], "dag_tp", "incr_tp", "sq_tp")
        path, body = "/v1/dags/dag_tp/invoke", dag_body("incr_tp", "sq_tp", 0, 0)
        sequential(cluster.ports[0], path, body, 1, args.warmup)  # JIT-compiles the path first
        tp = throughput(cluster.ports, path, body, args.threads, args.warmup_s, args.duration)
        tp.pop("wire_before"), tp.pop("wire_after")
        seq = sequential(cluster.ports[0], path, body, args.n, args.warmup)
        return {"throughput": tp, "sequential": seq, "ports": cluster.ports}
    finally:
        cluster.stop()


def run_three(root, workdir, args):
    cluster = Cluster(root, 3, workdir, args.start_timeout)
    try:
        register_dag(cluster.ports[0], "dag_tp", "incr_tp", "sq_tp")
        path, body = "/v1/dags/dag_tp/invoke", dag_body("incr_tp", "sq_tp", 0, 0)
        for p in cluster.ports:
            sequential(p, path, body, 1, args.warmup)
        tp = throughput(cluster.ports, path, body, args.threads, args.warmup_s, args.duration)
        out = {"throughput": tp, "ports": cluster.ports}
        tp["wire"] = wire_per_call(tp.pop("wire_before"), tp.pop("wire_after"), tp["calls_all"])
        out["same_node"] = pinned_case(cluster, "same", "node1", "node1", args)
        out["cross_node"] = pinned_case(cluster, "cross", "node1", "node2", args)
        out["remote_node"] = pinned_case(cluster, "remote", "node2", "node2", args)
        return out
    finally:
        cluster.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=ROOT_DEFAULT)
    ap.add_argument("--threads", type=int, default=8, help="concurrent client threads in the throughput cases")
    ap.add_argument("--duration", type=float, default=20, help="timed seconds per throughput case")
    ap.add_argument("--warmup-s", type=float, default=20, help="untimed seconds before each throughput window")
    ap.add_argument("--n", type=int, default=2000, help="timed sequential calls per latency case")
    ap.add_argument("--warmup", type=int, default=500, help="untimed sequential calls before each latency case")
    ap.add_argument("--start-timeout", type=int, default=900, help="seconds a cluster may take to start (a build included)")
    ap.add_argument("--quick", action="store_true", help="short runs, for a smoke test")
    ap.add_argument("--json", help="also write every figure to this file")
    args = ap.parse_args()
    if args.quick:
        args.duration, args.warmup_s, args.n, args.warmup = 3, 2, 100, 30
    if args.threads < 1 or args.duration <= 0 or args.n < 1 or args.warmup < 0:
        ap.error("--threads, --duration and --n must be positive, --warmup not negative")
    started = datetime.datetime.now(datetime.timezone.utc)
    load_start = [round(x, 2) for x in os.getloadavg()]  # other work on the machine shows in the figures
    workdir = tempfile.mkdtemp(prefix="cloudburst-bench-cluster-")
    try:
        results = {"one": run_one(args.root, workdir, args), "three": run_three(args.root, workdir, args)}
    except BaseException:
        print("bench: cluster logs kept in %s" % workdir, file=sys.stderr)
        raise
    shutil.rmtree(workdir, ignore_errors=True)
    results["started"] = started.strftime("%Y-%m-%d %H:%M UTC")
    results["load_average"] = {"start": load_start, "end": [round(x, 2) for x in os.getloadavg()]}
    results["cores"] = os.cpu_count()
    results["settings"] = {k: getattr(args, k) for k in ("threads", "duration", "warmup_s", "n", "warmup", "quick")}
    print(table(results, args), flush=True)
    print("\n(run started %s; load average (1, 5, 15 min) at start %s, at end %s)"
          % (results["started"], results["load_average"]["start"], results["load_average"]["end"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
