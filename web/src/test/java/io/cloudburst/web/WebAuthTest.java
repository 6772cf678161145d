package io.cloudburst.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudburst.bus.codec.CloudburstCodecs;
import io.cloudburst.web.impl.Auth;
import io.cloudburst.web.impl.AuthTokens;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The API token: who gets in over HTTP and WebSocket, when it is required, and how it is kept. */
@ExtendWith(VertxExtension.class)
class WebAuthTest {
  private static final String TOKEN = "test-token-0123456789";
  private Vertx vertx;
  private WebClient client;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    CloudburstCodecs.register(vertx);
    client = WebClient.create(vertx);
  }

  @AfterEach
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void tearDown(VertxTestContext ctx) {
    client.close();
    vertx.close().onComplete(ctx.succeedingThenComplete());
  }

  /** Deploys a web front with {@code config} (port 0 added) and answers its verticle. */
  private Future<WebVerticle> deploy(JsonObject config) {
    WebVerticle web = new WebVerticle();
    return vertx
        .deployVerticle(web, new DeploymentOptions().setConfig(config.copy().put("port", 0)))
        .map(id -> web);
  }

  private HttpRequest<Buffer> request(
      io.vertx.core.http.HttpMethod method, WebVerticle web, String path) {
    return client.request(method, web.actualPort(), "127.0.0.1", path);
  }

  private Future<HttpResponse<Buffer>> echo(WebVerticle web, String authorization, String query) {
    HttpRequest<Buffer> r =
        request(io.vertx.core.http.HttpMethod.POST, web, "/v1/echo" + (query == null ? "" : query));
    if (authorization != null) {
      r.putHeader("Authorization", authorization);
    }
    return r.sendJsonObject(new JsonObject().put("a", 1));
  }

  private static void assertUnauthorized(HttpResponse<Buffer> r) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(401);
    assertThat(r.getHeader("WWW-Authenticate")).startsWith("Bearer");
    assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code"))
        .isEqualTo("UNAUTHORIZED");
    assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("message")).isNotBlank();
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void withATokenOnlyRequestsPresentingItGetIn(VertxTestContext ctx) {
    deploy(new JsonObject().put("auth", "on").put("token", TOKEN))
        .compose(
            web ->
                Future.all(
                    java.util.List.of(
                        echo(web, null, null),
                        echo(web, "Bearer wrong-token-0123456789", null),
                        echo(web, "Bearer " + TOKEN.substring(0, TOKEN.length() - 1), null),
                        echo(web, "Basic " + TOKEN, null),
                        echo(web, "Bearer " + TOKEN, null),
                        echo(web, "bearer " + TOKEN, null),
                        echo(web, null, "?token=" + TOKEN),
                        echo(web, null, "?token=nope"),
                        request(io.vertx.core.http.HttpMethod.GET, web, "/health").send(),
                        request(io.vertx.core.http.HttpMethod.GET, web, "/metrics").send(),
                        request(io.vertx.core.http.HttpMethod.GET, web, "/metrics")
                            .putHeader("Authorization", "Bearer " + TOKEN)
                            .send(),
                        request(io.vertx.core.http.HttpMethod.GET, web, "/v1/no-such-thing")
                            .send())))
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          for (int i : new int[] {0, 1, 2, 3, 7, 9, 11}) {
                            assertUnauthorized(all.resultAt(i));
                          }
                          assertThat(
                                  ((HttpResponse<Buffer>) all.resultAt(0))
                                      .bodyAsJsonObject()
                                      .getJsonObject("error")
                                      .getString("message"))
                              .contains("Authorization: Bearer");
                          assertThat(
                                  ((HttpResponse<Buffer>) all.resultAt(1))
                                      .bodyAsJsonObject()
                                      .getJsonObject("error")
                                      .getString("message"))
                              .contains("wrong");
                          for (int i : new int[] {4, 5, 6}) {
                            HttpResponse<Buffer> r = all.resultAt(i);
                            assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
                            assertThat(r.bodyAsJsonObject().getInteger("a")).isEqualTo(1);
                          }
                          HttpResponse<Buffer> health = all.resultAt(8);
                          assertThat(health.statusCode()).isEqualTo(200);
                          assertThat(health.bodyAsJsonObject().getString("status")).isEqualTo("up");
                          HttpResponse<Buffer> metrics = all.resultAt(10);
                          assertThat(metrics.statusCode()).isEqualTo(200);
                          assertThat(metrics.getHeader("content-type")).startsWith("text/plain");
                          ctx.completeNow();
                        })))
        .onFailure(ctx::failNow);
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void aWebSocketUpgradeWithoutTheTokenIsRefusedWith401(VertxTestContext ctx) {
    WebSocketClient ws = vertx.createWebSocketClient();
    deploy(new JsonObject().put("auth", "on").put("token", TOKEN))
        .compose(
            web -> {
              WebSocketConnectOptions base =
                  new WebSocketConnectOptions().setHost("127.0.0.1").setPort(web.actualPort());
              Future<Throwable> none =
                  ws.connect(new WebSocketConnectOptions(base).setURI("/v1/futures"))
                      .transform(ar -> Future.succeededFuture(ar.cause()));
              Future<Throwable> wrong =
                  ws.connect(new WebSocketConnectOptions(base).setURI("/v1/futures?token=nope"))
                      .transform(ar -> Future.succeededFuture(ar.cause()));
              Future<?> byQuery =
                  ws.connect(new WebSocketConnectOptions(base).setURI("/v1/futures?token=" + TOKEN))
                      .compose(s -> s.close());
              Future<?> byHeader =
                  ws.connect(
                          new WebSocketConnectOptions(base)
                              .setURI("/v1/futures")
                              .addHeader("Authorization", "Bearer " + TOKEN))
                      .compose(s -> s.close());
              return Future.all(none, wrong, byQuery, byHeader);
            })
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          for (int i = 0; i < 2; i++) {
                            Throwable t = all.resultAt(i);
                            assertThat(t).isInstanceOf(UpgradeRejectedException.class);
                            assertThat(((UpgradeRejectedException) t).getStatus()).isEqualTo(401);
                          }
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void withAuthOffNoTokenIsNeeded(VertxTestContext ctx) {
    WebSocketClient ws = vertx.createWebSocketClient();
    deploy(new JsonObject().put("auth", "off"))
        .compose(
            web ->
                Future.all(
                    echo(web, null, null),
                    echo(web, "Bearer anything-at-all", null),
                    ws.connect(web.actualPort(), "127.0.0.1", "/v1/futures")
                        .compose(s -> s.close())
                        .map(v -> web)))
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          assertThat(((HttpResponse<Buffer>) all.resultAt(0)).statusCode())
                              .isEqualTo(200);
                          assertThat(((HttpResponse<Buffer>) all.resultAt(1)).statusCode())
                              .isEqualTo(200);
                          assertThat(((WebVerticle) all.resultAt(2)).auth().enabled()).isFalse();
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void onAllInterfacesTheTokenIsRequiredByDefaultAndKeptInTheDataDirectory(
      @TempDir Path dir, VertxTestContext ctx) {
    Path file = dir.resolve("data").resolve("token");
    // No "auth": the default (auto) on a non-loopback address turns the check on.
    deploy(new JsonObject().put("host", "0.0.0.0").put("tokenFile", file.toString()))
        .compose(
            web -> {
              ctx.verify(() -> assertThat(web.auth().enabled()).isTrue());
              return Future.all(
                  echo(web, null, null),
                  vertx
                      .fileSystem()
                      .readFile(file.toString())
                      .compose(b -> echo(web, "Bearer " + b.toString().trim(), null)));
            })
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          assertUnauthorized(all.resultAt(0));
                          assertThat(((HttpResponse<Buffer>) all.resultAt(1)).statusCode())
                              .isEqualTo(200);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aGeneratedTokenIsStoredOwnerOnlyAndReusedOnTheNextStart(
      @TempDir Path dir, VertxTestContext ctx) {
    Path file = dir.resolve("token");
    JsonObject config = new JsonObject().put("auth", "on").put("tokenFile", file.toString());
    String[] first = new String[1];
    deploy(config)
        .compose(
            web ->
                vertx
                    .fileSystem()
                    .readFile(file.toString())
                    .compose(
                        b -> {
                          first[0] = b.toString().trim();
                          ctx.verify(
                              () -> {
                                assertThat(first[0]).matches("[A-Za-z0-9_-]{43}");
                                assertThat(Files.getPosixFilePermissions(file))
                                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
                                assertThat(Files.exists(dir.resolve("token.tmp"))).isFalse();
                              });
                          return echo(web, "Bearer " + first[0], null);
                        })
                    .compose(
                        r -> {
                          ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(200));
                          return vertx.undeploy(vertx.deploymentIDs().iterator().next());
                        }))
        .compose(v -> deploy(config))
        .compose(
            web ->
                Future.all(
                    echo(web, "Bearer " + first[0], null),
                    vertx.fileSystem().readFile(file.toString())))
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          assertThat(((HttpResponse<Buffer>) all.resultAt(0)).statusCode())
                              .isEqualTo(200);
                          assertThat(((Buffer) all.resultAt(1)).toString().trim())
                              .isEqualTo(first[0]);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aConfiguredTokenWinsOverTheFileAndTokensDifferBetweenDirectories(@TempDir Path dir)
      throws Exception {
    AuthTokens.Resolved a = AuthTokens.resolve(null, dir.resolve("a/token"));
    AuthTokens.Resolved b = AuthTokens.resolve(null, dir.resolve("b/token"));
    AuthTokens.Resolved again = AuthTokens.resolve(null, dir.resolve("a/token"));
    AuthTokens.Resolved configured = AuthTokens.resolve(TOKEN, dir.resolve("a/token"));
    assertThat(a.source()).isEqualTo(AuthTokens.Source.GENERATED);
    assertThat(again.source()).isEqualTo(AuthTokens.Source.STORED);
    assertThat(again.token()).isEqualTo(a.token());
    assertThat(b.token()).isNotEqualTo(a.token());
    assertThat(configured.token()).isEqualTo(TOKEN);
    assertThat(configured.source()).isEqualTo(AuthTokens.Source.CONFIGURED);
    assertThat(AuthTokens.resolve(null, null).source()).isEqualTo(AuthTokens.Source.EPHEMERAL);
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void aStoredTokenReadableByOthersIsMadeOwnerOnly(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, TOKEN + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(AuthTokens.resolve(null, file).token()).isEqualTo(TOKEN);
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void loopbackAddressesAreThoseOf127Slash8AndIpv6OneAndLocalhost() {
    for (String h :
        new String[] {
          "127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]", "0:0:0:0:0:0:0:1"
        }) {
      assertThat(WebOptions.isLoopback(h)).as(h).isTrue();
    }
    for (String h :
        new String[] {
          "0.0.0.0",
          "::",
          "10.0.0.1",
          "128.0.0.1",
          "192.168.1.20",
          "example.com",
          "localhost.example.com",
          "fe80::1"
        }) {
      assertThat(WebOptions.isLoopback(h)).as(h).isFalse();
    }
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void autoTurnsTheCheckOnOffLoopbackOrWithAToken() {
    assertThat(options("127.0.0.1", "auto", null).authEnabled()).isFalse();
    assertThat(options("localhost", "auto", null).authEnabled()).isFalse();
    assertThat(options("0.0.0.0", "auto", null).authEnabled()).isTrue();
    assertThat(options("10.1.2.3", "auto", null).authEnabled()).isTrue();
    assertThat(options("127.0.0.1", "auto", TOKEN).authEnabled()).isTrue();
    assertThat(options("127.0.0.1", "on", null).authEnabled()).isTrue();
    assertThat(options("0.0.0.0", "off", null).authEnabled()).isFalse();
    assertThat(WebOptions.fromJson(new JsonObject()).authEnabled()).isFalse();
    assertThatThrownBy(() -> options("0.0.0.0", "off", TOKEN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("auth");
    assertThatThrownBy(() -> options("0.0.0.0", "maybe", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("auth");
    assertThatThrownBy(() -> options("0.0.0.0", "on", "has space"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("token");
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void allowedComparesTheWholeToken() {
    Auth auth = Auth.requiring(TOKEN);
    assertThat(auth.allowed(TOKEN)).isTrue();
    assertThat(auth.allowed(null)).isFalse();
    assertThat(auth.allowed("")).isFalse();
    assertThat(auth.allowed(TOKEN + "x")).isFalse();
    assertThat(auth.allowed(TOKEN.substring(1))).isFalse();
    assertThat(Auth.disabled().allowed(null)).isTrue();
    assertThat(Auth.disabled().enabled()).isFalse();
  }

  private static WebOptions options(String host, String auth, String token) {
    return WebOptions.fromJson(
        new JsonObject().put("host", host).put("auth", auth).put("token", token));
  }
}
