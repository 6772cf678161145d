"""examples/retwis.py against a live node: timelines, the follow graph, limits and refusals.

Every call is made one after another, so post ids and timelines are exact. Each test plays in
its own key namespace (``retwis/<run>/<test>``), so the tests and reruns never share data.
"""
import importlib.util
import os
import unittest

from cloudburst import CloudburstError
from tests.support import FEATURES, RUN, connect

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUFFIX = "_" + RUN


def load_retwis():
    """Imports examples/retwis.py without running its __main__ part."""
    path = os.path.join(HERE, "examples", "retwis.py")
    spec = importlib.util.spec_from_file_location("example_retwis", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def post(pid, user, text):
    return {"id": pid, "user": user, "text": text}


# What examples/retwis.py's run() plays out, newest first.
ALICE = [post(5, "carol", "Carol again"), post(4, "bob", "Bob again"),
         post(3, "carol", "Carol here"), post(1, "bob", "Hello, I'm Bob")]
BOB = [post(2, "alice", "Alice's first post")]


@unittest.skipUnless("kvs" in FEATURES and "dags" in FEATURES,
                     "the key-value store or DAGs not enabled: add 'kvs' and 'dags' to CLOUDBURST_FEATURES")
class RetwisTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cloud = connect()
        cls.retwis = load_retwis()
        cls.example_prefix = "retwis/%s/example" % RUN
        # Registers the functions and the DAG for every test, and plays the example's story.
        cls.timelines = cls.retwis.run(cls.cloud, cls.example_prefix, suffix=SUFFIX)
        cls.example = cls.retwis.Retwis(cls.cloud, cls.example_prefix, SUFFIX)

    @classmethod
    def tearDownClass(cls):
        cls.cloud.close()

    def fresh(self, *users):
        """A Retwis of its own namespace for this test, with ``users`` created."""
        app = self.retwis.Retwis(self.cloud, "retwis/%s/%s" % (RUN, self._testMethodName), SUFFIX)
        for user in users:
            self.assertEqual(app.create_user(user), {"name": user})
        return app

    def test_example_timelines_are_exact_newest_first(self):
        self.assertEqual(self.timelines, {"alice": ALICE, "bob": BOB, "carol": []})

    def test_timeline_keeps_the_n_newest(self):
        self.assertEqual(self.example.timeline("alice", 2), ALICE[:2])
        self.assertEqual(self.example.timeline("alice", 1), ALICE[:1])
        self.assertEqual(self.example.timeline("alice", 0), [])
        self.assertEqual(self.example.timeline("alice", 100), ALICE)

    def test_timeline_holds_only_followed_users_posts(self):
        following = set(self.cloud.get_object(self.example_prefix + "/following/alice"))
        self.assertEqual(following, {"bob", "carol"})
        for user, posts in self.timelines.items():
            followed = set(self.cloud.get_object(self.example_prefix + "/following/" + user))
            for p in posts:
                self.assertIn(p["user"], followed, msg=user)
                self.assertNotEqual(p["user"], user)  # never one's own posts

    def test_key_layout(self):
        p = self.example_prefix
        self.assertEqual(sorted(self.cloud.get_object(p + "/users")), ["alice", "bob", "carol"])
        self.assertEqual(self.cloud.get_object(p + "/user/bob"), {"name": "bob"})
        self.assertEqual(self.cloud.get_object(p + "/followers/alice"), ["bob"])
        self.assertEqual(sorted(self.cloud.get_object(p + "/followers/bob")), ["alice"])
        self.assertEqual(sorted(self.cloud.get_object(p + "/posts/bob"), key=lambda r: r["id"]),
                         [post(1, "bob", "Hello, I'm Bob"), post(4, "bob", "Bob again")])
        self.assertEqual(self.cloud.get_object(p + "/post/3"), post(3, "carol", "Carol here"))
        self.assertEqual(self.cloud.get_object(p + "/next_post_id"), 5)

    def test_following_twice_does_not_duplicate(self):
        app = self.fresh("ann", "ben")
        app.post("ben", "before the follow")
        self.assertEqual(app.follow("ann", "ben"), ["ben"])
        self.assertEqual(app.follow("ann", "ben"), ["ben"])
        self.assertEqual(self.cloud.get_object(app.prefix + "/following/ann"), ["ben"])
        self.assertEqual(self.cloud.get_object(app.prefix + "/followers/ben"), ["ann"])
        self.assertEqual(app.post("ben", "after the follow"),
                         dict(post(2, "ben", "after the follow"), delivered=["ann"]))
        self.assertEqual(app.follow("ann", "ben"), ["ben"])  # the backfill again: a union, no copies
        self.assertEqual(app.timeline("ann"), [post(2, "ben", "after the follow"),
                                               post(1, "ben", "before the follow")])

    def test_user_with_no_follows_has_an_empty_timeline(self):
        app = self.fresh("solo", "talker", "fan")
        app.follow("fan", "talker")
        app.follow("talker", "solo")
        app.post("talker", "anyone there?")
        app.post("solo", "hi talker")
        self.assertEqual(app.timeline("solo"), [])
        self.assertEqual(app.timeline("fan"), [post(1, "talker", "anyone there?")])
        self.assertEqual(app.timeline("talker"), [post(2, "solo", "hi talker")])

    def test_post_reports_the_followers_it_reached(self):
        app = self.fresh("star", "f1", "f2")
        self.assertEqual(app.post("star", "no audience"), dict(post(1, "star", "no audience"), delivered=[]))
        app.follow("f2", "star")
        app.follow("f1", "star")
        self.assertEqual(app.post("star", "hello fans"),
                         dict(post(2, "star", "hello fans"), delivered=["f1", "f2"]))
        self.assertEqual(app.timeline("f1"), app.timeline("f2"))

    def test_unknown_users_and_bad_arguments_are_refused(self):
        app = self.fresh("real")
        for call in (lambda: app.follow("real", "ghost"),
                     lambda: app.follow("ghost", "real"),
                     lambda: app.follow("real", "real"),
                     lambda: app.timeline("ghost"),
                     lambda: app.timeline("real", -1),
                     lambda: app.post("ghost", "boo"),
                     lambda: app.post("real", "")):
            with self.assertRaises(CloudburstError) as caught:
                call()
            self.assertEqual(caught.exception.code, "EXECUTION_ERROR")
        self.assertEqual(app.timeline("real"), [])
        self.assertIsNone(self.cloud.get_object(app.prefix + "/user/ghost"))


if __name__ == "__main__":
    unittest.main()
