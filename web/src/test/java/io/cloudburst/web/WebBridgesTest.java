package io.cloudburst.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.codec.CloudburstCodecs;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LatticeKind;
import io.cloudburst.bus.lattice.Lattices;
import io.cloudburst.bus.msg.CacheEvent;
import io.cloudburst.bus.msg.CallResult;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.msg.KvsRequest;
import io.cloudburst.bus.msg.SchedulerRequest;
import io.cloudburst.web.impl.ApiJson;
import io.cloudburst.web.impl.Bridges;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The event-bus bridges of the web front against a fake scheduler and a fake store: what each
 * public address answers, that nothing else gets through, and that bad frames end in clear errors
 * on a connection that keeps working. The SockJS bridge is spoken to through its raw WebSocket
 * transport ({@code /eventbus/websocket}: one JSON frame per text message), the TCP bridge in its
 * wire format (a 4-byte big-endian length, then UTF-8 JSON). Each test drives its client from the
 * test thread, reading frames with a bounded wait.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebBridgesTest {
  private static final String NODE = "bridge-test";
  private static final String SUBSCRIBER = Bridges.subscriberId(NODE);
  private static final long FRAME_WAIT_S = 10;

  private Vertx vertx;
  private int port;
  private int tcpPort;

  /** Every request the fake store received. */
  private final Queue<KvsRequest> kvsSeen = new ConcurrentLinkedQueue<>();

  /** The unsubscribes among them, to wait on. */
  private final BlockingQueue<KvsRequest.Unsubscribe> unsubscribes = new LinkedBlockingQueue<>();

  /** The fake store's keys. */
  private final Map<String, Lattice> store = new ConcurrentHashMap<>();

  @BeforeAll
  void deploy() throws Exception {
    vertx = Vertx.vertx();
    CloudburstCodecs.register(vertx);
    vertx
        .eventBus()
        .<SchedulerRequest>consumer(
            Addresses.SCHEDULER,
            m -> {
              switch (m.body()) {
                case SchedulerRequest.InvokeFunction r when r.name().equals("sq") -> {
                  long x = (Long) r.args().get(0);
                  m.reply(
                      r.awaitResult()
                          ? CallResult.done("c-sq", "sq", x * x, "printed\n", "e", 5)
                          : CallResult.pending("c-sq", "sq"));
                }
                case SchedulerRequest.InvokeDag r when r.name().equals("pipeline") ->
                    m.reply(CallResult.done("c-dag", "pipeline", r.args().get("a"), "", "e", 9));
                case SchedulerRequest.GetResult r when r.id().equals("c1") ->
                    m.reply(CallResult.done("c1", "sq", 4L, "", "e", 5));
                case SchedulerRequest.GetResult r when r.id().startsWith("pending-") ->
                    m.reply(CallResult.pending(r.id(), "sq"));
                case SchedulerRequest.GetResult r ->
                    m.fail(
                        ErrorCode.RESULT_NOT_FOUND.failureCode(),
                        "no call with id '" + r.id() + "'");
                default -> m.fail(ErrorCode.FUNC_NOT_FOUND.failureCode(), "no function named 'x'");
              }
            });
    vertx
        .eventBus()
        .<KvsRequest>consumer(
            Addresses.KVS,
            m -> {
              kvsSeen.add(m.body());
              switch (m.body()) {
                case KvsRequest.Get g -> m.reply(new KvsReply.Found(g.key(), store.get(g.key())));
                case KvsRequest.Subscribe s -> m.reply(new KvsReply.Ack());
                case KvsRequest.Unsubscribe u -> {
                  unsubscribes.add(u);
                  m.reply(new KvsReply.Ack());
                }
                default -> m.fail(ErrorCode.BAD_REQUEST.failureCode(), "not in this fake");
              }
            });
    tcpPort = freePort();
    WebVerticle web = new WebVerticle();
    vertx
        .deployVerticle(
            web,
            new DeploymentOptions()
                .setConfig(
                    new JsonObject()
                        .put("port", 0)
                        .put("nodeId", NODE)
                        .put("auth", "off")
                        .put("tcpBridgePort", tcpPort)))
        .await(20, TimeUnit.SECONDS);
    port = web.actualPort();
  }

  @AfterAll
  void close() throws Exception {
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static JsonObject send(String replyAddress, Object body) {
    return new JsonObject()
        .put("type", "send")
        .put("address", Addresses.API_INVOKE)
        .put("replyAddress", replyAddress)
        .put("body", body);
  }

  private static JsonObject register(String address) {
    return new JsonObject().put("type", "register").put("address", address);
  }

  // ---- SockJS ----

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aSockJsMessageOverTheSizeLimitClosesThatSocketWith1009AndOthersGoOn() throws Exception {
    try (SockJsPeer big = new SockJsPeer();
        SockJsPeer other = new SockJsPeer()) {
      java.util.concurrent.CompletableFuture<Short> closed =
          new java.util.concurrent.CompletableFuture<>();
      big.ws.closeHandler(v -> closed.complete(big.ws.closeStatusCode()));
      String huge = "x".repeat(2 << 20); // over the server's 1 MiB WebSocket message limit
      big.ws.writeTextMessage(
          send(
                  "r-big",
                  new JsonObject().put("function", "sq").put("args", new JsonArray().add(huge)))
              .encode());
      assertThat(closed.get(20, TimeUnit.SECONDS)).isEqualTo((short) 1009);
      other.send(
          send(
              "r-other",
              new JsonObject().put("function", "sq").put("args", new JsonArray().add(3))));
      assertThat(other.next().getJsonObject("body").getLong("result")).isEqualTo(9L);
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void invokeOverSockJsRepliesWithTheResultJson() throws Exception {
    try (SockJsPeer p = new SockJsPeer()) {
      p.send(
          send("r1", new JsonObject().put("function", "sq").put("args", new JsonArray().add(3))));
      JsonObject reply = p.next();
      assertThat(reply.getString("type")).isEqualTo("rec");
      assertThat(reply.getString("address")).isEqualTo("r1");
      JsonObject body = reply.getJsonObject("body");
      assertThat(body.getString("id")).isEqualTo("c-sq");
      assertThat(body.getString("status")).isEqualTo("done");
      assertThat(body.getLong("result")).isEqualTo(9L);

      p.send(
          send(
              "r2",
              new JsonObject()
                  .put("dag", "pipeline")
                  .put("args", new JsonObject().put("a", new JsonArray().add(1)))));
      JsonObject dag = p.next().getJsonObject("body");
      assertThat(dag.getString("id")).isEqualTo("c-dag");
      assertThat(dag.getJsonArray("result")).isEqualTo(new JsonArray().add(1));
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void theSockJsXhrTransportWorksToo() throws Exception {
    // Browsers without WebSocket fall back to XHR polling, whose sends are request bodies.
    java.net.http.HttpClient http =
        java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1)
            .build();
    String session = "http://127.0.0.1:" + port + "/eventbus/000/xhr-test-" + System.nanoTime();
    java.util.function.Function<String, java.net.http.HttpResponse<String>> post =
        path -> {
          try {
            return http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(session + path))
                    .timeout(java.time.Duration.ofSeconds(10))
                    .POST(
                        java.net.http.HttpRequest.BodyPublishers.ofString(
                            path.equals("/xhr_send")
                                ? new JsonArray()
                                    .add(
                                        send(
                                                "x1",
                                                new JsonObject()
                                                    .put("function", "sq")
                                                    .put("args", new JsonArray().add(8)))
                                            .encode())
                                    .encode()
                                : ""))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        };
    assertThat(post.apply("/xhr").body()).isEqualTo("o\n");
    assertThat(post.apply("/xhr_send").statusCode()).isEqualTo(204);
    String polled = post.apply("/xhr").body();
    assertThat(polled).startsWith("a[");
    JsonObject reply = new JsonObject(new JsonArray(polled.substring(1).trim()).getString(0));
    assertThat(reply.getString("address")).isEqualTo("x1");
    assertThat(reply.getJsonObject("body").getLong("result")).isEqualTo(64L);
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void badInvokeBodiesGetJsonErrors() throws Exception {
    try (SockJsPeer p = new SockJsPeer()) {
      p.send(send("e1", "just a string"));
      p.send(send("e2", new JsonObject().put("function", "sq").put("dag", "pipeline")));
      p.send(send("e3", new JsonObject().put("function", "sq").put("args", 5)));
      p.send(send("e4", new JsonObject().put("function", "nope")));
      p.send(send("e5", new JsonObject().put("dag", "pipeline").put("args", new JsonArray())));
      Map<String, JsonObject> byReply = new java.util.HashMap<>();
      for (int i = 0; i < 5; i++) {
        JsonObject f = p.next();
        byReply.put(f.getString("address"), f.getJsonObject("body"));
      }
      for (String r : new String[] {"e1", "e2", "e3", "e5"}) {
        assertThat(byReply.get(r).getString("status")).isEqualTo("failed");
        assertThat(byReply.get(r).getJsonObject("error").getString("code"))
            .as(r)
            .isEqualTo("BAD_REQUEST");
      }
      assertThat(byReply.get("e2").getJsonObject("error").getString("message"))
          .contains("exactly one of");
      assertThat(byReply.get("e3").getJsonObject("error").getString("message")).contains("'args'");
      assertThat(byReply.get("e4").getJsonObject("error").getString("code"))
          .isEqualTo("FUNC_NOT_FOUND");
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void onlyThePublicAddressesGetThroughAndBadFramesAreAnswered() throws Exception {
    try (SockJsPeer p = new SockJsPeer()) {
      p.send(
          new JsonObject()
              .put("type", "send")
              .put("address", Addresses.SCHEDULER)
              .put("replyAddress", "x1")
              .put("body", new JsonObject()));
      assertThat(p.next())
          .isEqualTo(new JsonObject().put("type", "err").put("body", "access_denied"));
      p.send(register(Addresses.RESULTS));
      assertThat(p.next().getString("body")).isEqualTo("access_denied");
      p.send(register(Addresses.cacheUpdates(SUBSCRIBER)));
      assertThat(p.next().getString("body")).isEqualTo("access_denied");
      p.send(
          new JsonObject()
              .put("type", "publish")
              .put("address", Addresses.API_CALLS)
              .put("body", new JsonObject()));
      assertThat(p.next().getString("body")).isEqualTo("access_denied");
      p.ws.writeTextMessage("{not json").await();
      assertThat(p.next().getString("body")).isEqualTo("invalid_json");
      p.send(new JsonObject().put("type", "teleport").put("address", Addresses.API_INVOKE));
      assertThat(p.next().getString("body")).isEqualTo("invalid_type");
      // The same connection still works.
      p.send(
          send("ok", new JsonObject().put("function", "sq").put("args", new JsonArray().add(5))));
      assertThat(p.next().getJsonObject("body").getLong("result")).isEqualTo(25L);
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aResultSubscriptionGetsTheResultOnceWhetherFinishedPendingOrUnknown() throws Exception {
    try (SockJsPeer p = new SockJsPeer()) {
      p.send(register(Addresses.apiResults("c1")));
      JsonObject finished = p.next();
      assertThat(finished.getString("address")).isEqualTo(Addresses.apiResults("c1"));
      assertThat(finished.getJsonObject("body").getLong("result")).isEqualTo(4L);

      p.send(register(Addresses.apiResults("made-up")));
      JsonObject unknown = p.next().getJsonObject("body");
      assertThat(unknown.getString("id")).isEqualTo("made-up");
      assertThat(unknown.getString("status")).isEqualTo("failed");
      assertThat(unknown.getJsonObject("error").getString("code")).isEqualTo("RESULT_NOT_FOUND");

      // A pending call: told when it finishes, once, even if it is published twice.
      p.send(register(Addresses.apiResults("pending-7")));
      p.send(
          send("sync", new JsonObject().put("function", "sq").put("args", new JsonArray().add(1))));
      assertThat(p.next().getString("address"))
          .isEqualTo("sync"); // the register has been handled by now
      vertx
          .eventBus()
          .publish(Addresses.RESULTS, CallResult.done("pending-7", "sq", 49L, "", "e", 3));
      vertx
          .eventBus()
          .publish(Addresses.RESULTS, CallResult.done("pending-7", "sq", 49L, "", "e", 3));
      JsonObject done = p.next();
      assertThat(done.getString("address")).isEqualTo(Addresses.apiResults("pending-7"));
      assertThat(done.getJsonObject("body").getLong("result")).isEqualTo(49L);
      p.send(
          send(
              "sync2", new JsonObject().put("function", "sq").put("args", new JsonArray().add(2))));
      assertThat(p.next().getString("address")).as("no second delivery").isEqualTo("sync2");
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aKeySubscriptionGetsTheCurrentValueThenEachChangeAndUnsubscribesWhenTheLastListenerGoes()
      throws Exception {
    String key = "watched/é";
    String address = Addresses.apiKeys(key);
    Lattice v1 = Lattices.write(null, LatticeKind.LWW, 1L, "n", 1000);
    Lattice v2 = Lattices.write(v1, LatticeKind.LWW, 2L, "n", 2000);
    Lattice v3 = Lattices.write(v2, LatticeKind.LWW, 3L, "n", 3000);
    store.put(key, v1);
    try (SockJsPeer a = new SockJsPeer();
        SockJsPeer b = new SockJsPeer()) {
      a.send(register(address));
      assertThat(a.next().getJsonObject("body"))
          .isEqualTo(new JsonObject().put("key", key).put("lattice", "lww").put("value", 1L));
      assertThat(kvsSeen).contains(new KvsRequest.Get(key, SUBSCRIBER));

      String updates = Addresses.cacheUpdates(SUBSCRIBER);
      vertx.eventBus().send(updates, new CacheEvent.Update(key, v2));
      assertThat(a.next().getJsonObject("body").getLong("value")).isEqualTo(2L);
      // An older state and a repeat change nothing: the next message is the newer value.
      vertx.eventBus().send(updates, new CacheEvent.Update(key, v1));
      vertx.eventBus().send(updates, new CacheEvent.Update(key, v2));
      vertx.eventBus().send(updates, new CacheEvent.Update(key, v3));
      assertThat(a.next().getJsonObject("body").getLong("value")).isEqualTo(3L);

      // A second listener is told the merged state at once, without another read.
      b.send(register(address));
      assertThat(b.next().getJsonObject("body").getLong("value")).isEqualTo(3L);
      assertThat(kvsSeen.stream().filter(r -> r instanceof KvsRequest.Get).count()).isEqualTo(1);

      // A delete is told as an absent key, and the store is read (so subscribed) again.
      vertx.eventBus().send(updates, new CacheEvent.Update(key, null));
      assertThat(a.next().getJsonObject("body"))
          .isEqualTo(new JsonObject().put("key", key).put("lattice", null).put("value", null));
      assertThat(b.next().getJsonObject("body").getValue("value")).isNull();

      a.send(new JsonObject().put("type", "unregister").put("address", address));
      b.close();
      assertThat(unsubscribes.poll(FRAME_WAIT_S, TimeUnit.SECONDS))
          .isEqualTo(new KvsRequest.Unsubscribe(SUBSCRIBER, java.util.List.of(key)));
      assertThat(kvsSeen.stream().filter(r -> r instanceof KvsRequest.Get).count()).isEqualTo(2);
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void systemAndOversizedKeysCannotBeWatched() throws Exception {
    try (SockJsPeer p = new SockJsPeer()) {
      p.send(register(Addresses.apiKeys("__cloudburst/functions/sq")));
      JsonObject reserved = p.next().getJsonObject("body");
      assertThat(reserved.getJsonObject("error").getString("code")).isEqualTo("BAD_REQUEST");
      assertThat(reserved.getJsonObject("error").getString("message")).contains("reserved");
      p.send(register(Addresses.apiKeys("k".repeat(2000))));
      assertThat(p.next())
          .isEqualTo(new JsonObject().put("type", "err").put("body", "max_address_length_reached"));
      assertThat(kvsSeen)
          .noneMatch(r -> r instanceof KvsRequest.Get g && g.key().startsWith("__cloudburst/"));
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void theCallStreamSendsRecentCallsThenEachNewOne() throws Exception {
    vertx
        .eventBus()
        .publish(
            Addresses.RESULTS,
            CallResult.failed(
                "c-boom",
                "boom",
                CloudburstException.executionError("Traceback\n" + "x".repeat(5000)),
                "log line\n",
                "e",
                12));
    try (SockJsPeer p = new SockJsPeer()) {
      p.send(register(Addresses.API_CALLS));
      JsonObject boom;
      do {
        boom = p.next().getJsonObject("body");
      } while (!boom.getString("id").equals("c-boom")); // other tests' calls may come first
      assertThat(boom.getString("function")).isEqualTo("boom");
      assertThat(boom.getString("status")).isEqualTo("failed");
      assertThat(boom.getLong("duration_us")).isEqualTo(12L);
      assertThat(boom.getJsonObject("error").getString("code")).isEqualTo("EXECUTION_ERROR");
      assertThat(boom.getJsonObject("error").getString("message"))
          .startsWith("Traceback")
          .hasSizeLessThanOrEqualTo(ApiJson.MAX_SUMMARY_TEXT + 1);
      assertThat(boom.getString("logs")).isEqualTo("log line\n");
      p.frames.clear();

      vertx.eventBus().publish(Addresses.RESULTS, CallResult.done("c-live", "sq", 1L, "", "e", 2));
      JsonObject live = p.next();
      assertThat(live.getString("address")).isEqualTo(Addresses.API_CALLS);
      assertThat(live.getJsonObject("body").getString("id")).isEqualTo("c-live");
      assertThat(live.getJsonObject("body").getString("status")).isEqualTo("done");
    }
  }

  // ---- TCP ----

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void theTcpBridgeInvokesAndDeliversResultsInItsWireFormat() throws Exception {
    try (TcpPeer p = new TcpPeer()) {
      p.send(
          send("t1", new JsonObject().put("function", "sq").put("args", new JsonArray().add(4))));
      JsonObject reply = p.next();
      assertThat(reply.getString("type")).isEqualTo("message");
      assertThat(reply.getString("address")).isEqualTo("t1");
      assertThat(reply.getJsonObject("body").getLong("result")).isEqualTo(16L);

      p.send(register(Addresses.apiResults("c1")));
      JsonObject result = p.next();
      assertThat(result.getString("address")).isEqualTo(Addresses.apiResults("c1"));
      assertThat(result.getJsonObject("body").getLong("result")).isEqualTo(4L);
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void theTcpBridgeRefusesOtherAddressesAndSurvivesBadFrames() throws Exception {
    try (TcpPeer p = new TcpPeer()) {
      p.send(
          new JsonObject()
              .put("type", "send")
              .put("address", Addresses.SCHEDULER)
              .put("replyAddress", "x")
              .put("body", new JsonObject()));
      JsonObject denied = p.next();
      assertThat(denied.getString("type")).isEqualTo("err");
      assertThat(denied.getString("message")).isEqualTo("access_denied");
      p.send(register(Addresses.RESULTS));
      assertThat(p.next().getString("message")).isEqualTo("access_denied");
      p.send(
          new JsonObject()
              .put("type", "send")
              .put("replyAddress", "x")
              .put("body", new JsonObject()));
      assertThat(p.next().getString("message")).isEqualTo("missing_address");
      p.sendRaw("{not json");
      assertThat(p.next())
          .isEqualTo(new JsonObject().put("type", "err").put("message", "invalid_json"));
      p.sendRaw("[1, 2]");
      assertThat(p.next().getString("message")).isEqualTo("invalid_json");
      p.send(new JsonObject().put("address", Addresses.API_INVOKE));
      assertThat(p.next().getString("message")).isEqualTo("missing_type");
      p.send(new JsonObject().put("type", "teleport").put("address", Addresses.API_INVOKE));
      assertThat(p.next().getString("message")).isEqualTo("unknown_type");
      p.send(new JsonObject().put("type", "unregister").put("address", Addresses.API_CALLS));
      assertThat(p.next().getString("message")).isEqualTo("unknown_address");
      p.send(register(Addresses.apiResults("pending-twice")));
      p.send(register(Addresses.apiResults("pending-twice")));
      assertThat(p.next().getString("message")).isEqualTo("address_already_registered");
      p.send(new JsonObject().put("type", "ping"));
      assertThat(p.next()).isEqualTo(new JsonObject().put("type", "pong"));
      // After all that, the same connection still serves requests.
      p.send(send("bad-body", 42));
      JsonObject bad = p.next();
      assertThat(bad.getString("address")).isEqualTo("bad-body");
      assertThat(bad.getJsonObject("body").getJsonObject("error").getString("code"))
          .isEqualTo("BAD_REQUEST");
      p.send(
          send("t2", new JsonObject().put("function", "sq").put("args", new JsonArray().add(6))));
      assertThat(p.next().getJsonObject("body").getLong("result")).isEqualTo(36L);
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aTcpFrameOverTheLimitIsRefusedAndClosesTheConnection() throws Exception {
    try (TcpPeer p = new TcpPeer()) {
      p.socket
          .write(Buffer.buffer().appendInt(Integer.MAX_VALUE).appendString("{"))
          .await(10, TimeUnit.SECONDS);
      assertThat(p.next())
          .isEqualTo(new JsonObject().put("type", "err").put("message", "frame_too_large"));
      assertThat(p.closed.await(10, TimeUnit.SECONDS))
          .as("the bridge closes the connection")
          .isTrue();
    }
    try (TcpPeer p = new TcpPeer()) {
      p.socket.write(Buffer.buffer().appendInt(-5)).await(10, TimeUnit.SECONDS);
      assertThat(p.next().getString("message")).isEqualTo("frame_too_large");
    }
  }

  /** A client of the SockJS bridge over its raw WebSocket transport. */
  private final class SockJsPeer implements AutoCloseable {
    final WebSocket ws;
    final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();

    SockJsPeer() throws Exception {
      ws =
          vertx
              .createWebSocketClient()
              .connect(port, "127.0.0.1", "/eventbus/websocket")
              .await(10, TimeUnit.SECONDS);
      ws.handler(data -> frames.add(data.toJsonObject()));
    }

    void send(JsonObject frame) throws Exception {
      ws.writeTextMessage(frame.encode()).await(10, TimeUnit.SECONDS);
    }

    JsonObject next() throws InterruptedException {
      JsonObject f = frames.poll(FRAME_WAIT_S, TimeUnit.SECONDS);
      assertThat(f).as("a frame within " + FRAME_WAIT_S + " s").isNotNull();
      return f;
    }

    @Override
    public void close() throws Exception {
      if (!ws.isClosed()) {
        ws.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  /** A client of the TCP bridge written against its wire format. */
  private final class TcpPeer implements AutoCloseable {
    final NetSocket socket;
    final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
    private Buffer pending = Buffer.buffer();

    TcpPeer() throws Exception {
      socket = vertx.createNetClient().connect(tcpPort, "127.0.0.1").await(10, TimeUnit.SECONDS);
      socket.closeHandler(v -> closed.countDown());
      socket.handler(
          data -> {
            pending.appendBuffer(data);
            while (pending.length() >= 4 && pending.length() >= 4 + pending.getInt(0)) {
              int length = pending.getInt(0);
              frames.add(new JsonObject(pending.getString(4, 4 + length)));
              pending = pending.getBuffer(4 + length, pending.length());
            }
          });
    }

    void send(JsonObject frame) throws Exception {
      sendRaw(frame.encode());
    }

    void sendRaw(String text) throws Exception {
      Buffer json = Buffer.buffer(text);
      socket
          .write(Buffer.buffer().appendInt(json.length()).appendBuffer(json))
          .await(10, TimeUnit.SECONDS);
    }

    JsonObject next() throws InterruptedException {
      JsonObject f = frames.poll(FRAME_WAIT_S, TimeUnit.SECONDS);
      assertThat(f).as("a frame within " + FRAME_WAIT_S + " s").isNotNull();
      return f;
    }

    @Override
    public void close() throws Exception {
      if (closed.getCount() > 0) {
        socket.close().await(10, TimeUnit.SECONDS);
      }
    }
  }
}
