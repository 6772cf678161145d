// Over 400 lines (as formatted): every command-line option of a node, its default, its parsing and
// its check, in one record, so ./cloudburst start --help and the code cannot drift apart.
package io.cloudburst.node;

import java.nio.file.Path;
import java.util.List;

/**
 * How a node starts: parsed from the command line of {@code ./cloudburst start}.
 *
 * @param host the HTTP listen address
 * @param port the HTTP port (0 picks a free one)
 * @param dataDir where durable state lives
 * @param nodeId this node's id
 * @param executorThreads worker threads that run guest code
 * @param maxContexts bound on live polyglot contexts (and so on memory)
 * @param pythonSpares blank Python contexts kept warm for new functions
 * @param jsSpares blank JavaScript contexts kept warm for new functions
 * @param cacheBytes bound on the node cache's memory
 * @param executors executor verticles on this node (each with its own engines and threads)
 * @param auth whether HTTP requests need the API token: "on", "off" or "auto" (on when a token is
 *     given or the node listens on anything but loopback)
 * @param token the API token ({@code --token}, else the file of {@code --token-file}, else the
 *     environment variable {@value #TOKEN_ENV}), or null to use the one stored in {@code
 *     <data>/token} (generated there on first start)
 * @param tcpBridgePort the port of the TCP event-bus bridge, or -1 for none (the default)
 * @param cluster whether and how the node joins a cluster ({@link ClusterOptions#NONE}: embedded)
 * @param scaling the bounds and thresholds of the executor autoscaler
 */
public record NodeOptions(
    String host,
    int port,
    Path dataDir,
    String nodeId,
    int executorThreads,
    int maxContexts,
    int pythonSpares,
    int jsSpares,
    long cacheBytes,
    int executors,
    String auth,
    String token,
    int tcpBridgePort,
    ClusterOptions cluster,
    ScalingOptions scaling) {

  /**
   * Cluster mode ({@code --cluster}).
   *
   * @param enabled whether the node joins a clustered event bus (Hazelcast) instead of running
   *     embedded
   * @param join Hazelcast members to join, {@code host:port}; empty founds a new cluster
   * @param host the address Hazelcast and the clustered event bus bind to (loopback by default)
   * @param port the Hazelcast member port
   * @param role "both" (the default), "storage" (holds data, runs no executors) or "compute" (runs
   *     executors, holds no data: a Hazelcast lite member)
   */
  public record ClusterOptions(
      boolean enabled, List<String> join, String host, int port, String role) {
    public static final ClusterOptions NONE =
        new ClusterOptions(false, List.of(), "127.0.0.1", 5701, "both");

    public ClusterOptions {
      join = List.copyOf(join);
    }

    public boolean storage() {
      return !role.equals("compute");
    }

    public boolean compute() {
      return !role.equals("storage");
    }
  }

  /**
   * The executor autoscaler: the node keeps between {@code min} and {@code max} executor verticles,
   * adding one when the mean utilization over {@code windowMs} is at or above {@code upAt},
   * removing one when it is at or below {@code downAt}, at most one change per {@code cooldownMs}.
   * Utilization is (busy + queued) / threads, from the executors' own status reports. {@code min ==
   * max} turns it off.
   */
  public record ScalingOptions(
      int min, int max, double upAt, double downAt, long windowMs, long cooldownMs) {
    public static ScalingOptions fixed(int n) {
      return new ScalingOptions(n, n, 0.7, 0.1, 2_000, 5_000);
    }

    public boolean enabled() {
      return max > min;
    }
  }

  /** The environment variable a node (and the client commands) read the API token from. */
  public static final String TOKEN_ENV = "CLOUDBURST_TOKEN";

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final String DEFAULT_DATA = "data";
  public static final int DEFAULT_THREADS =
      Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
  public static final int DEFAULT_MAX_CONTEXTS = 32;
  public static final long DEFAULT_CACHE_BYTES = 256L << 20;

  public static NodeOptions defaults() {
    return new NodeOptions(
        DEFAULT_HOST,
        DEFAULT_PORT,
        Path.of(DEFAULT_DATA),
        "local",
        DEFAULT_THREADS,
        DEFAULT_MAX_CONTEXTS,
        2,
        2,
        DEFAULT_CACHE_BYTES,
        1,
        "auto",
        null,
        -1,
        ClusterOptions.NONE,
        ScalingOptions.fixed(1));
  }

  public NodeOptions withPort(int p) {
    return new NodeOptions(
        host,
        p,
        dataDir,
        nodeId,
        executorThreads,
        maxContexts,
        pythonSpares,
        jsSpares,
        cacheBytes,
        executors,
        auth,
        token,
        tcpBridgePort,
        cluster,
        scaling);
  }

  public NodeOptions withExecutors(int n) {
    return new NodeOptions(
        host,
        port,
        dataDir,
        nodeId,
        executorThreads,
        maxContexts,
        pythonSpares,
        jsSpares,
        cacheBytes,
        n,
        auth,
        token,
        tcpBridgePort,
        cluster,
        scaling.min() == executors && scaling.max() == executors
            ? ScalingOptions.fixed(n)
            : scaling);
  }

  public NodeOptions withDataDir(Path d) {
    return new NodeOptions(
        host,
        port,
        d,
        nodeId,
        executorThreads,
        maxContexts,
        pythonSpares,
        jsSpares,
        cacheBytes,
        executors,
        auth,
        token,
        tcpBridgePort,
        cluster,
        scaling);
  }

  public NodeOptions withTcpBridgePort(int p) {
    return new NodeOptions(
        host,
        port,
        dataDir,
        nodeId,
        executorThreads,
        maxContexts,
        pythonSpares,
        jsSpares,
        cacheBytes,
        executors,
        auth,
        token,
        p,
        cluster,
        scaling);
  }

  public NodeOptions withName(String name) {
    return new NodeOptions(
        host,
        port,
        dataDir,
        name,
        executorThreads,
        maxContexts,
        pythonSpares,
        jsSpares,
        cacheBytes,
        executors,
        auth,
        token,
        tcpBridgePort,
        cluster,
        scaling);
  }

  public NodeOptions withCluster(ClusterOptions c) {
    return new NodeOptions(
        host,
        port,
        dataDir,
        nodeId,
        executorThreads,
        maxContexts,
        pythonSpares,
        jsSpares,
        cacheBytes,
        executors,
        auth,
        token,
        tcpBridgePort,
        c,
        scaling);
  }

  public NodeOptions withScaling(ScalingOptions s) {
    return new NodeOptions(
        host,
        port,
        dataDir,
        nodeId,
        executorThreads,
        maxContexts,
        pythonSpares,
        jsSpares,
        cacheBytes,
        s.min(),
        auth,
        token,
        tcpBridgePort,
        cluster,
        s);
  }

  /** The file that keeps a generated API token across starts. */
  public Path tokenFile() {
    return dataDir.resolve("token");
  }

  /**
   * Parses {@code --port N --data DIR --host H --name ID --threads N --max-contexts N --cache-mb N
   * --executors N --token T --auth on|off|auto --tcp-bridge-port N --cluster --join H:P,...
   * --cluster-host H --cluster-port N --role both|storage|compute --min-executors N --max-executors
   * N --scale-up-at PCT --scale-down-at PCT --scale-window-ms N --scale-cooldown-ms N --token-file
   * PATH}, with the token from {@value #TOKEN_ENV} in this process's environment when neither
   * {@code --token} nor {@code --token-file} gives one.
   */
  public static NodeOptions parse(List<String> args) {
    return parse(args, System.getenv());
  }

  /**
   * {@link #parse(List)} with {@code env} as the environment. The token comes from {@code --token}
   * (visible in {@code ps}), else {@code --token-file} (its first line), else {@code env}'s {@value
   * #TOKEN_ENV} unless {@code --auth off}.
   */
  public static NodeOptions parse(List<String> args, java.util.Map<String, String> env) {
    NodeOptions o = defaults();
    String host = o.host;
    int port = o.port;
    Path data = o.dataDir;
    String name = o.nodeId;
    int threads = o.executorThreads;
    int maxContexts = o.maxContexts;
    long cacheMb = o.cacheBytes >> 20;
    int executors = o.executors;
    String auth = o.auth;
    String token = o.token;
    Path tokenFile = null;
    int tcpBridgePort = o.tcpBridgePort;
    boolean cluster = false;
    List<String> join = List.of();
    String clusterHost = ClusterOptions.NONE.host();
    int clusterPort = ClusterOptions.NONE.port();
    String role = "both";
    Integer minExecutors = null;
    Integer maxExecutors = null;
    ScalingOptions sd = ScalingOptions.fixed(1);
    double upAt = sd.upAt();
    double downAt = sd.downAt();
    long windowMs = sd.windowMs();
    long cooldownMs = sd.cooldownMs();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--port" -> port = intArg(args, ++i, a, 0, 65535);
        case "--data" -> data = Path.of(arg(args, ++i, a));
        case "--host" -> host = arg(args, ++i, a);
        case "--name" -> name = arg(args, ++i, a);
        case "--threads" -> threads = intArg(args, ++i, a, 1, 256);
        case "--max-contexts" -> maxContexts = intArg(args, ++i, a, 2, 10_000);
        case "--cache-mb" -> cacheMb = intArg(args, ++i, a, 1, 1 << 20);
        case "--executors" -> executors = intArg(args, ++i, a, 1, 64);
        case "--auth" -> auth = arg(args, ++i, a);
        case "--token" -> token = arg(args, ++i, a);
        case "--token-file" -> tokenFile = Path.of(arg(args, ++i, a));
        case "--tcp-bridge-port" -> tcpBridgePort = intArg(args, ++i, a, 1, 65535);
        case "--cluster" -> cluster = true;
        case "--join" -> join = joinList(arg(args, ++i, a));
        case "--cluster-host" -> clusterHost = arg(args, ++i, a);
        case "--cluster-port" -> clusterPort = intArg(args, ++i, a, 1, 65535);
        case "--role" -> role = arg(args, ++i, a);
        case "--min-executors" -> minExecutors = intArg(args, ++i, a, 1, 64);
        case "--max-executors" -> maxExecutors = intArg(args, ++i, a, 1, 64);
        case "--scale-up-at" -> upAt = intArg(args, ++i, a, 1, 1000) / 100.0;
        case "--scale-down-at" -> downAt = intArg(args, ++i, a, 0, 1000) / 100.0;
        case "--scale-window-ms" -> windowMs = intArg(args, ++i, a, 100, 600_000);
        case "--scale-cooldown-ms" -> cooldownMs = intArg(args, ++i, a, 0, 3_600_000);
        default ->
            throw new IllegalArgumentException(
                "unknown option " + a + " (see ./cloudburst --help)");
      }
    }
    if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new IllegalArgumentException("--name must be 1-64 letters, digits, '_' or '-'");
    }
    if (!List.of("on", "off", "auto").contains(auth)) {
      throw new IllegalArgumentException("--auth must be on, off or auto, not '" + auth + "'");
    }
    if (token != null && tokenFile != null) {
      throw new IllegalArgumentException("--token and --token-file exclude each other");
    }
    if (tokenFile != null) {
      token = readToken(tokenFile);
    } else if (token == null
        && !auth.equals("off")
        && env.get(TOKEN_ENV) != null
        && !env.get(TOKEN_ENV).isBlank()) {
      token = env.get(TOKEN_ENV).strip();
    }
    if (token != null
        && (token.length() < 16 || token.length() > 1024 || !token.matches("\\p{Graph}+"))) {
      throw new IllegalArgumentException("--token must be 16 to 1024 visible ASCII characters");
    }
    if (token != null && auth.equals("off")) {
      throw new IllegalArgumentException("--token makes no sense with --auth off");
    }
    if (!List.of("both", "storage", "compute").contains(role)) {
      throw new IllegalArgumentException(
          "--role must be both, storage or compute, not '" + role + "'");
    }
    if (!cluster && (!join.isEmpty() || !role.equals("both"))) {
      throw new IllegalArgumentException("--join and --role need --cluster");
    }
    int min = minExecutors != null ? minExecutors : executors;
    int max = maxExecutors != null ? maxExecutors : Math.max(min, executors);
    if (min > max) {
      throw new IllegalArgumentException(
          "--min-executors (" + min + ") is above --max-executors (" + max + ")");
    }
    if (downAt >= upAt) {
      throw new IllegalArgumentException("--scale-down-at must be below --scale-up-at");
    }
    return new NodeOptions(
        host,
        port,
        data,
        name,
        threads,
        maxContexts,
        o.pythonSpares,
        o.jsSpares,
        cacheMb << 20,
        min,
        auth,
        token,
        tcpBridgePort,
        new ClusterOptions(cluster, join, clusterHost, clusterPort, role),
        new ScalingOptions(min, max, upAt, downAt, windowMs, cooldownMs));
  }

  private static String readToken(Path file) {
    try {
      String text = java.nio.file.Files.readString(file).strip();
      int nl = text.indexOf('\n');
      return nl < 0 ? text : text.substring(0, nl).strip();
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      throw new IllegalArgumentException(
          "--token-file: cannot read " + file + ": " + e.getMessage());
    }
  }

  /** Parses {@code host:port,host:port}; a bare host means the default member port. */
  static List<String> joinList(String spec) {
    List<String> out = new java.util.ArrayList<>();
    for (String part : spec.split(",")) {
      String m = part.strip();
      if (m.isEmpty()) {
        continue;
      }
      int colon = m.lastIndexOf(':');
      String h = colon < 0 ? m : m.substring(0, colon);
      String p = colon < 0 ? String.valueOf(ClusterOptions.NONE.port()) : m.substring(colon + 1);
      if (h.isEmpty()
          || !h.matches("[A-Za-z0-9.\\-]+")
          || !p.matches("[0-9]{1,5}")
          || Integer.parseInt(p) < 1
          || Integer.parseInt(p) > 65535) {
        throw new IllegalArgumentException(
            "--join takes host:port[,host:port...], not '" + m + "'");
      }
      out.add(h + ":" + Integer.parseInt(p));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("--join needs at least one host:port");
    }
    return List.copyOf(out);
  }

  private static String arg(List<String> args, int i, String flag) {
    if (i >= args.size()) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args.get(i);
  }

  private static int intArg(List<String> args, int i, String flag, int min, int max) {
    String v = arg(args, i, flag);
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // fall through
    }
    throw new IllegalArgumentException(
        flag + " must be an integer from " + min + " to " + max + ", not '" + v + "'");
  }
}
