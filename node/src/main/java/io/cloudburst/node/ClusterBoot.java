package io.cloudburst.node;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.msg.NodeEvent;
import io.cloudburst.kvs.ClusterDiskStore;
import io.cloudburst.kvs.ClusterKvsVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Joins a node to a cluster: its own Hazelcast member (TCP-IP join, multicast off, bound to the
 * cluster host only), checked before it holds any data, then a clustered Vert.x on it.
 *
 * <p><b>Checks before data.</b> The member starts as a Hazelcast <em>lite</em> member (it owns no
 * partitions) and carries its node name, role and wire version as member attributes. Once joined,
 * it refuses to go on, and leaves without ever having held data, when: it was given members to join
 * and none answered (it would otherwise found a second cluster: split data); an older member has
 * the same node name; a member runs another wire version; or it is compute-only and no member holds
 * data. Only then does a storage node promote itself to a data member, and Hazelcast migrates
 * partitions to it. A compute-only node stays a lite member for good.
 *
 * <p><b>Node failure.</b> When a member leaves (a crash or a clean stop), the node publishes the
 * leaver's node name on {@link Addresses#NODE_LEFT} to its own verticles: the scheduler runs the
 * leaver's calls again elsewhere and stops placing by its cached keys. Its data is safe: every key
 * has a synchronous backup on another member ({@link ClusterKvsVerticle}).
 *
 * <p><b>Disk.</b> A storage member writes the keys it owns through to {@code <data>/cluster-kvs}
 * and, once promoted and before it serves, joins that disk back into the map ({@link
 * ClusterDiskStore}), so a restarted cluster has its acknowledged writes again.
 */
public final class ClusterBoot {
  private static final System.Logger log = System.getLogger(ClusterBoot.class.getName());

  /**
   * The Hazelcast cluster every Cloudburst node joins (unless {@code -Dcloudburst.clusterName}).
   */
  public static final String CLUSTER_NAME = "cloudburst";

  /**
   * The wire version: nodes that exchange messages must agree on it. Raised whenever a bus record,
   * a codec or the stored lattice format changes incompatibly. {@code -Dcloudburst.wireVersion}
   * overrides it (tests start a node "of another version" with it).
   */
  public static final String WIRE_VERSION = "1";

  static final String ATTR_NAME = "cloudburst.name";
  static final String ATTR_VERSION = "cloudburst.version";
  static final String ATTR_ROLE = "cloudburst.role";

  private ClusterBoot() {}

  /**
   * A joined node's Hazelcast member, clustered Vert.x, and the disk of a storage member (null for
   * a compute-only one).
   */
  public record Joined(HazelcastInstance hazelcast, Vertx vertx, ClusterDiskStore disk) {
    /**
     * Closes Vert.x, then leaves the cluster gracefully (Hazelcast hands this member's partitions
     * over first), then closes the disk.
     */
    public void close(long timeoutSeconds) throws Exception {
      try {
        vertx.close().await(timeoutSeconds, TimeUnit.SECONDS);
      } finally {
        try {
          if (hazelcast.getLifecycleService().isRunning()) {
            hazelcast.shutdown();
          }
        } finally {
          if (disk != null) {
            disk.close();
          }
        }
      }
    }
  }

  /** The Hazelcast cluster name of this process ({@code -Dcloudburst.clusterName}). */
  public static String clusterName() {
    return System.getProperty("cloudburst.clusterName", CLUSTER_NAME);
  }

  static String wireVersion() {
    return System.getProperty("cloudburst.wireVersion", WIRE_VERSION);
  }

  /**
   * The Hazelcast configuration of a node: loopback (or the given host) only, TCP-IP join, lite
   * until checked.
   */
  static Config hazelcastConfig(NodeOptions o) {
    NodeOptions.ClusterOptions c = o.cluster();
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(clusterName());
    hz.setInstanceName("cloudburst-" + o.nodeId() + "-" + c.port());
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    hz.setProperty("hazelcast.socket.bind.any", "false");
    hz.setProperty("hazelcast.logging.type", "jdk");
    hz.setProperty(
        "hazelcast.shutdownhook.enabled", "false"); // the node's own hook closes Vert.x first
    // A killed member is noticed within seconds, not the default minute.
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", "6");
    hz.setLiteMember(true);
    hz.getMemberAttributeConfig()
        .setAttribute(ATTR_NAME, o.nodeId())
        .setAttribute(ATTR_VERSION, wireVersion())
        .setAttribute(ATTR_ROLE, c.role())
        // Vert.x's node id: HazelcastClusterManager reads it from here when it is handed an
        // instance.
        .setAttribute("__vertx.nodeId", java.util.UUID.randomUUID().toString());
    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(c.port()).setPortAutoIncrement(false);
    net.setPublicAddress(c.host() + ":" + c.port());
    net.getInterfaces().setEnabled(true).addInterface(c.host());
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(3);
    join.getTcpIpConfig().addMember(c.host() + ":" + c.port());
    for (String m : c.join()) {
      join.getTcpIpConfig().addMember(m);
    }
    ClusterKvsVerticle.configure(hz);
    return hz;
  }

  /**
   * Starts this node's Hazelcast member and clustered Vert.x; blocking (run it off any event loop).
   *
   * @throws IllegalStateException with a message for the user when the node may not join
   */
  public static Joined join(NodeOptions o, VertxOptions vertxOptions) throws Exception {
    NodeOptions.ClusterOptions c = o.cluster();
    ClusterDiskStore disk = null;
    HazelcastInstance hz;
    try {
      Config config = hazelcastConfig(o);
      if (c.storage()) {
        disk = ClusterDiskStore.open(o.dataDir().resolve(ClusterDiskStore.DIR));
        disk.configure(config);
      }
      hz = Hazelcast.newHazelcastInstance(config);
    } catch (RuntimeException e) {
      if (disk != null) {
        disk.close();
      }
      throw new IllegalStateException(
          "cannot start the cluster member on " + c.host() + ":" + c.port() + ": " + e.getMessage(),
          e);
    }
    try {
      check(o, hz);
      if (c.storage()) {
        hz.getCluster().promoteLocalLiteMember();
        // Before this node serves: its disk's states join the map (see ClusterDiskStore).
        disk.restore(hz, ClusterKvsVerticle.DEFAULT_TIMEOUT_MS);
      }
      vertxOptions.setEventBusOptions(
          new EventBusOptions().setHost(c.host()).setPort(0).setClusterPublicHost(c.host()));
      Vertx vertx =
          Vertx.builder()
              .with(vertxOptions)
              .withTransport(CloudburstNode.transport())
              .withClusterManager(new HazelcastClusterManager(hz))
              .buildClustered()
              .map(v -> CloudburstNode.remember(v, vertxOptions))
              .await(60, TimeUnit.SECONDS);
      hz.getCluster().addMembershipListener(new Leavers(vertx));
      Joined joined = new Joined(hz, vertx, disk);
      log.log(
          System.Logger.Level.INFO,
          "node "
              + o.nodeId()
              + " joined cluster '"
              + hz.getConfig().getClusterName()
              + "' as "
              + c.role()
              + " member "
              + c.host()
              + ":"
              + c.port()
              + "; members: "
              + describe(hz.getCluster().getMembers()));
      return joined;
    } catch (Exception | Error e) {
      // Never held data (still lite) or holds only backups Hazelcast hands back: terminate is safe
      // here.
      hz.getLifecycleService().terminate();
      if (disk != null) {
        disk.close();
      }
      throw e;
    }
  }

  /** The checks of the class comment; throws IllegalStateException with the reason. */
  static void check(NodeOptions o, HazelcastInstance hz) {
    List<Member> members = new ArrayList<>(hz.getCluster().getMembers()); // oldest first
    Member self = hz.getCluster().getLocalMember();
    List<String> others = new ArrayList<>(o.cluster().join());
    others.remove(o.cluster().host() + ":" + o.cluster().port());
    if (!others.isEmpty() && members.size() == 1) {
      throw new IllegalStateException(
          "none of the members to join answered ("
              + String.join(", ", others)
              + "); not starting a cluster of its own. Start a member there first, or leave out --join to found a new cluster");
    }
    for (Member m : members) {
      if (m.localMember()) {
        break; // only older members count: of two same-named nodes the newer one refuses
      }
      if (o.nodeId().equals(m.getAttribute(ATTR_NAME))) {
        throw new IllegalStateException(
            "a node named '"
                + o.nodeId()
                + "' is already in the cluster (member "
                + m.getAddress().getHost()
                + ":"
                + m.getAddress().getPort()
                + "); give this one another --name");
      }
    }
    for (Member m : members) {
      String v = m.getAttribute(ATTR_VERSION);
      if (m != self && !wireVersion().equals(v)) {
        throw new IllegalStateException(
            "member "
                + m.getAttribute(ATTR_NAME)
                + " at "
                + m.getAddress().getHost()
                + ":"
                + m.getAddress().getPort()
                + " runs wire version "
                + v
                + " and this node runs "
                + wireVersion()
                + "; nodes of different versions cannot share a cluster");
      }
    }
    if (!o.cluster().storage() && members.stream().allMatch(Member::isLiteMember)) {
      throw new IllegalStateException(
          "a compute-only node needs a storage member in the cluster, and there is none: "
              + "start a node with --role both or --role storage first");
    }
  }

  private static String describe(java.util.Collection<Member> members) {
    List<String> out = new ArrayList<>();
    for (Member m : members) {
      out.add(
          m.getAttribute(ATTR_NAME)
              + "@"
              + m.getAddress().getHost()
              + ":"
              + m.getAddress().getPort()
              + (m.isLiteMember() ? " (compute)" : ""));
    }
    return String.join(", ", out);
  }

  /**
   * Tells this node's verticles which node left, by its name (Hazelcast calls this on its event
   * thread).
   */
  private record Leavers(Vertx vertx) implements MembershipListener {
    @Override
    public void memberAdded(MembershipEvent e) {
      log.log(
          System.Logger.Level.INFO,
          "node " + e.getMember().getAttribute(ATTR_NAME) + " joined the cluster");
    }

    @Override
    public void memberRemoved(MembershipEvent e) {
      String name = e.getMember().getAttribute(ATTR_NAME);
      for (Member m : e.getMembers()) {
        if (name != null && name.equals(m.getAttribute(ATTR_NAME))) {
          // A newcomer that took an existing node's name and refused to stay: the node itself is
          // still here.
          log.log(
              System.Logger.Level.INFO,
              "a refused member named " + name + " left; node " + name + " stays");
          return;
        }
      }
      log.log(System.Logger.Level.WARNING, "node " + name + " left the cluster");
      if (name != null) {
        vertx
            .eventBus()
            .publish(
                Addresses.NODE_LEFT, new NodeEvent.NodeLeft(name)); // node-local consumers only
      }
    }
  }
}
