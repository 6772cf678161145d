package io.cloudburst.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.codec.CloudburstCodecs;
import io.cloudburst.bus.lattice.Lattice;
import io.cloudburst.bus.lattice.LatticeKind;
import io.cloudburst.bus.lattice.Lattices;
import io.cloudburst.bus.lattice.SetLattice;
import io.cloudburst.bus.msg.CacheRequest;
import io.cloudburst.bus.msg.KvsReply;
import io.cloudburst.bus.value.Values;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@code /v1/kvs} contract of the web front against a fake cache: a small in-memory store at
 * this node's cache address that writes values as the real cache does ({@link Lattices#write}
 * merged into the current state) and fails with the real codes. Two more web fronts point at caches
 * that never answer and that do not exist, to show both end in a clear error.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebKvsTest {
  private static final String NODE = "kvs-test";

  /** A node whose cache takes requests and never answers. */
  private static final String SILENT_NODE = "kvs-test-silent";

  /** A node without any cache. */
  private static final String ABSENT_NODE = "kvs-test-absent";

  /** The fake store's limit on a key's encoded state. */
  private static final int MAX_VALUE_BYTES = 4096;

  private static final int MAX_BODY_BYTES = 64 * 1024;

  private Vertx vertx;
  private WebClient client;
  private WebClient silentClient;
  private WebClient absentClient;

  /** Every request the fake cache received, in order (read from the client's threads). */
  private final Queue<CacheRequest> seen = new ConcurrentLinkedQueue<>();

  @BeforeAll
  void deploy(VertxTestContext ctx) {
    vertx = Vertx.vertx();
    CloudburstCodecs.register(vertx);
    Map<String, Lattice> store = new HashMap<>(); // confined to the fake's event loop
    vertx
        .eventBus()
        .<CacheRequest>consumer(
            Addresses.cache(NODE),
            m -> {
              seen.add(m.body());
              try {
                fakeCache(store, m);
              } catch (CloudburstException e) {
                m.fail(e.code().failureCode(), e.getMessage());
              }
            });
    vertx.eventBus().<CacheRequest>consumer(Addresses.cache(SILENT_NODE), m -> {});
    Future.all(
            web(new JsonObject().put("nodeId", NODE).put("maxBodyBytes", MAX_BODY_BYTES)),
            web(new JsonObject().put("nodeId", SILENT_NODE).put("kvsTimeoutMs", 300)),
            web(new JsonObject().put("nodeId", ABSENT_NODE)))
        .onComplete(
            ctx.succeeding(
                all -> {
                  client = client(all.resultAt(0));
                  silentClient = client(all.resultAt(1));
                  absentClient = client(all.resultAt(2));
                  ctx.completeNow();
                }));
  }

  private static void fakeCache(Map<String, Lattice> store, Message<CacheRequest> m) {
    switch (m.body()) {
      case CacheRequest.PutValue p -> {
        Lattice current = store.get(p.key());
        Lattice written =
            Lattices.write(current, p.kind(), p.value(), NODE, System.currentTimeMillis());
        Lattice merged = current == null ? written : current.merge(written);
        if (merged.encode().length > MAX_VALUE_BYTES) {
          throw CloudburstException.tooLarge(
              "value of '" + p.key() + "' is over " + MAX_VALUE_BYTES + " bytes");
        }
        store.put(p.key(), merged);
        m.reply(new KvsReply.Stored(p.key(), merged));
      }
      case CacheRequest.Get g -> m.reply(new KvsReply.Found(g.key(), store.get(g.key())));
      case CacheRequest.Delete d ->
          m.reply(new KvsReply.Deleted(d.key(), store.remove(d.key()) != null));
      default -> throw CloudburstException.badRequest("the fake cache does not serve " + m.body());
    }
  }

  private Future<Integer> web(JsonObject config) {
    WebVerticle web = new WebVerticle();
    return vertx
        .deployVerticle(web, new DeploymentOptions().setConfig(config.put("port", 0)))
        .map(id -> web.actualPort());
  }

  private WebClient client(int port) {
    return WebClient.create(
        vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
  }

  @AfterAll
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void close(VertxTestContext ctx) {
    client.close();
    silentClient.close();
    absentClient.close();
    vertx.close().onComplete(ctx.succeedingThenComplete());
  }

  // ---- helpers ----

  private Future<HttpResponse<Buffer>> put(String key, String body) {
    return put(client, key, body);
  }

  private static Future<HttpResponse<Buffer>> put(WebClient c, String key, String body) {
    return c.put("/v1/kvs/" + key)
        .putHeader("content-type", "application/json")
        .sendBuffer(Buffer.buffer(body));
  }

  private static Future<HttpResponse<Buffer>> put(
      String key, Object value, String lattice, WebClient c) {
    JsonObject body = new JsonObject().put("value", value);
    if (lattice != null) {
      body.put("lattice", lattice);
    }
    return put(c, key, body.encode());
  }

  private Future<HttpResponse<Buffer>> put(String key, Object value, String lattice) {
    return put(key, value, lattice, client);
  }

  private Future<HttpResponse<Buffer>> get(String key) {
    return client.get("/v1/kvs/" + key).send();
  }

  private Future<HttpResponse<Buffer>> delete(String key) {
    return client.delete("/v1/kvs/" + key).send();
  }

  /** Fails the chain unless the put answered 204. */
  private static Future<Void> stored(HttpResponse<Buffer> r) {
    return r.statusCode() == 204
        ? Future.succeededFuture()
        : Future.failedFuture(
            new AssertionError("put answered " + r.statusCode() + " " + r.bodyAsString()));
  }

  private static void assertError(HttpResponse<Buffer> r, int status, ErrorCode code) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    JsonObject err = r.bodyAsJsonObject().getJsonObject("error");
    assertThat(err.getString("code")).isEqualTo(code.name());
    assertThat(err.getString("message")).isNotBlank();
  }

  private static void assertFound(
      HttpResponse<Buffer> r, String key, String lattice, Object value) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.getHeader("content-type")).isEqualTo("application/json");
    assertThat(r.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("key", key).put("lattice", lattice).put("value", value));
  }

  // ---- round trips ----

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void lwwPutThenGetReturnsTheLastValue(VertxTestContext ctx) {
    JsonObject doc =
        new JsonObject()
            .put("name", "alice")
            .put("tags", new JsonArray().add("a").add(2))
            .put("n", 1.5);
    put("lww-1", "first", null)
        .compose(WebKvsTest::stored)
        .compose(v -> put("lww-1", doc, "lww"))
        .compose(WebKvsTest::stored)
        .compose(v -> get("lww-1"))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertFound(r, "lww-1", "lww", doc);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aNullValueIsStoredAndReadBack(VertxTestContext ctx) {
    put("null-1", "{\"value\": null}")
        .compose(WebKvsTest::stored)
        .compose(v -> get("null-1"))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertFound(r, "null-1", "lww", null);
                          assertThat(r.bodyAsJsonObject().containsKey("value")).isTrue();
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void setMembersReadBackDeduplicatedInOneOrderWhateverTheWriteOrder(VertxTestContext ctx) {
    Object canonical = Values.toJson(SetLattice.of(List.of("pear", 3L, "apple", 1L)).value());
    put("set-1", new JsonArray().add("pear").add(3), "set")
        .compose(WebKvsTest::stored)
        .compose(v -> put("set-1", "apple", "set"))
        .compose(WebKvsTest::stored)
        .compose(v -> put("set-1", new JsonArray().add(1).add("pear"), "set"))
        .compose(WebKvsTest::stored)
        .compose(v -> put("set-2", new JsonArray().add(1).add("apple").add(3).add("pear"), "set"))
        .compose(WebKvsTest::stored)
        .compose(v -> Future.all(get("set-1"), get("set-2")))
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          assertFound(all.resultAt(0), "set-1", "set", canonical);
                          assertFound(all.resultAt(1), "set-2", "set", canonical);
                          assertThat(((JsonArray) canonical).getList())
                              .containsExactlyInAnyOrder("pear", 3L, "apple", 1L);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void counterIncrementsAddUpAndAnOmittedLatticeKeepsTheKeysKind(VertxTestContext ctx) {
    put("counter-1", 2, "counter")
        .compose(WebKvsTest::stored)
        .compose(
            v ->
                Future.all(
                    put("counter-1", 3, "counter"),
                    put("counter-1", 5, "counter"),
                    put("counter-1", 10, "COUNTER")))
        .compose(
            all ->
                Future.all(
                    all.<HttpResponse<Buffer>>list().stream().map(WebKvsTest::stored).toList()))
        .compose(v -> put("counter-1", 1, null))
        .compose(WebKvsTest::stored)
        .compose(v -> get("counter-1"))
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertFound(r, "counter-1", "counter", 21);
                          // The omitted lattice travels as null: the cache, not the web front,
                          // picks the key's kind.
                          List<CacheRequest.PutValue> puts =
                              seen.stream()
                                  .filter(
                                      q ->
                                          q instanceof CacheRequest.PutValue p
                                              && p.key().equals("counter-1"))
                                  .map(q -> (CacheRequest.PutValue) q)
                                  .toList();
                          assertThat(puts)
                              .extracting(CacheRequest.PutValue::kind)
                              .containsExactly(
                                  LatticeKind.COUNTER,
                                  LatticeKind.COUNTER,
                                  LatticeKind.COUNTER,
                                  LatticeKind.COUNTER,
                                  null);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aCounterIncrementThatIsNotANonNegativeIntegerIsBadRequest(VertxTestContext ctx) {
    Future.all(put("counter-2", -1, "counter"), put("counter-2", "one", "counter"))
        .compose(
            all ->
                get("counter-2")
                    .map(r -> List.of(all.<HttpResponse<Buffer>>resultAt(0), all.resultAt(1), r)))
        .onComplete(
            ctx.succeeding(
                rs ->
                    ctx.verify(
                        () -> {
                          assertError(rs.get(0), 400, ErrorCode.BAD_REQUEST);
                          assertError(rs.get(1), 400, ErrorCode.BAD_REQUEST);
                          assertError(rs.get(2), 404, ErrorCode.KEY_NOT_FOUND);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void bytesAndPicklesRoundTripAsTheirMarkers(VertxTestContext ctx) {
    byte[] data = new byte[300];
    new Random(7).nextBytes(data);
    JsonObject bytes = new JsonObject().put("$bytes", Base64.getEncoder().encodeToString(data));
    JsonObject pickle =
        new JsonObject()
            .put(
                "$pickle",
                Base64.getEncoder().encodeToString(new byte[] {(byte) 0x80, 4, 'K', 1, '.'}));
    Future.all(
            put("bytes-1", bytes, "lww"), put("pickle-1", new JsonObject().put("p", pickle), null))
        .compose(all -> Future.all(stored(all.resultAt(0)), stored(all.resultAt(1))))
        .compose(v -> Future.all(get("bytes-1"), get("pickle-1")))
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          assertFound(all.resultAt(0), "bytes-1", "lww", bytes);
                          byte[] back =
                              Base64.getDecoder()
                                  .decode(
                                      ((HttpResponse<Buffer>) all.resultAt(0))
                                          .bodyAsJsonObject()
                                          .getJsonObject("value")
                                          .getString("$bytes"));
                          assertThat(back).isEqualTo(data);
                          assertFound(
                              all.resultAt(1),
                              "pickle-1",
                              "lww",
                              new JsonObject().put("p", pickle));
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void keysHoldingSlashesAndEncodedCharactersWork(VertxTestContext ctx) {
    put("users/alice", 1, null)
        .compose(WebKvsTest::stored)
        .compose(v -> put("caf%C3%A9%20au%20lait%3F%2Bx", 2, null))
        .compose(WebKvsTest::stored)
        .compose(
            v ->
                Future.all(
                    get("users%2Falice"),
                    get("users/alice"),
                    get("caf%C3%A9%20au%20lait%3F%2Bx"),
                    get("users")))
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          assertFound(all.resultAt(0), "users/alice", "lww", 1);
                          assertFound(all.resultAt(1), "users/alice", "lww", 1);
                          assertFound(all.resultAt(2), "café au lait?+x", "lww", 2);
                          assertError(all.resultAt(3), 404, ErrorCode.KEY_NOT_FOUND);
                          assertThat(seen).contains(new CacheRequest.Get("café au lait?+x"));
                          ctx.completeNow();
                        })));
  }

  // ---- absent keys and deletes ----

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void getOfAnAbsentKeyIsKeyNotFound(VertxTestContext ctx) {
    get("never-written")
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertError(r, 404, ErrorCode.KEY_NOT_FOUND);
                          assertThat(
                                  r.bodyAsJsonObject().getJsonObject("error").getString("message"))
                              .contains("never-written");
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void deleteRemovesTheKeyAndDeletingAnAbsentKeyIsFine(VertxTestContext ctx) {
    put("del-1", "x", null)
        .compose(WebKvsTest::stored)
        .compose(v -> delete("del-1"))
        .compose(
            first ->
                delete("del-1").compose(second -> get("del-1").map(r -> List.of(first, second, r))))
        .onComplete(
            ctx.succeeding(
                rs ->
                    ctx.verify(
                        () -> {
                          assertThat(rs.get(0).statusCode()).isEqualTo(204);
                          assertThat(rs.get(1).statusCode()).isEqualTo(204);
                          assertThat(rs.get(0).body()).isNull();
                          assertError(rs.get(2), 404, ErrorCode.KEY_NOT_FOUND);
                          ctx.completeNow();
                        })));
  }

  // ---- bad input ----

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void anUnknownLatticeIsBadRequestAndNeverReachesTheCache(VertxTestContext ctx) {
    Future.all(put("lat-1", 1, "gset"), put("lat-1", "{\"value\": 1, \"lattice\": 7}"))
        .compose(
            all ->
                get("lat-1")
                    .map(r -> List.of(all.<HttpResponse<Buffer>>resultAt(0), all.resultAt(1), r)))
        .onComplete(
            ctx.succeeding(
                rs ->
                    ctx.verify(
                        () -> {
                          assertError(rs.get(0), 400, ErrorCode.BAD_REQUEST);
                          assertThat(
                                  rs.get(0)
                                      .bodyAsJsonObject()
                                      .getJsonObject("error")
                                      .getString("message"))
                              .contains("gset");
                          assertError(rs.get(1), 400, ErrorCode.BAD_REQUEST);
                          assertThat(
                                  rs.get(1)
                                      .bodyAsJsonObject()
                                      .getJsonObject("error")
                                      .getString("message"))
                              .contains("'lattice'");
                          assertError(rs.get(2), 404, ErrorCode.KEY_NOT_FOUND);
                          assertThat(seen)
                              .noneMatch(
                                  q ->
                                      q instanceof CacheRequest.PutValue p
                                          && p.key().equals("lat-1"));
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aPutOfAnotherKindIsConflictAndKeepsTheValue(VertxTestContext ctx) {
    put("conflict-1", "v", "lww")
        .compose(WebKvsTest::stored)
        .compose(v -> Future.all(put("conflict-1", "m", "set"), put("conflict-1", 1, "counter")))
        .compose(
            all ->
                get("conflict-1")
                    .map(r -> List.of(all.<HttpResponse<Buffer>>resultAt(0), all.resultAt(1), r)))
        .onComplete(
            ctx.succeeding(
                rs ->
                    ctx.verify(
                        () -> {
                          assertError(rs.get(0), 409, ErrorCode.CONFLICT);
                          assertThat(
                                  rs.get(0)
                                      .bodyAsJsonObject()
                                      .getJsonObject("error")
                                      .getString("message"))
                              .contains("lww");
                          assertError(rs.get(1), 409, ErrorCode.CONFLICT);
                          assertFound(rs.get(2), "conflict-1", "lww", "v");
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void invalidBase64IsBadRequestAndStoresNothing(VertxTestContext ctx) {
    put("b64-1", "{\"value\": {\"$bytes\": \"not*base64\"}}")
        .compose(bad -> get("b64-1").map(r -> List.of(bad, r)))
        .onComplete(
            ctx.succeeding(
                rs ->
                    ctx.verify(
                        () -> {
                          assertError(rs.get(0), 400, ErrorCode.BAD_REQUEST);
                          assertThat(
                                  rs.get(0)
                                      .bodyAsJsonObject()
                                      .getJsonObject("error")
                                      .getString("message"))
                              .contains("base64");
                          assertError(rs.get(1), 404, ErrorCode.KEY_NOT_FOUND);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void numbersADoubleCannotHoldAreBadRequestAndStoreNothing(VertxTestContext ctx) {
    // Jackson reads 1e999 as infinity, which would be stored (and read back) as the string
    // "Infinity".
    Future.all(
            put("inf-1", "{\"value\": 1e999}"),
            put("inf-2", "{\"value\": {\"a\": [1, -1e999]}, \"lattice\": \"lww\"}"),
            put("inf-3", "{\"value\": [1e400], \"lattice\": \"set\"}"))
        .compose(
            puts ->
                get("inf-1")
                    .map(
                        r ->
                            List.of(
                                puts.<HttpResponse<Buffer>>resultAt(0),
                                puts.resultAt(1),
                                puts.resultAt(2),
                                r)))
        .onComplete(
            ctx.succeeding(
                rs ->
                    ctx.verify(
                        () -> {
                          for (int i = 0; i < 3; i++) {
                            assertError(rs.get(i), 400, ErrorCode.BAD_REQUEST);
                            assertThat(
                                    rs.get(i)
                                        .bodyAsJsonObject()
                                        .getJsonObject("error")
                                        .getString("message"))
                                .contains("'value'");
                          }
                          assertError(rs.get(3), 404, ErrorCode.KEY_NOT_FOUND);
                          assertThat(seen)
                              .noneMatch(
                                  q ->
                                      q instanceof CacheRequest.PutValue p
                                          && p.key().startsWith("inf-"));
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aMissingValueIsBadRequest(VertxTestContext ctx) {
    Future.all(put("missing-1", "{\"lattice\": \"lww\"}"), put("missing-1", ""))
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          assertError(all.resultAt(0), 400, ErrorCode.BAD_REQUEST);
                          assertThat(
                                  ((HttpResponse<Buffer>) all.resultAt(0))
                                      .bodyAsJsonObject()
                                      .getJsonObject("error")
                                      .getString("message"))
                              .contains("'value'");
                          assertError(all.resultAt(1), 400, ErrorCode.BAD_REQUEST);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void malformedJsonIsBadRequest(VertxTestContext ctx) {
    Future.all(put("json-1", "{\"value\": "), put("json-1", "[1, 2]"))
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          assertError(all.resultAt(0), 400, ErrorCode.BAD_REQUEST);
                          assertThat(
                                  ((HttpResponse<Buffer>) all.resultAt(0))
                                      .bodyAsJsonObject()
                                      .getJsonObject("error")
                                      .getString("message"))
                              .contains("malformed JSON");
                          assertError(all.resultAt(1), 400, ErrorCode.BAD_REQUEST);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void reservedEmptyAndBadlyEncodedKeysAreBadRequest(VertxTestContext ctx) {
    Future.all(
            put("__cloudburst/functions/sq", 1, null),
            get("__cloudburst%2Ffunctions%2Fsq"),
            delete("__cloudburst/dags/d"),
            get(""),
            get("bad%zzkey"))
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          for (int i = 0; i < 5; i++) {
                            assertError(all.resultAt(i), 400, ErrorCode.BAD_REQUEST);
                          }
                          assertThat(
                                  ((HttpResponse<Buffer>) all.resultAt(0))
                                      .bodyAsJsonObject()
                                      .getJsonObject("error")
                                      .getString("message"))
                              .contains("reserved");
                          assertThat(
                                  ((HttpResponse<Buffer>) all.resultAt(4))
                                      .bodyAsJsonObject()
                                      .getJsonObject("error")
                                      .getString("message"))
                              .contains("malformed request GET /v1/kvs/bad%zzkey");
                          assertThat(seen).noneMatch(q -> q.toString().contains("__cloudburst/"));
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void keysThatAreNotValidUtf8OnceDecodedAreBadRequestAndNeverCollide(VertxTestContext ctx) {
    // Decoded leniently, all three would be the key "\uFFFD" (or "\uFFFD(") and name one another's
    // value.
    Future.all(
            put("%ff", 1, null), put("%fe", 2, null), get("%ff"), delete("%c3%28"), get("ok%e2%82"))
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          for (int i = 0; i < 5; i++) {
                            assertError(all.resultAt(i), 400, ErrorCode.BAD_REQUEST);
                            assertThat(
                                    ((HttpResponse<Buffer>) all.resultAt(i))
                                        .bodyAsJsonObject()
                                        .getJsonObject("error")
                                        .getString("message"))
                                .contains("UTF-8");
                          }
                          assertThat(seen).noneMatch(q -> q.toString().contains("\uFFFD"));
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aKeyOverTheLimitIsPayloadTooLarge(VertxTestContext ctx) {
    String key = "k".repeat(10 * 1024);
    Future.all(put(key, 1, null), get(key), delete(key))
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          for (int i = 0; i < 3; i++) {
                            assertError(all.resultAt(i), 413, ErrorCode.PAYLOAD_TOO_LARGE);
                          }
                          assertThat(seen).noneMatch(q -> q.toString().contains(key));
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aRequestLineOverTheServersLimitIs414WithTheJsonError(VertxTestContext ctx) {
    // Longer than the HTTP server's request line: refused before any router, still with the API's
    // error body.
    String key = "k".repeat(100 * 1024);
    get(key)
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertError(r, 414, ErrorCode.PAYLOAD_TOO_LARGE);
                          assertThat(r.getHeader("content-type")).isEqualTo("application/json");
                          assertThat(seen).noneMatch(q -> q.toString().contains(key));
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aValueOverTheStoresLimitIsPayloadTooLargeAndStoresNothing(VertxTestContext ctx) {
    put("big-1", "x".repeat(2 * MAX_VALUE_BYTES), null)
        .compose(big -> get("big-1").map(r -> List.of(big, r)))
        .onComplete(
            ctx.succeeding(
                rs ->
                    ctx.verify(
                        () -> {
                          assertError(rs.get(0), 413, ErrorCode.PAYLOAD_TOO_LARGE);
                          assertError(rs.get(1), 404, ErrorCode.KEY_NOT_FOUND);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aBodyOverTheWebLimitIsPayloadTooLarge(VertxTestContext ctx) {
    put("body-1", "x".repeat(2 * MAX_BODY_BYTES), null)
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertError(r, 413, ErrorCode.PAYLOAD_TOO_LARGE);
                          assertThat(seen)
                              .noneMatch(
                                  q ->
                                      q instanceof CacheRequest.PutValue p
                                          && p.key().equals("body-1"));
                          ctx.completeNow();
                        })));
  }

  // ---- an unavailable cache ----

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aCacheThatNeverAnswersGivesTimeout(VertxTestContext ctx) {
    Future.all(
            put("slow-1", 1, null, silentClient),
            silentClient.get("/v1/kvs/slow-1").send(),
            silentClient.delete("/v1/kvs/slow-1").send())
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          for (int i = 0; i < 3; i++) {
                            assertError(all.resultAt(i), 504, ErrorCode.TIMEOUT);
                          }
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void noCacheOnTheNodeGivesNoResources(VertxTestContext ctx) {
    Future.all(
            put("none-1", 1, null, absentClient),
            absentClient.get("/v1/kvs/none-1").send(),
            absentClient.delete("/v1/kvs/none-1").send())
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          for (int i = 0; i < 3; i++) {
                            assertError(all.resultAt(i), 503, ErrorCode.NO_RESOURCES);
                          }
                          ctx.completeNow();
                        })));
  }
}
