"""A three-stage inference pipeline as a DAG: preprocess → two model stand-ins in parallel →
average. The two models run on whatever executors the scheduler picks and pass their results
straight to ``average``, which receives them in the order of the DAG's connections.

    python3 examples/pipeline.py  # against CLOUDBURST_URL, default http://localhost:8080
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from cloudburst import CloudburstConnection, CloudburstError  # noqa: E402


def preprocess(cloudburst, xs):
    lo, hi = min(xs), max(xs)
    return [(x - lo) / (hi - lo) if hi > lo else 0.0 for x in xs]


def model_linear(cloudburst, xs):
    weights = [0.5, 0.25, 0.125, 0.125]
    return sum(w * x for w, x in zip(weights, xs))


def model_mean(cloudburst, xs):
    return sum(xs) / len(xs)


def average(cloudburst, a, b):
    return {"linear": a, "mean": b, "ensemble": (a + b) / 2}


def run(cloud, xs, suffix=""):
    """Registers the four stages and the DAG, runs it on ``xs`` and returns the ensemble."""
    stages = [preprocess, model_linear, model_mean, average]
    names = {f.__name__: f.__name__ + suffix for f in stages}
    for f in stages:
        cloud.register(f, names[f.__name__])
    dag = "pipeline" + suffix
    try:
        cloud.create_dag(dag, list(names.values()), [
            [names["preprocess"], names["model_linear"]],
            [names["preprocess"], names["model_mean"]],
            [names["model_linear"], names["average"]],
            [names["model_mean"], names["average"]],
        ])
    except CloudburstError as e:
        if e.code != "DAG_ALREADY_EXISTS":
            raise
    return cloud.call_dag(dag, {names["preprocess"]: [xs]}, direct_response=True).get(timeout=60)


if __name__ == "__main__":
    cloud = CloudburstConnection(os.environ.get("CLOUDBURST_URL", "http://localhost:8080"))
    print(run(cloud, [3, 7, 1, 9]))
