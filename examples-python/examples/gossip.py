"""The paper's gossip average: several invocations of one DAG call agree on the mean of their
values by messaging each other directly with ``send``/``recv`` (no trip through the store).

Each peer starts with its own number. In every round it sends its current estimate to every other
peer, waits for theirs, and takes the mean of all estimates it knows. The estimates converge on
the mean of the starting numbers (here after the first round, since every peer hears from all).

    python3 examples/gossip.py    # against CLOUDBURST_URL, default http://localhost:8080
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from cloudburst import CloudburstConnection, CloudburstError  # noqa: E402

PEER_SOURCE = '''
def peer(cloudburst, value, peers, rounds):
    me = cloudburst.id()
    call = me[:me.rindex("/")]
    others = [call + "/" + p for p in peers if call + "/" + p != me]
    estimate = float(value)
    early = []                      # messages of later rounds that arrived early
    for r in range(rounds):
        for other in others:
            cloudburst.send(other, ("%d:%r" % (r, estimate)).encode())
        heard = []
        pending = early
        early = []
        while len(heard) < len(others):
            for sender, data in pending:
                rnd, val = data.decode().split(":")
                if int(rnd) == r:
                    heard.append(float(val))
                else:
                    early.append((sender, data))
            pending = [] if len(heard) >= len(others) else cloudburst.recv()
        estimate = (estimate + sum(heard)) / (1 + len(heard))
    return estimate
'''


def run(cloud, values, suffix="", rounds=3):
    """Registers one peer per value and a DAG of them (no connections), calls it, returns the estimates."""
    names = ["gossip_peer%d%s" % (i, suffix) for i in range(len(values))]
    for name in names:
        cloud.register(PEER_SOURCE, name, language="python", entrypoint="peer")
    dag = "gossip" + suffix
    try:
        cloud.create_dag(dag, names, [])
    except CloudburstError as e:
        if e.code != "DAG_ALREADY_EXISTS":
            raise
    args = {name: [v, names, rounds] for name, v in zip(names, values)}
    return cloud.call_dag(dag, args, direct_response=True, timeout_ms=60_000).get(timeout=90)


if __name__ == "__main__":
    cloud = CloudburstConnection(os.environ.get("CLOUDBURST_URL", "http://localhost:8080"))
    estimates = run(cloud, [1, 5, 9, 25])
    print("estimates:", estimates, "(mean of the starting values: 10.0)")
