"""Retwis, the Twitter clone of the Cloudburst paper's evaluation, on the key-value store.

Users follow each other and post; a user's timeline is the newest posts of the people they
follow, newest first. Everything lives in the store under one key prefix (a namespace), so several
runs never see each other's data:

    <prefix>/users              set      every user name
    <prefix>/user/<u>           lww      u's profile, {"name": u}
    <prefix>/following/<u>      set      the users u follows
    <prefix>/followers/<u>      set      the users who follow u
    <prefix>/posts/<u>          set      u's own posts, {"id", "user", "text"}
    <prefix>/timeline/<u>       set      the posts of the users u follows (fan-out on write)
    <prefix>/post/<id>          lww      one post, by id
    <prefix>/next_post_id       counter  the last post id handed out

The set keys are created from the client with ``put_object(..., lattice="set")`` before any
function writes them (a put from inside a function onto an absent key would make an lww key);
afterwards every put of a list into them is a union, so following twice or delivering a post
twice changes nothing.

Posting is a DAG, ``post -> fanout``: ``post`` numbers and stores the post, ``fanout`` adds it to
every follower's timeline (fan-out on write: a timeline read is one get). ``follow`` also copies
the followed user's earlier posts into the follower's timeline, so a timeline always holds exactly
the posts of the people followed, whatever the order of follows and posts. Sets only grow: there
is no unfollow. Post ids come from a counter (add 1, read back); two posts made at the same
moment may read the same id, so the ids are unique for posts made one after another, which is
what this example and its test do.

    python3 examples/retwis.py    # against CLOUDBURST_URL, default http://localhost:8080
"""
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from cloudburst import CloudburstConnection, CloudburstError  # noqa: E402

# ---- the functions (each is sent as its own source: no module globals inside) ----


def create_user(cloudburst, prefix, user):
    """Records ``user``'s profile; the client has created the user's set keys just before."""
    if not isinstance(user, str) or not user or "/" in user:
        raise ValueError("a user name is a non-empty string without '/': %r" % (user,))
    if cloudburst.get(prefix + "/following/" + user) is None:
        raise ValueError("create %s's set keys first (Retwis.create_user does)" % user)
    cloudburst.put(prefix + "/user/" + user, {"name": user})
    cloudburst.put(prefix + "/users", [user])
    return {"name": user}


def follow(cloudburst, prefix, user, other):
    """``user`` follows ``other``; returns whom ``user`` follows now."""
    if user == other:
        raise ValueError("%s cannot follow themselves" % user)
    profiles = cloudburst.get([prefix + "/user/" + user, prefix + "/user/" + other])
    for name in (user, other):
        if profiles.get(prefix + "/user/" + name) is None:
            raise ValueError("no such user: %s" % name)
    cloudburst.put(prefix + "/following/" + user, [other])
    cloudburst.put(prefix + "/followers/" + other, [user])
    # Backfill: other's earlier posts join user's timeline (a union, so a second follow adds nothing).
    earlier = cloudburst.get(prefix + "/posts/" + other) or []
    if earlier:
        cloudburst.put(prefix + "/timeline/" + user, earlier)
    return sorted(cloudburst.get(prefix + "/following/" + user))


def post(cloudburst, prefix, user, text):
    """Stores a new post of ``user`` and returns it, {"id", "user", "text"} (the DAG's first stage)."""
    if not isinstance(text, str) or not text:
        raise ValueError("a post is a non-empty string")
    if cloudburst.get(prefix + "/user/" + user) is None:
        raise ValueError("no such user: %s" % user)
    cloudburst.put(prefix + "/next_post_id", 1)
    post_id = cloudburst.get(prefix + "/next_post_id")
    record = {"id": post_id, "user": user, "text": text}
    cloudburst.put(prefix + "/post/%d" % post_id, record)
    cloudburst.put(prefix + "/posts/" + user, [record])
    return record


def fanout(cloudburst, prefix, record):
    """Adds ``record`` to the timeline of each of its author's followers (the DAG's second stage)."""
    followers = cloudburst.get(prefix + "/followers/" + record["user"]) or []
    for follower in followers:
        cloudburst.put(prefix + "/timeline/" + follower, [record])
    return dict(record, delivered=sorted(followers))


def timeline(cloudburst, prefix, user, n):
    """The ``n`` newest posts of the people ``user`` follows, newest first."""
    if not isinstance(n, int) or n < 0:
        raise ValueError("n is a non-negative integer")
    posts = cloudburst.get(prefix + "/timeline/" + user)
    if posts is None:
        raise ValueError("no such user: %s" % user)
    posts.sort(key=lambda p: (p["id"], p["user"], p["text"]), reverse=True)
    return posts[:n]


FUNCTIONS = [create_user, follow, post, fanout, timeline]
SET_KEYS = ("following", "followers", "posts", "timeline")

# ---- the client side ----


class Retwis:
    """Retwis in the namespace ``prefix`` (a key prefix), with functions named ``retwis_<fn><suffix>``."""

    def __init__(self, cloud, prefix, suffix=""):
        self.cloud = cloud
        self.prefix = prefix
        self.names = {f.__name__: "retwis_" + f.__name__ + suffix for f in FUNCTIONS}
        self.dag = "retwis_post_fanout" + suffix

    def register(self):
        """Registers the five functions and the DAG post -> fanout (once per suffix; again is harmless)."""
        for f in FUNCTIONS:
            self.cloud.register(f, self.names[f.__name__])
        try:
            self.cloud.create_dag(self.dag, [self.names["post"], self.names["fanout"]],
                                  [[self.names["post"], self.names["fanout"]]])
        except CloudburstError as e:
            if e.code != "DAG_ALREADY_EXISTS":  # a rerun: the DAG names the functions just re-registered
                raise
        return self

    def _call(self, fn, *args):
        return self.cloud.exec_func(self.names[fn], [self.prefix] + list(args), direct_response=True).get()

    def create_user(self, user):
        """Creates the namespace's and the user's lattice keys (merges: idempotent), then the profile."""
        self.cloud.put_object(self.prefix + "/users", [], lattice="set")
        self.cloud.put_object(self.prefix + "/next_post_id", 0, lattice="counter")
        for kind in SET_KEYS:
            self.cloud.put_object("%s/%s/%s" % (self.prefix, kind, user), [], lattice="set")
        return self._call("create_user", user)

    def follow(self, user, other):
        return self._call("follow", user, other)

    def post(self, user, text):
        """Runs the DAG post -> fanout; returns the post and the followers it reached."""
        args = {self.names["post"]: [self.prefix, user, text], self.names["fanout"]: [self.prefix]}
        return self.cloud.call_dag(self.dag, args, direct_response=True).get()

    def timeline(self, user, n=10):
        return self._call("timeline", user, n)


def run(cloud, prefix, suffix="", n=10):
    """Registers Retwis, plays a small story in namespace ``prefix`` and returns each user's timeline."""
    app = Retwis(cloud, prefix, suffix).register()
    for user in ("alice", "bob", "carol"):
        app.create_user(user)
    app.post("bob", "Hello, I'm Bob")              # 1: nobody follows bob yet
    app.follow("alice", "bob")                     # alice's timeline gets post 1 (backfill)
    app.follow("alice", "bob")                     # again: changes nothing
    app.follow("bob", "alice")
    app.post("alice", "Alice's first post")        # 2: to bob
    app.post("carol", "Carol here")                # 3: nobody follows carol yet
    app.follow("alice", "carol")                   # alice gets post 3 (backfill)
    app.post("bob", "Bob again")                   # 4: to alice
    app.post("carol", "Carol again")               # 5: to alice
    return {user: app.timeline(user, n) for user in ("alice", "bob", "carol")}


if __name__ == "__main__":
    cloud = CloudburstConnection(os.environ.get("CLOUDBURST_URL", "http://localhost:8080"))
    prefix = "retwis/" + uuid.uuid4().hex[:8]
    print("namespace", prefix)
    for user, posts in run(cloud, prefix).items():
        print("%s's timeline (%d):" % (user, len(posts)))
        for p in posts:
            print("  #%d %-6s %s" % (p["id"], p["user"], p["text"]))
