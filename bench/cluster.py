#!/usr/bin/env python3
"""The cluster benchmark behind `./cloudburst bench --cluster`.

It first measures one node with in-JVM event-bus clients (DagThroughputBench: a node embedded in
the bench JVM, --jvm-concurrency calls in flight), then starts `./cloudburst cluster 3` and
`./cloudburst cluster 1` side by side (node processes on this machine's loopback, free ports, a
temporary data directory; each cluster is stopped with SIGTERM, and waited for, whatever happens)
and measures a two-function DAG, incr -> sq:

  - warm-up: rounds of the measured load, the two clusters in turn, until no node's compilers
    (HotSpot's JIT time and the guest compiler's CPU, from each node's /metrics) add --quiet-ms or
    more in a round;
  - load: K client threads, each with its own keep-alive connection (the lean client of
    examples-python), for a fixed time; on 3 nodes spread over the three nodes' HTTP ports. The
    two clusters are loaded in --pairs pairs of windows, in alternating order (3,1 / 1,3 / ...),
    the other one idle meanwhile: the speed of these virtual machines drifts by 20% within
    minutes, and measuring one cluster after the other put that drift into the ratio. Reported:
    calls/s, latency median/p99, node CPU per call (utime+stime of every node process from /proc
    over the window, divided by the calls completed in it), cross-node messages and bytes per call
    (the nodes' cloudburst_bus_wire_* counters), then the nodes' idle CPU over --idle-s seconds;
    and the line `cpu per call 3 nodes / 1 node: X.XX`; the one node is also loaded at the 3-node
    run's calls/s per node (the client threads held to a third of its rate), which gives the line
    `cpu per call 3 nodes / 1 node at the same calls/s per node: X.XX` (a node's cost per call
    grows as its rate falls: more of its threads' wake-ups are paid by one call each);
  - sequential DAG latency (median, p99) on 1 node; on 3 nodes, the same DAG with both functions
    pinned on one node, on two different nodes, and both on a node other than the entry node.

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

    def __init__(self, root, n, workdir, start_timeout, spin_us=None):
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
        if spin_us is not None:
            cmd += ["--spin-us", str(spin_us)]
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


CLK_TCK = os.sysconf("SC_CLK_TCK")


def java_pid(pid):
    """The node's JVM: pid itself, or its java child when pid is a wrapper shell."""
    try:
        with open("/proc/%d/comm" % pid) as f:
            if f.read().strip() == "java":
                return pid
    except OSError:
        return pid
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    st = f.read()
                if int(st.rsplit(")", 1)[1].split()[1]) == pid and "(java)" in st:
                    return int(d)
            except (OSError, IndexError, ValueError):
                pass
    return pid


def cpu_seconds(pids):
    """utime + stime of these processes (all their threads), in seconds, from /proc."""
    total = 0
    for pid in pids:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / CLK_TCK


def compile_ms(ports):
    """Per node: HotSpot's JIT time plus the guest compiler's CPU time so far (ms), from /metrics."""
    out = []
    for p in ports:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % p, timeout=10) as r:
            text = r.read().decode()
        ms = 0.0
        for line in text.splitlines():
            if line.startswith("jvm_compilation_time_ms_total"):
                ms += float(line.rsplit(" ", 1)[1])
            elif line.startswith("cloudburst_guest_compiler_cpu_seconds_total"):
                ms += 1000 * float(line.rsplit(" ", 1)[1])
        out.append(ms)
    return out


def measured_load(cluster, path, body, args, rate=None, idle=True):
    """The throughput window with the nodes' CPU and cross-node messages around it, then (with idle)
    the nodes' idle CPU."""
    pids = [java_pid(p) for p in cluster.node_pids]
    cpu0 = cpu_seconds(pids)
    tp = throughput(cluster.ports, path, body, args.threads, 0, args.duration, rate)
    cpu = cpu_seconds(pids) - cpu0
    tp["wire"] = wire_per_call(tp.pop("wire_before"), tp.pop("wire_after"), tp["calls_all"])
    tp["node_cpu_s"] = round(cpu, 2)
    tp["cpu_us_per_call"] = 1e6 * cpu / max(1, tp["calls_all"])
    if idle:
        tp.update(idle_cpu([cluster], args)[0])
    return tp


def idle_cpu(clusters, args):
    """Each cluster's node CPU per second over the same --idle-s seconds, nothing loading them."""
    pids = [[java_pid(p) for p in c.node_pids] for c in clusters]
    before, t0 = [cpu_seconds(p) for p in pids], time.monotonic()
    time.sleep(args.idle_s)
    el = time.monotonic() - t0
    return [{"idle_cpu_s_per_s": (cpu_seconds(p) - b) / el, "idle_s": args.idle_s} for p, b in zip(pids, before)]


def warm_all_until_quiet(clusters, path, body, args):
    """Rounds of the measured load on each cluster in turn until no node of it adds --quiet-ms or
    more of compilation in a round (HotSpot's JIT and, in jit mode, the guest compiler), for at
    most --warm-max-s of its own rounds. A cluster that is quiet waits idle for the others, and
    idle nodes do not compile."""
    state = [{"rounds": 0, "seconds": 0.0, "quiet": False, "last_round_compile_ms": [], "round_s": args.round_s}
             for _ in clusters]
    while True:
        pending = [i for i, w in enumerate(state) if not w["quiet"] and w["seconds"] <= args.warm_max_s]
        if not pending:
            return state
        for i in pending:
            c, w = clusters[i], state[i]
            t0 = time.monotonic()
            before = compile_ms(c.ports)
            throughput(c.ports, path, body, args.threads, 0, args.round_s)
            w["last_round_compile_ms"] = [round(b - a) for a, b in zip(before, compile_ms(c.ports))]
            w["rounds"] += 1
            w["seconds"] = round(w["seconds"] + time.monotonic() - t0, 1)
            w["quiet"] = max(w["last_round_compile_ms"]) < args.quiet_ms


def pooled(windows):
    """One throughput figure from several windows of the same load: calls and CPU summed, latency
    over all the samples, cross-node messages per call weighted by calls."""
    calls_all = sum(w["calls_all"] for w in windows)
    samples = [x for w in windows for x in w["samples_ns"]]
    out = stats_ms(samples)
    out.update({
        "calls": sum(w["calls"] for w in windows), "calls_all": calls_all,
        "seconds": sum(w["seconds"] for w in windows), "threads": windows[0]["threads"],
        "windows": len(windows),
        "node_cpu_s": round(sum(w["node_cpu_s"] for w in windows), 2),
        "load_1min": [windows[0]["load_1min"][0], windows[-1]["load_1min"][1]],
    })
    out["calls_per_s"] = out["calls"] / out["seconds"]
    out["cpu_us_per_call"] = 1e6 * out["node_cpu_s"] / max(1, calls_all)
    sinks = {}
    for w in windows:
        for k, v in w["sink_nodes"].items():
            sinks[k] = sinks.get(k, 0) + v
    out["sink_nodes"] = sinks
    wires = [w["wire"] for w in windows]
    out["wire"] = {
        "messages_per_call": sum(x["messages_per_call"] * w["calls_all"] for x, w in zip(wires, windows)) / max(1, calls_all),
        "bytes_per_call": sum(x["bytes_per_call"] * w["calls_all"] for x, w in zip(wires, windows)) / max(1, calls_all),
        "periodic_messages_per_call": sum(x["periodic_messages_per_call"] * w["calls_all"] for x, w in zip(wires, windows))
        / max(1, calls_all),
        "by_record": wires[-1]["by_record"],
    }
    return out


def interleaved(three, one, path, body, args):
    """--pairs pairs of load windows, one on the 3-node cluster and one on the one node, the order
    alternating between pairs (3,1 / 1,3 / 3,1 ...), so that a change in the machine's speed over
    the run (these virtual machines drift by 20% within minutes) weighs on both clusters alike."""
    w3, w1 = [], []
    for i in range(args.pairs):
        order = [(three, w3), (one, w1)] if i % 2 == 0 else [(one, w1), (three, w3)]
        for cluster, into in order:
            into.append(measured_load(cluster, path, body, args, idle=False))
    return w3, w1


def strip_samples(tp):
    tp.pop("samples_ns", None)
    return tp


def in_jvm(root, workdir, args):
    """Single-node DAG throughput from in-JVM event-bus clients (DagThroughputBench)."""
    cmd = [os.path.join(root, "cloudburst"), "run-main", "interpreted", "io.cloudburst.bench.DagThroughputBench",
           "--concurrency", str(args.jvm_concurrency), "--seconds", str(args.duration),
           "--jit-quiet-max-s", str(args.warm_max_s), "--port", "0", "--data", os.path.join(workdir, "in-jvm")]
    print("bench: in-JVM clients: %s" % " ".join(cmd[1:]), file=sys.stderr, flush=True)
    out = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=args.warm_max_s + args.duration + 600)
    for line in out.stdout.splitlines():
        if line.startswith("DAG-THROUGHPUT "):
            return json.loads(line[len("DAG-THROUGHPUT "):])
    raise SystemExit("bench: the in-JVM throughput run failed (exit %d):\n%s" % (out.returncode, (out.stdout + out.stderr)[-3000:]))


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


def throughput(ports, path, body, threads, warmup_s, duration_s, rate=None):
    """K threads calling as fast as they can (or, with a rate, together at about that many calls per
    second, each thread at its share); calls finishing in the timed window count."""
    interval = threads / rate if rate else 0
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
                due = t0 + interval * i / threads
                while True:
                    if interval:
                        wait = due - time.monotonic()
                        if wait > 0:
                            time.sleep(wait)
                        due += interval
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
    s["samples_ns"] = samples
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


def load_row(label, t, note=""):
    return "| %-52s | %8.0f | %9s | %9s | %7.0f µs | %5.2f / %6.0f B | %6.3f CPU-s/s | %s |" % (
        label, t["calls_per_s"], fmt(t.get("median_ms")), fmt(t.get("p99_ms")), t["cpu_us_per_call"],
        t["wire"]["messages_per_call"], t["wire"]["bytes_per_call"], t["idle_cpu_s_per_s"], note)


def warm_note(w):
    return "warm-up %d round(s) of %g s, %.0f s, last round's compilation per node %s ms%s" % (
        w["rounds"], w["round_s"], w["seconds"], "/".join(str(x) for x in w["last_round_compile_ms"]),
        "" if w["quiet"] else " (NOT quiet: cap reached)")


def table(r, args):
    t1, t3 = r["one"]["throughput"], r["three"]["throughput"]
    seq1 = r["one"]["sequential"]
    same, cross, remote = r["three"]["same_node"], r["three"]["cross_node"], r["three"]["remote_node"]
    lines = ["", "### Cluster: DAG incr → sq (Python functions), interpreted mode", "",
             "| load | calls/s | median | p99 | node CPU per call | cross-node messages / bytes per call "
             "| idle CPU after load (all nodes) | notes |", "|---|---|---|---|---|---|---|---|"]
    j = r.get("in_jvm")
    if j:
        lines.append("| %-52s | %8.0f | %9s | %9s | %7.0f µs | - | - | in-JVM event-bus clients in the node's own JVM "
                     "(CPU per call is the whole process's, clients included); warm-up %.0f s, %s |"
                     % ("1 node, %d in-JVM clients (calls in flight)" % j["concurrency"], j["calls_per_s"],
                        fmt(j["median_us"] / 1000), fmt(j["p99_us"] / 1000), j["cpu_us_per_call"], j["warmup_s"],
                        "JIT quiet" if j["jit_quiet"] else "JIT NOT quiet"))
    lines.append(load_row("1 node, %d Python client threads" % t1["threads"], t1,
                          "%d calls in %d windows, %g s; %s; load %s→%s" % (t1["calls"], t1["windows"], t1["seconds"],
                                                                             warm_note(r["one"]["warmup"]),
                                                               t1["load_1min"][0], t1["load_1min"][1])))
    tp1 = r["one"]["paced"]
    lines.append(load_row("1 node, at the 3-node run's calls/s per node", tp1,
                          "%d Python client threads held together to a third of the 3-node rate; %d calls in %g s"
                          % (tp1["threads"], tp1["calls"], tp1["seconds"])))
    lines.append(load_row("3 nodes, %d Python client threads over 3 ports" % t3["threads"], t3,
                          "%d calls in %d windows, %g s; sinks on %s; %s; %s; load %s→%s"
                          % (t3["calls"], t3["windows"], t3["seconds"], ", ".join("%s ×%d" % kv for kv in sorted(t3["sink_nodes"].items())),
                             wire_note(t3["wire"]), warm_note(r["three"]["warmup"]), t3["load_1min"][0], t3["load_1min"][1])))
    lines.append("")
    lines.append("cpu per call 3 nodes / 1 node: %.2f" % (t3["cpu_us_per_call"] / t1["cpu_us_per_call"]))
    lines.append("cpu per call 3 nodes / 1 node, window by window: %s" % ", ".join(
        "%.0f/%.0f µs = %.2f" % (a["cpu_us_per_call"], b["cpu_us_per_call"], a["cpu_us_per_call"] / b["cpu_us_per_call"])
        for a, b in zip(r["three"]["windows"], r["one"]["windows"])))
    lines.append("cpu per call 3 nodes / 1 node at the same calls/s per node: %.2f"
                 % (t3["cpu_us_per_call"] / tp1["cpu_us_per_call"]))
    lines.append("")
    lines.append("| latency case | median | p99 | calls/s | notes |")
    lines.append("|---|---|---|---|---|")
    lines.append(row("1 node: sequential DAG call", seq1, "", "n=%d" % seq1["n"]))
    lines.append(row("3 nodes: incr and sq both on node1 (entered via node1)", same, "",
                     "baseline for cross-node; " + placement_note(same)))
    lines.append(row("3 nodes: incr on node1, sq on node2 (entered via node1)", cross, "",
                     "cross/same = **%.2f** (p99 %.2f); %s; %s" % (cross["median_ms"] / same["median_ms"],
                     cross["p99_ms"] / same["p99_ms"], wire_note(cross["wire"]), placement_note(cross))))
    lines.append(row("3 nodes: incr and sq both on node2 (entered via node1)", remote, "",
                     "remote/same = %.2f; %s; %s" % (remote["median_ms"] / same["median_ms"], wire_note(remote["wire"]),
                                                     placement_note(remote))))
    lines.append("")
    lines.append("(%d Python client threads; the 3-node and 1-node loads ran in %d pair(s) of %g s windows, in alternating "
                 "order, the other cluster idle meanwhile; node CPU is utime+stime of every node process from /proc over "
                 "the windows divided by the calls completed in them; idle CPU of both clusters over the same %g s right "
                 "after the last window; %d sequential calls after %d warm-up per latency case; every node, the client "
                 "threads and the Hazelcast members share this machine's %d cores)"
                 % (args.threads, args.pairs, args.duration, args.idle_s, args.n, args.warmup, os.cpu_count()))
    if not all(c["placement_verified"] for c in (same, cross, remote)):
        lines.append("WARNING: a latency case did not run where it was pinned (see its notes)")
    return "\n".join(lines)


# ---------------------------------------------------------------- main

def run_both(root, workdir, args):
    """Both clusters side by side: warmed in turn, then measured in alternating windows (the other
    cluster idle meanwhile), then each one's own cases."""
    clusters = []
    try:
        three = Cluster(root, 3, workdir, args.start_timeout, args.spin_us)
        clusters.append(three)
        one = Cluster(root, 1, workdir, args.start_timeout, args.spin_us)
        clusters.append(one)
        path, body = "/v1/dags/dag_tp/invoke", dag_body("incr_tp", "sq_tp", 0, 0)
        for c in clusters:
            register_dag(c.ports[0], "dag_tp", "incr_tp", "sq_tp")
        warm3, warm1 = warm_all_until_quiet([three, one], path, body, args)
        w3, w1 = interleaved(three, one, path, body, args)
        idle3, idle1 = idle_cpu([three, one], args)
        tp3, tp1 = strip_samples(pooled(w3)), strip_samples(pooled(w1))
        tp3.update(idle3)
        tp1.update(idle1)
        # The one node at the rate each node of the 3-node cluster ran at: how much of the 3-node
        # cost per call is the cluster's, and how much a node's own at that lower rate.
        paced = strip_samples(measured_load(one, path, body, args, tp3["calls_per_s"] / 3))
        seq = sequential(one.ports[0], path, body, args.n, args.warmup)
        out_one = {"warmup": warm1, "throughput": tp1, "windows": [strip_samples(w) for w in w1], "paced": paced,
                   "sequential": seq, "ports": one.ports}
        out_three = {"warmup": warm3, "throughput": tp3, "windows": [strip_samples(w) for w in w3],
                     "ports": three.ports}
        out_three["same_node"] = pinned_case(three, "same", "node1", "node1", args)
        out_three["cross_node"] = pinned_case(three, "cross", "node1", "node2", args)
        out_three["remote_node"] = pinned_case(three, "remote", "node2", "node2", args)
        return out_three, out_one
    finally:
        for c in clusters:
            c.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=ROOT_DEFAULT)
    ap.add_argument("--threads", type=int, default=8, help="concurrent client threads in the throughput cases")
    ap.add_argument("--duration", type=float, default=20, help="timed seconds per throughput window")
    ap.add_argument("--pairs", type=int, default=3,
                    help="pairs of load windows (3 nodes, 1 node, in alternating order) the throughput figures pool")
    ap.add_argument("--n", type=int, default=2000, help="timed sequential calls per latency case")
    ap.add_argument("--warmup", type=int, default=500, help="untimed sequential calls before each latency case")
    ap.add_argument("--start-timeout", type=int, default=900, help="seconds a cluster may take to start (a build included)")
    ap.add_argument("--round-s", type=float, default=5, help="seconds per warm-up round")
    ap.add_argument("--quiet-ms", type=float, default=50,
                    help="warm-up ends after a round in which no node compiled for this many ms or more")
    ap.add_argument("--warm-max-s", type=float, default=240, help="longest warm-up per cluster")
    ap.add_argument("--idle-s", type=float, default=20, help="seconds of idle CPU measured after the load")
    ap.add_argument("--jvm-concurrency", type=int, default=32, help="in-JVM clients (calls in flight) on one node")
    ap.add_argument("--no-in-jvm", action="store_true", help="skip the in-JVM single-node run")
    ap.add_argument("--quick", action="store_true", help="short runs, for a smoke test")
    ap.add_argument("--spin-us", type=int, default=None,
                    help="idle polling of every node in both clusters (default: ./cloudburst cluster's, 200 us for one node, 0 for three)")
    ap.add_argument("--json", help="also write every figure to this file")
    args = ap.parse_args()
    if args.quick:
        args.duration, args.n, args.warmup, args.pairs = 3, 100, 30, 1
        args.round_s, args.warm_max_s, args.idle_s = 2, 10, 3
    if args.threads < 1 or args.duration <= 0 or args.n < 1 or args.warmup < 0 or args.pairs < 1:
        ap.error("--threads, --duration, --n and --pairs must be positive, --warmup not negative")
    started = datetime.datetime.now(datetime.timezone.utc)
    load_start = [round(x, 2) for x in os.getloadavg()]  # other work on the machine shows in the figures
    workdir = tempfile.mkdtemp(prefix="cloudburst-bench-cluster-")
    try:
        results = {"in_jvm": None if args.no_in_jvm else in_jvm(args.root, workdir, args)}
        results["three"], results["one"] = run_both(args.root, workdir, args)
    except BaseException:
        print("bench: cluster logs kept in %s" % workdir, file=sys.stderr)
        raise
    shutil.rmtree(workdir, ignore_errors=True)
    results["started"] = started.strftime("%Y-%m-%d %H:%M UTC")
    results["load_average"] = {"start": load_start, "end": [round(x, 2) for x in os.getloadavg()]}
    results["cores"] = os.cpu_count()
    results["settings"] = {k: getattr(args, k) for k in ("threads", "duration", "pairs", "n", "warmup", "quick", "round_s",
                                                         "quiet_ms", "warm_max_s", "idle_s", "jvm_concurrency")}
    print(table(results, args), flush=True)
    print("\n(run started %s; load average (1, 5, 15 min) at start %s, at end %s)"
          % (results["started"], results["load_average"]["start"], results["load_average"]["end"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
