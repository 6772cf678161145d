package io.cloudburst.kvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.Deadlines;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.codec.CloudburstCodecs;
import io.cloudburst.bus.lattice.CounterLattice;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LwwLattice;
import io.cloudburst.bus.lattice.SetLattice;
import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.KvsRequest;
import io.cloudburst.bus.msg.NodeEvent;
import io.cloudburst.bus.txn.CommitRecord;
import io.cloudburst.bus.txn.TxnIds;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster store on real Hazelcast members in this JVM, on loopback: two data members and a lite
 * (compute-only) member, each with its own clustered Vert.x and store, so pushed updates cross
 * nodes on the clustered event bus. The crash test and the no-storage test start their own small
 * clusters. Requests go to {@link Addresses#KVS} of one node's Vert.x, which only that node's store
 * serves.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterKvsVerticleTest {
  private static final DeliveryOptions TIMEOUT = new DeliveryOptions().setSendTimeout(15_000);
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");

  private record Node(String id, HazelcastInstance hz, Vertx vertx, ClusterKvsVerticle kvs) {}

  private static Node a;
  private static Node b;
  private static Node lite;

  @BeforeAll
  static void startCluster() throws Exception {
    HAZELCAST_LOG.setLevel(Level.WARNING);
    String cluster = "cloudburst-kvs-test-" + UUID.randomUUID();
    List<Integer> ports = freePorts(3);
    a = startNode("A", memberConfig(cluster, ports.get(0), ports, false), true);
    b = startNode("B", memberConfig(cluster, ports.get(1), ports, false), true);
    lite = startNode("L", memberConfig(cluster, ports.get(2), ports, true), true);
    awaitCondition("three members", () -> a.hz().getCluster().getMembers().size() == 3);
  }

  @AfterAll
  static void stopCluster() {
    for (Node n : new Node[] {lite, b, a}) {
      stopNode(n);
    }
  }

  // ---- cluster set-up ----

  /** Loopback ports nothing listens on now (a probe; Hazelcast binds them just after). */
  private static List<Integer> freePorts(int n) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

  private static Config memberConfig(
      String cluster, int port, List<Integer> members, boolean liteMember) {
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(cluster);
    hz.setLiteMember(liteMember);
    // HazelcastClusterManager(instance) reads the Vert.x node id from this member attribute.
    hz.getMemberAttributeConfig().setAttribute("__vertx.nodeId", UUID.randomUUID().toString());
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    hz.setProperty("hazelcast.socket.bind.any", "false");
    // A killed member is noticed within seconds (the default waits 60 s for heartbeats).
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(port).setPortAutoIncrement(false);
    net.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    for (int p : members) {
      join.getTcpIpConfig().addMember("127.0.0.1:" + p);
    }
    return ClusterKvsVerticle.configure(hz);
  }

  /**
   * A member and its store; with {@code clustered} its Vert.x joins the event bus through the
   * member (as a node does), else it is a plain Vert.x (pushed updates stay on this node).
   */
  private static Node startNode(String id, Config config, boolean clustered) throws Exception {
    HazelcastInstance hz = Hazelcast.newHazelcastInstance(config);
    Vertx vertx =
        clustered
            ? Vertx.builder()
                .with(
                    new VertxOptions()
                        .setEventBusOptions(
                            new EventBusOptions()
                                .setHost("127.0.0.1")
                                .setPort(0)
                                .setClusterPublicHost("127.0.0.1")))
                .withClusterManager(new HazelcastClusterManager(hz))
                .buildClustered()
                .await(30, TimeUnit.SECONDS)
            : Vertx.vertx();
    CloudburstCodecs.register(vertx);
    ClusterKvsVerticle kvs = new ClusterKvsVerticle(hz);
    JsonObject kvsConfig =
        new JsonObject().put("nodeId", id).put("maxKeyBytes", 64).put("maxValueBytes", 2048);
    vertx
        .deployVerticle(kvs, new DeploymentOptions().setConfig(kvsConfig))
        .await(20, TimeUnit.SECONDS);
    return new Node(id, hz, vertx, kvs);
  }

  private static void stopNode(Node n) {
    if (n == null) {
      return;
    }
    try {
      n.vertx().close().await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      // The member may be gone already (killed); closing is best effort.
    }
    n.hz().getLifecycleService().terminate();
  }

  private static void awaitCondition(String what, BooleanSupplier ok) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!ok.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  // ---- requests ----

  private static Future<KvsReply> request(Node n, KvsRequest r) {
    return n.vertx().eventBus().<KvsReply>request(Addresses.KVS, r, TIMEOUT).map(m -> m.body());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.await(20, TimeUnit.SECONDS);
  }

  private static Future<Lattice> putAsync(Node n, String key, Lattice l) {
    return request(n, new KvsRequest.Put(key, l, null)).map(r -> ((KvsReply.Stored) r).lattice());
  }

  private static Lattice put(Node n, String key, Lattice l) throws Exception {
    return await(putAsync(n, key, l));
  }

  private static Lattice get(Node n, String key) throws Exception {
    return await(
        request(n, new KvsRequest.Get(key, null)).map(r -> ((KvsReply.Found) r).lattice()));
  }

  private static ErrorCode code(Throwable t) {
    return ErrorCode.fromFailureCode(((ReplyException) t).failureCode());
  }

  private static Predicate<Throwable> failsWith(ErrorCode expected) {
    return t -> t instanceof ReplyException && code(t) == expected;
  }

  /** The first update in {@code queue} that matches, within 15 s; earlier ones are skipped. */
  private static CacheEvent.Update awaitUpdate(
      BlockingQueue<CacheEvent.Update> queue, Predicate<CacheEvent.Update> match)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      CacheEvent.Update u =
          queue.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (u == null) {
        throw new AssertionError("no matching update within 15 s");
      }
      if (match.test(u)) {
        return u;
      }
    }
  }

  private static BlockingQueue<CacheEvent.Update> cacheUpdates(
      Node n, List<MessageConsumer<?>> consumers) throws Exception {
    BlockingQueue<CacheEvent.Update> queue = new LinkedBlockingQueue<>();
    MessageConsumer<CacheEvent> c =
        n.vertx()
            .eventBus()
            .consumer(
                Addresses.cacheUpdates(n.id()),
                m -> {
                  if (m.body() instanceof CacheEvent.Update u) {
                    queue.add(u);
                  }
                });
    consumers.add(c);
    await(c.completion());
    return queue;
  }

  // ---- tests ----

  @Test
  void putThroughOneNodeIsReadMergedThroughAnother() throws Exception {
    put(a, "merged", SetLattice.of(List.of("x")));
    Lattice stored = put(b, "merged", SetLattice.of(List.of("y")));
    assertThat(stored.value()).isEqualTo(List.of("x", "y"));
    assertThat(get(b, "merged").value()).isEqualTo(List.of("x", "y"));
    assertThat(get(a, "merged").value()).isEqualTo(List.of("x", "y"));

    put(a, "counter", CounterLattice.of("a", 2));
    put(b, "counter", CounterLattice.of("b", 3));
    KvsReply many =
        await(
            request(
                lite,
                new KvsRequest.GetMany(List.of("merged", "counter", "absent", "merged"), null)));
    Map<String, Lattice> found = ((KvsReply.FoundMany) many).lattices();
    assertThat(found).containsOnlyKeys("merged", "counter");
    assertThat(found.get("counter").value()).isEqualTo(5L);
    assertThat(get(a, "absent")).isNull();
  }

  @Test
  @SuppressWarnings("unchecked")
  void concurrentPutsFromTwoNodesMergeIntoTheUnion() throws Exception {
    List<Future<Lattice>> puts = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      puts.add(putAsync(a, "union", SetLattice.of(List.of("a" + i))));
      puts.add(putAsync(b, "union", SetLattice.of(List.of("b" + i))));
      expected.add("a" + i);
      expected.add("b" + i);
    }
    await(Future.all(puts));
    for (int i = 0; i < puts.size(); i++) {
      // Each acknowledged state holds its own write.
      assertThat((List<Object>) puts.get(i).result().value()).contains(expected.get(i));
    }
    assertThat((List<Object>) get(a, "union").value())
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat((List<Object>) get(b, "union").value())
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void putOfAnotherKindIsAConflictAndStoresNothing() throws Exception {
    put(a, "kind", LwwLattice.of("v", 1, "a"));
    assertThatThrownBy(() -> put(b, "kind", SetLattice.of(List.of("x"))))
        .matches(failsWith(ErrorCode.CONFLICT));
    assertThat(get(b, "kind")).isEqualTo(LwwLattice.of("v", 1, "a"));
    assertThat(get(a, "kind")).isEqualTo(LwwLattice.of("v", 1, "a"));
  }

  @Test
  void keysAndValuesOverTheLimitsAreRejectedAsByTheLocalStore() throws Exception {
    assertThatThrownBy(() -> put(a, "k".repeat(65), LwwLattice.of(1L, 1, "a")))
        .matches(failsWith(ErrorCode.PAYLOAD_TOO_LARGE));
    assertThatThrownBy(() -> get(b, "k".repeat(65)))
        .matches(failsWith(ErrorCode.PAYLOAD_TOO_LARGE));
    assertThatThrownBy(() -> put(a, "", LwwLattice.of(1L, 1, "a")))
        .matches(failsWith(ErrorCode.BAD_REQUEST));
    assertThatThrownBy(() -> await(request(a, new KvsRequest.Put("nolattice", null, null))))
        .matches(failsWith(ErrorCode.BAD_REQUEST));

    assertThatThrownBy(() -> put(b, "big", LwwLattice.of("x".repeat(3000), 1, "a")))
        .matches(failsWith(ErrorCode.PAYLOAD_TOO_LARGE));
    assertThat(get(a, "big")).isNull();

    // Each put is small, but the merged set would outgrow the limit (checked on the owner).
    put(a, "grows", SetLattice.of(List.of("a".repeat(1200))));
    assertThatThrownBy(() -> put(b, "grows", SetLattice.of(List.of("b".repeat(1200)))))
        .matches(failsWith(ErrorCode.PAYLOAD_TOO_LARGE));
    assertThat((List<?>) get(b, "grows").value()).hasSize(1);
  }

  @Test
  void cachesOnEveryNodeReceiveUpdatesOfPutsAndDeletesMadeElsewhere() throws Exception {
    List<MessageConsumer<?>> consumers = new ArrayList<>();
    try {
      BlockingQueue<CacheEvent.Update> onB = cacheUpdates(b, consumers);
      BlockingQueue<CacheEvent.Update> onLite = cacheUpdates(lite, consumers);
      put(a, "pushed", SetLattice.of(List.of("a")));
      // Each cache reads the key through its own node's store, subscribing its node.
      assertThat(await(request(b, new KvsRequest.Get("pushed", "B"))))
          .isEqualTo(new KvsReply.Found("pushed", SetLattice.of(List.of("a"))));
      await(request(lite, new KvsRequest.GetMany(List.of("pushed"), "L")));
      assertThat(b.kvs().subscriptionCount()).isEqualTo(1);

      put(a, "pushed", SetLattice.of(List.of("b")));
      List<String> both = List.of("a", "b");
      assertThat(
              awaitUpdate(onB, u -> both.equals(u.lattice() == null ? null : u.lattice().value()))
                  .key())
          .isEqualTo("pushed");
      assertThat(
              awaitUpdate(
                      onLite, u -> both.equals(u.lattice() == null ? null : u.lattice().value()))
                  .key())
          .isEqualTo("pushed");

      // The reply now also tells the tombstone's generation (the key's first delete: 1).
      assertThat(await(request(a, new KvsRequest.Delete("pushed"))))
          .isEqualTo(new KvsReply.Deleted("pushed", true, 1));
      assertThat(awaitUpdate(onB, u -> u.lattice() == null).key()).isEqualTo("pushed");
      assertThat(awaitUpdate(onLite, u -> u.lattice() == null).key()).isEqualTo("pushed");
      // The delete dropped the key's subscriptions on every node.
      awaitCondition(
          "subscriptions dropped",
          () -> b.kvs().subscriptionCount() == 0 && lite.kvs().subscriptionCount() == 0);
      assertThat(await(request(b, new KvsRequest.Delete("pushed"))))
          .isEqualTo(new KvsReply.Deleted("pushed", false, 1));
      assertThat(get(lite, "pushed")).isNull();
    } finally {
      for (MessageConsumer<?> c : consumers) {
        await(c.unregister());
      }
    }
  }

  @Test
  void aPutsSubscriberAndExplicitSubscriptionsGetLaterUpdates() throws Exception {
    List<MessageConsumer<?>> consumers = new ArrayList<>();
    try {
      BlockingQueue<CacheEvent.Update> onB = cacheUpdates(b, consumers);
      await(request(b, new KvsRequest.Put("sub-put", LwwLattice.of("mine", 1, "b"), "B")));
      await(request(b, new KvsRequest.Subscribe("B", List.of("sub-explicit"))));
      put(a, "sub-put", LwwLattice.of("newer", 2, "a"));
      put(a, "sub-explicit", CounterLattice.of("a", 4));
      assertThat(
              awaitUpdate(
                  onB, u -> u.key().equals("sub-put") && "newer".equals(u.lattice().value())))
          .isNotNull();
      assertThat(awaitUpdate(onB, u -> u.key().equals("sub-explicit")).lattice().value())
          .isEqualTo(4L);
      await(request(b, new KvsRequest.Unsubscribe("B", List.of("sub-put", "sub-explicit"))));
      assertThat(b.kvs().subscriptionCount()).isZero();
      assertThatThrownBy(() -> await(request(b, new KvsRequest.Subscribe("", List.of("x")))))
          .matches(failsWith(ErrorCode.BAD_REQUEST));
    } finally {
      for (MessageConsumer<?> c : consumers) {
        await(c.unregister());
      }
    }
  }

  @Test
  void aPutBasedOnStateFromBeforeADeleteIsRefusedOnTheOwnerAndStoresNothing() throws Exception {
    List<MessageConsumer<?>> consumers = new ArrayList<>();
    try {
      BlockingQueue<CacheEvent.Update> onB = cacheUpdates(b, consumers);
      SetLattice oneTwo = SetLattice.of(List.of(1L, 2L));
      assertThat(await(request(a, new KvsRequest.Put("tomb", oneTwo, null))))
          .isEqualTo(new KvsReply.Stored("tomb", oneTwo, 0));
      await(request(b, new KvsRequest.Get("tomb", "B")));
      assertThat(await(request(b, new KvsRequest.Delete("tomb"))))
          .isEqualTo(new KvsReply.Deleted("tomb", true, 1));
      assertThat(awaitUpdate(onB, u -> u.key().equals("tomb") && u.lattice() == null))
          .isEqualTo(new CacheEvent.Update("tomb", null, 1));

      // What a cache that read {1,2} before the delete would write back: refused, nothing stored.
      assertThat(
              await(
                  request(
                      lite,
                      new KvsRequest.Put("tomb", SetLattice.of(List.of(1L, 2L, 3L)), null, 0))))
          .isEqualTo(new KvsReply.Stale("tomb", 1));
      assertThat(await(request(a, new KvsRequest.Get("tomb", null))))
          .isEqualTo(new KvsReply.Found("tomb", null, 1));
      KvsReply.FoundMany many =
          (KvsReply.FoundMany) await(request(b, new KvsRequest.GetMany(List.of("tomb"), null)));
      assertThat(many.lattices()).isEmpty();
      assertThat(many.generation("tomb")).isEqualTo(1);

      await(request(b, new KvsRequest.Get("tomb", "B")));
      SetLattice three = SetLattice.of(List.of(3L));
      assertThat(await(request(lite, new KvsRequest.Put("tomb", three, null, 1))))
          .isEqualTo(new KvsReply.Stored("tomb", three, 1));
      assertThat(
              awaitUpdate(
                  onB, u -> u.key().equals("tomb") && u.lattice() != null && u.generation() == 1))
          .isEqualTo(new CacheEvent.Update("tomb", three, 1));
      // A raw put (no base) after another delete stores just its own lattice.
      await(request(a, new KvsRequest.Delete("tomb")));
      assertThat(await(request(a, new KvsRequest.Put("tomb", SetLattice.of(List.of(4L)), null))))
          .isEqualTo(new KvsReply.Stored("tomb", SetLattice.of(List.of(4L)), 2));
      assertThat(await(request(a, new KvsRequest.Delete("tomb"))))
          .isEqualTo(new KvsReply.Deleted("tomb", true, 3));
      assertThat(await(request(a, new KvsRequest.Delete("tomb"))))
          .isEqualTo(new KvsReply.Deleted("tomb", false, 3));
    } finally {
      for (MessageConsumer<?> c : consumers) {
        await(c.unregister());
      }
    }
  }

  private static CommitRecord commit(
      String txn, String node, long ts, boolean applied, String key) {
    return new CommitRecord(
        txn,
        node + "-0123456789abcdef0123456789abcdef",
        null,
        "f",
        ts,
        Map.of(
            key + "1",
            LwwLattice.of(txn, ts, TxnIds.stamp(txn)),
            key + "2",
            SetLattice.of(List.of(txn))),
        txn,
        applied);
  }

  private static CommitRecord recordOf(Node n, String txn) throws Exception {
    Lattice l = get(n, TxnIds.recordKey(txn));
    return l == null ? null : CommitRecord.fromLattice(l);
  }

  @Test
  void theOwnersSweepRollsForwardCutOffCommitsPushingThemAndRemovesAppliedOnesPastRetention()
      throws Exception {
    List<MessageConsumer<?>> consumers = new ArrayList<>();
    try {
      BlockingQueue<CacheEvent.Update> onLite = cacheUpdates(lite, consumers);
      await(request(lite, new KvsRequest.Subscribe("L", List.of("swc1"))));
      long now = System.currentTimeMillis();
      CommitRecord cut = commit("sw-cut", "A", now - Deadlines.COMMIT_MS, false, "swc");
      CommitRecord young = commit("sw-young", "A", now, false, "swy");
      CommitRecord expired = commit("sw-old", "A", now - 25 * 3_600_000L, true, "swo");
      CommitRecord kept = commit("sw-kept", "A", now - 23 * 3_600_000L, true, "swk");
      for (CommitRecord r : List.of(cut, young, expired, kept)) {
        put(lite, TxnIds.recordKey(r.txn()), r.toLattice());
      }

      // Each record is swept by whichever storage member owns it.
      await(a.kvs().sweepCommitRecords());
      await(b.kvs().sweepCommitRecords());

      assertThat(get(lite, "swc1").value()).isEqualTo("sw-cut");
      assertThat(get(lite, "swc2").value()).isEqualTo(List.of("sw-cut"));
      assertThat(recordOf(lite, "sw-cut").applied()).isTrue();
      assertThat(awaitUpdate(onLite, u -> u.key().equals("swc1")).lattice().value())
          .isEqualTo("sw-cut");
      assertThat(get(lite, "swy1")).as("a young commit of a live node is its own").isNull();
      assertThat(recordOf(lite, "sw-young").applied()).isFalse();
      assertThat(recordOf(lite, "sw-old")).isNull();
      assertThat(recordOf(lite, "sw-kept")).isNotNull();
      assertThatThrownBy(() -> await(lite.kvs().sweepCommitRecords()))
          .isInstanceOf(IllegalStateException.class);
    } finally {
      for (MessageConsumer<?> c : consumers) {
        await(c.unregister());
      }
    }
  }

  @Test
  void aDepartedNodesCommitIsRolledForwardSoonAfterItLeftWhateverItsAge() throws Exception {
    long now = System.currentTimeMillis();
    CommitRecord young = commit("sw-gone", "gone", now, false, "swg");
    put(lite, TxnIds.recordKey(young.txn()), young.toLattice());
    assertThat(get(lite, "swg1")).isNull();

    for (Node n : List.of(a, b, lite)) {
      // What ClusterBoot publishes to its own node when a member leaves.
      n.vertx().eventBus().publish(Addresses.NODE_LEFT, new NodeEvent.NodeLeft("gone"));
    }

    awaitCondition(
        "the departed node's commit rolled forward",
        () -> {
          try {
            return recordOf(lite, "sw-gone").applied();
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
    assertThat(get(lite, "swg1").value()).isEqualTo("sw-gone");
    assertThat(get(lite, "swg2").value()).isEqualTo(List.of("sw-gone"));
  }

  @Test
  void aComputeOnlyLiteMemberHoldsNoDataButReadsAndWrites() throws Exception {
    Member self = lite.hz().getCluster().getLocalMember();
    assertThat(self.isLiteMember()).isTrue();
    assertThat(lite.hz().getPartitionService().getPartitions())
        .noneMatch(p -> self.equals(p.getOwner()));
    put(lite, "from-lite", CounterLattice.of("l", 9));
    assertThat(get(a, "from-lite").value()).isEqualTo(9L);
    assertThat(get(lite, "from-lite").value()).isEqualTo(9L);
    assertThat(a.hz().getMap(ClusterKvsVerticle.MAP_NAME).containsKey("from-lite")).isTrue();
  }

  @Test
  void aClusterWithoutStorageMembersFailsRequestsWithNoResources() throws Exception {
    String cluster = "cloudburst-kvs-lite-only-" + UUID.randomUUID();
    List<Integer> ports = freePorts(1);
    Node alone = startNode("only-lite", memberConfig(cluster, ports.get(0), ports, true), false);
    try {
      assertThatThrownBy(() -> put(alone, "k", LwwLattice.of(1L, 1, "x")))
          .matches(failsWith(ErrorCode.NO_RESOURCES))
          .hasMessageContaining("no storage member");
      assertThatThrownBy(() -> get(alone, "k")).matches(failsWith(ErrorCode.NO_RESOURCES));
    } finally {
      stopNode(alone);
    }
  }

  /**
   * "No acknowledged write lost": 200 acknowledged puts on three members, then the owner of some of
   * the keys is killed (terminate: no graceful migration); every value is still there.
   */
  @Test
  void everyAcknowledgedWriteSurvivesTheCrashOfAnOwner() throws Exception {
    String cluster = "cloudburst-kvs-crash-" + UUID.randomUUID();
    List<Integer> ports = freePorts(3);
    List<Node> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        nodes.add(startNode("n" + i, memberConfig(cluster, ports.get(i), ports, false), false));
      }
      awaitCondition(
          "three members", () -> nodes.get(0).hz().getCluster().getMembers().size() == 3);
      List<String> keys = new ArrayList<>();
      List<Future<Lattice>> puts = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        String key = "crash-" + i;
        keys.add(key);
        Node through = nodes.get(i % 3);
        puts.add(
            putAsync(through, key, CounterLattice.of(through.id(), i + 1))
                .compose(x -> putAsync(through, key, CounterLattice.of("again", 1))));
      }
      await(Future.all(puts));

      // The member that owns the most of the keys dies.
      Node victim = null;
      long most = 0;
      for (Node n : nodes) {
        Member m = n.hz().getCluster().getLocalMember();
        long owned =
            keys.stream()
                .filter(k -> m.equals(n.hz().getPartitionService().getPartition(k).getOwner()))
                .count();
        if (owned > most) {
          most = owned;
          victim = n;
        }
      }
      assertThat(most).isPositive();
      victim.hz().getLifecycleService().terminate();
      List<Node> survivors = new ArrayList<>(nodes);
      survivors.remove(victim);
      awaitCondition(
          "the survivors see the crash",
          () -> survivors.stream().allMatch(n -> n.hz().getCluster().getMembers().size() == 2));

      KvsReply many = await(request(survivors.get(0), new KvsRequest.GetMany(keys, null)));
      Map<String, Lattice> found = ((KvsReply.FoundMany) many).lattices();
      assertThat(found).hasSize(200);
      for (int i = 0; i < 200; i++) {
        assertThat(found.get(keys.get(i)).value()).as(keys.get(i)).isEqualTo(i + 2L);
      }
      // The cluster goes on taking writes, read through the other survivor.
      put(survivors.get(0), "crash-0", CounterLattice.of("after", 5));
      assertThat(get(survivors.get(1), "crash-0").value()).isEqualTo(7L);
    } finally {
      for (Node n : nodes) {
        stopNode(n);
      }
    }
  }
}
