"""What the live tests share: the node's URL, the enabled features and per-run unique names."""
import os
import uuid

from cloudburst import CloudburstConnection

URL = os.environ.get("CLOUDBURST_URL", "http://localhost:8080")
FEATURES = {f.strip() for f in os.environ.get("CLOUDBURST_FEATURES", "functions").split(",") if f.strip()}
# Names carry this run's suffix so reruns against the same node never collide.
RUN = uuid.uuid4().hex[:10]
# Generous: the first registration on a fresh node loads a language context.
TIMEOUT = 120


def unique(name):
    """``name`` made unique to this run."""
    return "%s_%s" % (name, RUN)


def connect():
    """A connection to the node under test."""
    return CloudburstConnection(URL, timeout=TIMEOUT)
