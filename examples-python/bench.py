"""Latency of the Python client against the node at CLOUDBURST_URL (default http://localhost:8080).

    python3 bench.py --n 1000 --warmup 50 --json py.json [--kvs]

One request at a time on the connection's persistent socket, it measures
    echo          a bare HTTP round trip (POST /v1/echo of a small JSON body), the baseline
    sq_wait       invoking a registered Python `sq` with wait (direct_response)
    register_new  registering a fresh, uniquely named Python function
    first_call    the first call of that just-registered function
    kvs_put/get   with --kvs: a put and a get of a 64-byte value
and writes {"cases": {name: {"n", "median_us", "p99_us", "mean_us", "min_us",
"median_ms", "p99_ms"}}, ...} (the *_ms figures are what bench/run.py reads).
"""
import argparse
import json
import math
import os
import statistics
import time
import urllib.request
import uuid

from cloudburst import CloudburstConnection

# Fresh functions registered for register_new/first_call: each loads new code, so a few suffice.
FIRST_CALLS = 10
ECHO_BODY = {"hello": "cloudburst", "n": 1}
KVS_VALUE = bytes(range(64))


def sq(cloudburst, x):
    return x * x


def stats(samples_ns):
    """Median, p99 (nearest rank), mean and min of the samples, in µs and (median, p99) in ms."""
    ordered = sorted(samples_ns)
    us = [s / 1000.0 for s in ordered]
    p99 = us[max(0, math.ceil(0.99 * len(us)) - 1)]
    median = statistics.median(us)
    return {"n": len(us), "median_us": round(median, 1), "p99_us": round(p99, 1),
            "mean_us": round(statistics.fmean(us), 1), "min_us": round(us[0], 1),
            "median_ms": median / 1000.0, "p99_ms": p99 / 1000.0}


def jit_compile_ms(url):
    """The node's accumulated compilation time from /metrics (HotSpot's JIT, plus the Graal
    compiler's threads compiling guest code in jit mode), in ms, or None when it does not say."""
    total = None
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/metrics", timeout=10) as r:
            for line in r.read().decode().splitlines():
                if line.startswith("jvm_compilation_time_ms_total"):
                    total = (total or 0) + float(line.rsplit(" ", 1)[1])
                elif line.startswith("cloudburst_guest_compiler_cpu_seconds_total"):
                    total = (total or 0) + 1000 * float(line.rsplit(" ", 1)[1])
    except OSError:
        return None
    return total


def warm_until_quiet(url, calls, per_round=500, quiet_ms=25, max_s=60):
    """Runs rounds of every call until a round adds under quiet_ms of compilation on the node (at
    most max_s): until then the node's compilers take a core of this 2-core machine from the calls
    being measured. Returns what was done."""
    start, rounds, added = time.monotonic(), 0, None
    while time.monotonic() - start < max_s:
        before = jit_compile_ms(url)
        for call in calls:
            for _ in range(per_round):
                call()
        after = jit_compile_ms(url)
        rounds += 1
        if before is None or after is None:
            break
        added = after - before
        if added < quiet_ms:
            break
    return {"rounds": rounds, "calls_per_round": per_round, "seconds": round(time.monotonic() - start, 1),
            "last_round_compile_ms": added, "jit_quiet": added is not None and added < quiet_ms}


def measure(call, expected, n, warmup):
    """Times n sequential calls after warmup untimed ones, checking each answer."""
    samples = []
    for i in range(warmup + n):
        start = time.perf_counter_ns()
        answer = call()
        elapsed = time.perf_counter_ns() - start
        if answer != expected:
            raise SystemExit("bench: expected %r, got %r" % (expected, answer))
        if i >= warmup:
            samples.append(elapsed)
    return stats(samples)


def first_calls(cloud, run, count):
    """Registers `count` fresh functions, timing each registration and each one's first call."""
    registrations, calls = [], []
    for i in range(count):
        name = "bench_first_%s_%d" % (run, i)
        start = time.perf_counter_ns()
        cloud.register(sq, name)
        registered = time.perf_counter_ns()
        answer = cloud.exec_func(name, [3], direct_response=True).get()
        done = time.perf_counter_ns()
        if answer != 9:
            raise SystemExit("bench: first call of %s gave %r" % (name, answer))
        registrations.append(registered - start)
        calls.append(done - registered)
    return stats(registrations), stats(calls)


def print_table(cases):
    print("%-14s %6s %12s %12s %12s %12s" % ("case", "n", "median µs", "p99 µs", "mean µs", "min µs"))
    for name, s in cases.items():
        print("%-14s %6d %12.1f %12.1f %12.1f %12.1f"
              % (name, s["n"], s["median_us"], s["p99_us"], s["mean_us"], s["min_us"]))
    print("sq_wait / echo (medians): %.2f" % (cases["sq_wait"]["median_us"] / cases["echo"]["median_us"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="timed sequential calls per case")
    ap.add_argument("--warmup", type=int, default=50, help="untimed calls before each case")
    ap.add_argument("--json", help="write the figures to this file")
    ap.add_argument("--kvs", action="store_true", help="also measure KVS put and get of a 64-byte value")
    ap.add_argument("--jit-quiet-max-s", type=float, default=60,
                    help="before measuring, warm the measured cases up until the node's compilers are quiet, for at most this long (0: skip)")
    args = ap.parse_args()
    if args.n < 1 or args.warmup < 0:
        ap.error("--n must be positive and --warmup not negative")

    url = os.environ.get("CLOUDBURST_URL", "http://localhost:8080")
    run = uuid.uuid4().hex[:8]
    cases = {}
    warm = None
    with CloudburstConnection(url, timeout=120) as cloud:
        name = "bench_sq_" + run
        cloud.register(sq, name)
        key = "bench_kvs_" + run
        if args.jit_quiet_max_s > 0:
            warm_calls = [lambda: cloud.echo(ECHO_BODY), lambda: cloud.exec_func(name, [2], direct_response=True).get()]
            if args.kvs:
                warm_calls += [lambda: cloud.put_object(key, KVS_VALUE), lambda: cloud.get_object(key)]
            warm = warm_until_quiet(url, warm_calls, max_s=args.jit_quiet_max_s)
        cases["echo"] = measure(lambda: cloud.echo(ECHO_BODY), ECHO_BODY, args.n, args.warmup)
        cases["sq_wait"] = measure(lambda: cloud.exec_func(name, [2], direct_response=True).get(), 4,
                                   args.n, args.warmup)
        if args.kvs:
            cases["kvs_put"] = measure(lambda: cloud.put_object(key, KVS_VALUE), True, args.n, args.warmup)
            cases["kvs_get"] = measure(lambda: cloud.get_object(key), KVS_VALUE, args.n, args.warmup)
            cloud.delete_object(key)
        # Last: each registration makes the node refill its spare contexts in the background (seconds
        # of CPU on this 2-core machine), which would weigh on any case measured after it.
        cases["register_new"], cases["first_call"] = first_calls(cloud, run, min(FIRST_CALLS, args.n))

    print_table(cases)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"url": url, "n": args.n, "warmup": args.warmup, "jit_warmup": warm, "cases": cases}, f, indent=2)


if __name__ == "__main__":
    main()
