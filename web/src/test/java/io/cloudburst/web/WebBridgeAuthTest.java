package io.cloudburst.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.Addresses;
import io.cloudburst.bus.codec.CloudburstCodecs;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.ServerSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The API token on the TCP bridge and the browser cookie, with the token check on. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WebBridgeAuthTest {
  private static final String TOKEN = "bridge-token-0123456789";

  private Vertx vertx;
  private WebVerticle web;
  private int tcpPort;

  @BeforeEach
  void deploy() throws Exception {
    vertx = Vertx.vertx();
    CloudburstCodecs.register(vertx);
    try (ServerSocket s = new ServerSocket(0)) {
      tcpPort = s.getLocalPort();
    }
    web = new WebVerticle();
    vertx
        .deployVerticle(
            web,
            new DeploymentOptions()
                .setConfig(
                    new JsonObject()
                        .put("port", 0)
                        .put("auth", "on")
                        .put("token", TOKEN)
                        .put("tcpBridgePort", tcpPort)))
        .await(20, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  @Test
  void aRightTokenInTheQuerySetsAStrictCookieThatLetsTheBrowserBackIn() throws Exception {
    WebClient client = WebClient.create(vertx);
    HttpResponse<Buffer> first =
        client
            .request(HttpMethod.GET, web.actualPort(), "127.0.0.1", "/health?token=" + TOKEN)
            .send()
            .await(10, TimeUnit.SECONDS);
    String cookie =
        first.cookies().stream()
            .filter(c -> c.startsWith("cloudburst_token="))
            .findFirst()
            .orElseThrow();
    assertThat(cookie).containsIgnoringCase("HttpOnly").contains("SameSite=Strict");
    HttpResponse<Buffer> withCookie =
        client
            .request(HttpMethod.POST, web.actualPort(), "127.0.0.1", "/v1/echo")
            .putHeader("Cookie", "cloudburst_token=" + TOKEN)
            .sendJsonObject(new JsonObject().put("a", 1))
            .await(10, TimeUnit.SECONDS);
    assertThat(withCookie.statusCode()).isEqualTo(200);
    HttpResponse<Buffer> wrongCookie =
        client
            .request(HttpMethod.POST, web.actualPort(), "127.0.0.1", "/v1/echo")
            .putHeader("Cookie", "cloudburst_token=nope")
            .sendJsonObject(new JsonObject().put("a", 1))
            .await(10, TimeUnit.SECONDS);
    assertThat(wrongCookie.statusCode()).isEqualTo(401);
  }

  @Test
  void tcpBridgeFramesNeedTheTokenInTheirHeaders() throws Exception {
    NetSocket socket =
        vertx.createNetClient().connect(tcpPort, "127.0.0.1").await(10, TimeUnit.SECONDS);
    BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    Buffer[] pending = {Buffer.buffer()};
    socket.handler(
        data -> {
          pending[0].appendBuffer(data);
          while (pending[0].length() >= 4 && pending[0].length() >= 4 + pending[0].getInt(0)) {
            int n = pending[0].getInt(0);
            frames.add(new JsonObject(pending[0].getString(4, 4 + n)));
            pending[0] = pending[0].getBuffer(4 + n, pending[0].length());
          }
        });
    JsonObject invoke =
        new JsonObject()
            .put("type", "send")
            .put("address", Addresses.API_INVOKE)
            .put("replyAddress", "r1")
            .put(
                "body",
                new JsonObject()
                    .put("function", "f")
                    .put("args", new io.vertx.core.json.JsonArray()));
    write(socket, invoke);
    JsonObject refused = frames.poll(10, TimeUnit.SECONDS);
    assertThat(refused).isNotNull();
    assertThat(refused.getString("type")).isEqualTo("err");
    assertThat(refused.getString("message")).isEqualTo("unauthorized");
    write(socket, invoke.copy().put("headers", new JsonObject().put("token", "wrong")));
    assertThat(frames.poll(10, TimeUnit.SECONDS).getString("message")).isEqualTo("unauthorized");
    write(
        socket,
        invoke
            .copy()
            .put("replyAddress", "r2")
            .put("headers", new JsonObject().put("token", TOKEN)));
    JsonObject answered = frames.poll(15, TimeUnit.SECONDS);
    assertThat(answered).as("an answer once the token is right").isNotNull();
    assertThat(answered.getString("type")).as(answered.encode()).isEqualTo("message");
    assertThat(answered.getString("address")).isEqualTo("r2");
  }

  private static void write(NetSocket socket, JsonObject frame) throws Exception {
    Buffer json = Buffer.buffer(frame.encode());
    socket
        .write(Buffer.buffer().appendInt(json.length()).appendBuffer(json))
        .await(10, TimeUnit.SECONDS);
  }
}
