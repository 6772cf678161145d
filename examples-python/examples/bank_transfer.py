"""A bank transfer as an atomic DAG: debit, then credit; all of it or nothing, and once per request id.

    python3 examples/bank_transfer.py   # against CLOUDBURST_URL, default http://localhost:8080

``debit`` takes the amount from one account and ``credit`` adds it to the other; ``credit``
refuses a frozen account. Called atomically, a refused credit leaves the debit invisible (no
money vanishes), and a retried request (same ``request_id``, e.g. after a lost answer or a lost
executor) moves the money once. Neither function has to be idempotent.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from cloudburst import CloudburstConnection, CloudburstError  # noqa: E402


def debit(cloudburst, src, dst, amount):
    balance = cloudburst.get(src) or 0
    if balance < amount:
        raise ValueError("insufficient funds in %s" % src)
    cloudburst.put(src, balance - amount)
    return [dst, amount]


def credit(cloudburst, order):
    dst, amount = order
    if cloudburst.get(dst + "_frozen"):
        raise ValueError("account %s is frozen" % dst)
    cloudburst.put(dst, (cloudburst.get(dst) or 0) + amount)
    return {"to": dst, "amount": amount}


def run(cloud, suffix=""):
    """Transfers between fresh accounts and returns the balances after each step."""
    names = {f.__name__: f.__name__ + suffix for f in (debit, credit)}
    for f in (debit, credit):
        cloud.register(f, names[f.__name__])
    dag = "transfer" + suffix
    try:
        cloud.create_dag(dag, list(names.values()), [[names["debit"], names["credit"]]])
    except CloudburstError as e:
        if e.code != "DAG_ALREADY_EXISTS":
            raise
    alice, bob, carol = "alice" + suffix, "bob" + suffix, "carol" + suffix
    cloud.put_object(alice, 100)
    cloud.put_object(bob, 0)
    cloud.put_object(carol + "_frozen", True)

    def transfer(src, dst, amount, request_id):
        return cloud.call_dag(dag, {names["debit"]: [src, dst, amount]}, direct_response=True,
                              atomic=True, request_id=request_id).get(timeout=60)

    def balances():
        return {"alice": cloud.get_object(alice), "bob": cloud.get_object(bob), "carol": cloud.get_object(carol)}

    out = {}
    transfer(alice, bob, 30, "t1" + suffix)
    out["after_transfer"] = balances()
    transfer(alice, bob, 30, "t1" + suffix)  # the same request again: answered, not redone
    out["after_retry"] = balances()
    try:
        transfer(alice, carol, 50, "t2" + suffix)  # credit refuses: the debit never shows
    except CloudburstError as e:
        out["refused"] = e.code
    out["after_refused"] = balances()
    return out


if __name__ == "__main__":
    cloud = CloudburstConnection(os.environ.get("CLOUDBURST_URL", "http://localhost:8080"))
    for step, value in run(cloud).items():
        print(step, value)
