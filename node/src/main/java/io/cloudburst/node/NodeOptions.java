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
 * @param token the API token, or null to use the one stored in {@code <data>/token} (generated
 *     there on first start)
 * @param tcpBridgePort the port of the TCP event-bus bridge, or -1 for none (the default)
 */
public record NodeOptions(
    String host, int port, Path dataDir, String nodeId, int executorThreads, int maxContexts, int pythonSpares, int jsSpares,
    long cacheBytes, int executors, String auth, String token, int tcpBridgePort) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final String DEFAULT_DATA = "data";
  public static final int DEFAULT_THREADS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
  public static final int DEFAULT_MAX_CONTEXTS = 32;
  public static final long DEFAULT_CACHE_BYTES = 256L << 20;

  public static NodeOptions defaults() {
    return new NodeOptions(DEFAULT_HOST, DEFAULT_PORT, Path.of(DEFAULT_DATA), "local", DEFAULT_THREADS, DEFAULT_MAX_CONTEXTS, 2, 2, DEFAULT_CACHE_BYTES, 1, "auto", null, -1);
  }

  public NodeOptions withPort(int p) {
    return new NodeOptions(host, p, dataDir, nodeId, executorThreads, maxContexts, pythonSpares, jsSpares, cacheBytes, executors, auth, token,
        tcpBridgePort);
  }

  public NodeOptions withExecutors(int n) {
    return new NodeOptions(host, port, dataDir, nodeId, executorThreads, maxContexts, pythonSpares, jsSpares, cacheBytes, n, auth, token,
        tcpBridgePort);
  }

  public NodeOptions withDataDir(Path d) {
    return new NodeOptions(host, port, d, nodeId, executorThreads, maxContexts, pythonSpares, jsSpares, cacheBytes, executors, auth, token,
        tcpBridgePort);
  }

  public NodeOptions withTcpBridgePort(int p) {
    return new NodeOptions(host, port, dataDir, nodeId, executorThreads, maxContexts, pythonSpares, jsSpares, cacheBytes, executors, auth, token, p);
  }

  /** The file that keeps a generated API token across starts. */
  public Path tokenFile() {
    return dataDir.resolve("token");
  }

  /**
   * Parses {@code --port N --data DIR --host H --name ID --threads N --max-contexts N --cache-mb N
   * --executors N --token T --auth on|off|auto --tcp-bridge-port N}.
   */
  public static NodeOptions parse(List<String> args) {
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
    int tcpBridgePort = o.tcpBridgePort;
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
        case "--tcp-bridge-port" -> tcpBridgePort = intArg(args, ++i, a, 1, 65535);
        default -> throw new IllegalArgumentException("unknown option " + a + " (see ./cloudburst --help)");
      }
    }
    if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new IllegalArgumentException("--name must be 1-64 letters, digits, '_' or '-'");
    }
    if (!List.of("on", "off", "auto").contains(auth)) {
      throw new IllegalArgumentException("--auth must be on, off or auto, not '" + auth + "'");
    }
    if (token != null && (token.length() < 16 || token.length() > 1024 || !token.matches("\\p{Graph}+"))) {
      throw new IllegalArgumentException("--token must be 16 to 1024 visible ASCII characters");
    }
    if (token != null && auth.equals("off")) {
      throw new IllegalArgumentException("--token makes no sense with --auth off");
    }
    return new NodeOptions(host, port, data, name, threads, maxContexts, o.pythonSpares, o.jsSpares, cacheMb << 20, executors,
        auth, token, tcpBridgePort);
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
    throw new IllegalArgumentException(flag + " must be an integer from " + min + " to " + max + ", not '" + v + "'");
  }
}
