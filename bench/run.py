#!/usr/bin/env python3
"""The benchmark behind `./cloudburst bench`.

For each runtime mode (interpreted, jit) it starts a BenchNode JVM (which first measures
in-JVM calls through the Java client), then runs the Python client's benchmark
(examples-python/bench.py) against that node over HTTP, and prints one table per mode with
medians, p99s and the ratio of an invoke to a bare HTTP echo measured in the same run.
Standard library only.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_mode(root, mode, args, workdir):
    port = free_port()
    data = os.path.join(workdir, "data-" + mode)
    jvm_out = os.path.join(workdir, "jvm-" + mode + ".json")
    py_out = os.path.join(workdir, "py-" + mode + ".json")
    log_path = os.path.join(workdir, "node-" + mode + ".log")
    cmd = [os.path.join(root, "cloudburst"), "run-main", mode, "io.cloudburst.bench.BenchNode",
           "--out", jvm_out, "--calls", str(args.jvm_calls), "--warmup", str(args.jvm_warmup),
           "--consistency-calls", str(args.consistency_calls), "--checker-calls", str(args.checker_calls),
           "--port", str(port), "--data", data]
    with open(log_path, "w") as log:
        node = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=root)
        try:
            deadline = time.time() + 900
            while not os.path.exists(jvm_out):
                if node.poll() is not None:
                    raise SystemExit("bench node (%s) exited early; see %s:\n%s" % (mode, log_path, open(log_path).read()[-4000:]))
                if time.time() > deadline:
                    raise SystemExit("bench node (%s) did not report in time; see %s" % (mode, log_path))
                time.sleep(0.2)
            time.sleep(0.2)  # the file is written in one call; give it a moment to be complete
            jvm = json.load(open(jvm_out))
            env = dict(os.environ, CLOUDBURST_URL="http://127.0.0.1:%d" % port)
            subprocess.run([sys.executable, os.path.join(root, "examples-python", "bench.py"),
                            "--n", str(args.n), "--warmup", str(args.warmup), "--json", py_out, "--kvs"],
                           env=env, check=True, cwd=os.path.join(root, "examples-python"))
            py = json.load(open(py_out))
        finally:
            node.terminate()
            try:
                node.wait(30)
            except subprocess.TimeoutExpired:
                node.kill()
    return jvm, py


def row(label, median_ms, p99_ms, note=""):
    return "| %-52s | %10s | %10s | %s |" % (label, fmt(median_ms), fmt(p99_ms), note)


def fmt(ms):
    if ms is None:
        return "-"
    if ms < 1:
        return "%.1f µs" % (ms * 1000)
    return "%.2f ms" % ms


def table(mode, jvm, py):
    lines = ["", "### Runtime mode: %s" % mode, "",
             "| case | median | p99 | notes |", "|---|---|---|---|"]
    cases = py.get("cases", {})

    def c(name):
        return cases.get(name) or {}

    echo, sq = c("echo"), c("sq_wait")
    lines.append(row("(a) bare HTTP echo, Python client", echo.get("median_ms"), echo.get("p99_ms"), "baseline"))
    lines.append(row("(b) invoke `sq` with wait, Python client", sq.get("median_ms"), sq.get("p99_ms"),
                     "ratio (b)/(a) = %.2f" % (sq["median_ms"] / echo["median_ms"]) if sq and echo else ""))
    for key, label in (("java_sq", "(c) invoke `sq` in-JVM, Java client (Python)"),
                       ("java_sq_js", "(c') invoke `sq` in-JVM, Java client (JavaScript)")):
        j = jvm.get(key, {})
        lines.append(row(label, j.get("median_us", 0) / 1000.0, j.get("p99_us", 0) / 1000.0, "n=%s" % j.get("n")))
    d = jvm.get("java_dag", {})
    lines.append(row("DAG incr → sq in-JVM, Java client", d.get("median_us", 0) / 1000.0, d.get("p99_us", 0) / 1000.0,
                     "n=%s" % d.get("n")))
    reg, first = c("register_new"), c("first_call")
    lines.append(row("(d) register a new Python function", reg.get("median_ms"), reg.get("p99_ms"), "validated and loaded"))
    lines.append(row("(d) first call of the just-registered function", first.get("median_ms"), first.get("p99_ms"), ""))
    for name, label in (("kvs_put", "KVS put 64 B, Python client (durable)"), ("kvs_get", "KVS get 64 B, Python client")):
        if c(name):
            lines.append(row(label, c(name).get("median_ms"), c(name).get("p99_ms"), ""))
    state = jvm.get("state", {})
    if state:
        lines.append(row("cache-hit `get` inside a Python function", state["cache_hit_get_ns"] / 1e6, None,
                         "median of 7 loops of 100k gets"))
        lines.append(row("cache-miss `get` inside a Python function", state["cache_miss_get_ns"] / 1e6, None,
                         "read through to the store; median of 7 x 200 keys"))
    cons = jvm.get("consistency", {})
    for level in ("normal", "repeatable_read", "causal"):
        f = cons.get(level)
        if f:
            lines.append(row("DAG of 3 functions x 2 gets, %s" % level, f["median_us"] / 1000.0, f["p99_us"] / 1000.0,
                             "n=%s; overhead vs normal: median %+.1f%%, p99 %+.1f%%"
                             % (f["n"], f["median_overhead_pct"], f["p99_overhead_pct"])))
    for level, f in cons.get("checker", {}).items():
        lines.append(row("consistency checker, %s" % level, None, None,
                         "%d calls, %d write pairs: %d repeatable-read and %d causal anomalies, %d failed"
                         % (f["calls"], f["writes"], f["repeatable_read_anomalies"], f["causal_anomalies"], f["failed"])))
    at = jvm.get("atomic", {})
    if at.get("atomic"):
        n, a = at["normal"], at["atomic"]
        lines.append(row("DAG of 3 functions x (2 gets + 1 put), not atomic", n["median_us"] / 1000.0, n["p99_us"] / 1000.0,
                         "n=%s" % n["n"]))
        lines.append(row("DAG of 3 functions x (2 gets + 1 put), atomic", a["median_us"] / 1000.0, a["p99_us"] / 1000.0,
                         "n=%s; atomic / not: median %.2fx, p99 %.2fx" % (a["n"], a["median_ratio"], a["p99_ratio"])))
    for mode, f in at.get("checker", {}).items():
        lines.append(row("atomicity checker, %s writers" % mode, None, None,
                         "%d reader calls, %d writer calls (%d failing): %d fractured reads, %d partial commits, %d failed reads"
                         % (f["reader_calls"], f["writer_calls"], f["failing_writers"], f["fractured_reads"],
                            f["partial_commits"], f["failed_reads"])))
    lines.append("")
    for who, w in (("in-JVM cases", jvm.get("warmup")), ("Python client cases", py.get("jit_warmup"))):
        if w:
            lines.append("Warm-up of the %s until the node's JIT compilers were quiet: %d round(s) of %d calls per case, %.1f s, "
                         "last round added %s ms of compilation (%s)."
                         % (who, w["rounds"], w["calls_per_round"], w["seconds"], w["last_round_compile_ms"],
                            "quiet" if w["jit_quiet"] else "NOT quiet: figures include JIT work"))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--modes", default="interpreted,jit")
    ap.add_argument("--n", type=int, default=1000, help="sequential Python client calls per case")
    ap.add_argument("--warmup", type=int, default=1000, help="Python client warm-up calls per case (the JVM compiles the HTTP path meanwhile)")
    ap.add_argument("--jvm-calls", type=int, default=20000)
    ap.add_argument("--jvm-warmup", type=int, default=5000)
    ap.add_argument("--consistency-calls", type=int, default=2000, help="in-JVM DAG calls per consistency level")
    ap.add_argument("--checker-calls", type=int, default=1000, help="consistency checker calls per level")
    ap.add_argument("--quick", action="store_true", help="fewer calls, for a smoke run")
    ap.add_argument("--json", help="also write every figure to this file")
    args = ap.parse_args()
    if args.quick:
        args.n, args.warmup, args.jvm_calls, args.jvm_warmup = 200, 20, 2000, 500
        args.consistency_calls, args.checker_calls = 400, 200
    workdir = tempfile.mkdtemp(prefix="cloudburst-bench-")
    results = {}
    try:
        for mode in args.modes.split(","):
            jvm, py = run_mode(args.root, mode, args, workdir)
            results[mode] = {"jvm": jvm, "python": py}
            print(table(mode, jvm, py), flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("\n(%d sequential calls per Python case after %d warm-up; %d in-JVM calls after %d warm-up; 2-core machine)"
          % (args.n, args.warmup, args.jvm_calls, args.jvm_warmup))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
