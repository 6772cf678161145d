package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TCP event-bus bridge of a real node, spoken to in its wire format with a plain socket (no
 * Vert.x on the client side): each frame is a 4-byte big-endian length and that many bytes of UTF-8
 * JSON, {@code {"type": "send" | "publish" | "register" | "unregister" | "ping", "address",
 * "replyAddress"?, "headers"?, "body"?}} up, {@code {"type": "message" | "err", ...}} down.
 */
class TcpBridgeEndToEndTest {
  private static final String SQ = "tcp_sq";
  private static TestNode node;

  @BeforeAll
  static void registerFunction() throws Exception {
    node = TestNode.shared();
    assertThat(
            node.register(
                    SQ,
                    "python",
                    "def tcp_sq(cloudburst, x):\n    print('squaring', x)\n    return x * x\n")
                .status())
        .isEqualTo(201);
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aWireFormatClientInvokesAFunctionAndFollowsItsResult() throws Exception {
    try (BridgeClient c = new BridgeClient(node.tcpBridgePort)) {
      c.send(
          invoke("r1", new JsonObject().put("function", SQ).put("args", new JsonArray().add(7))));
      JsonObject reply = c.read();
      assertThat(reply.getString("type")).isEqualTo("message");
      assertThat(reply.getString("address")).isEqualTo("r1");
      JsonObject result = reply.getJsonObject("body");
      assertThat(result.getString("status")).isEqualTo("done");
      assertThat(result.getLong("result")).isEqualTo(49L);
      assertThat(result.getString("logs")).contains("squaring 7");

      // Started without waiting, then followed on its results address.
      c.send(
          invoke(
              "r2",
              new JsonObject()
                  .put("function", SQ)
                  .put("args", new JsonArray().add(9))
                  .put("wait", false)));
      JsonObject started = c.read().getJsonObject("body");
      assertThat(started.getString("status")).isEqualTo("pending");
      String address = "cloudburst.api.results." + started.getString("id");
      c.send(new JsonObject().put("type", "register").put("address", address));
      JsonObject pushed = c.read();
      assertThat(pushed.getString("address")).isEqualTo(address);
      assertThat(pushed.getJsonObject("body").getString("id")).isEqualTo(started.getString("id"));
      assertThat(pushed.getJsonObject("body").getLong("result")).isEqualTo(81L);
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void badInputGetsClearErrorsAndTheConnectionGoesOn() throws Exception {
    try (BridgeClient c = new BridgeClient(node.tcpBridgePort)) {
      // Internal addresses are not reachable through the bridge.
      c.send(
          new JsonObject()
              .put("type", "send")
              .put("address", "cloudburst.scheduler")
              .put("replyAddress", "x")
              .put("body", new JsonObject()));
      assertThat(c.read())
          .isEqualTo(new JsonObject().put("type", "err").put("message", "access_denied"));
      c.send(new JsonObject().put("type", "register").put("address", "cloudburst.results"));
      assertThat(c.read().getString("message")).isEqualTo("access_denied");

      // Malformed frames are refused one by one; the connection goes on.
      c.sendRaw("{\"type\": \"send\", oops".getBytes(StandardCharsets.UTF_8));
      assertThat(c.read())
          .isEqualTo(new JsonObject().put("type", "err").put("message", "invalid_json"));
      c.send(
          new JsonObject().put("address", "cloudburst.api.invoke").put("body", new JsonObject()));
      assertThat(c.read().getString("message")).isEqualTo("missing_type");
      c.send(new JsonObject().put("type", "subscribe").put("address", "cloudburst.api.calls"));
      assertThat(c.read().getString("message")).isEqualTo("unknown_type");
      c.send(invoke("bad", new JsonArray().add(1)));
      JsonObject bad = c.read();
      assertThat(bad.getString("address")).isEqualTo("bad");
      assertThat(bad.getJsonObject("body").getJsonObject("error").getString("code"))
          .isEqualTo("BAD_REQUEST");

      c.send(invoke("nope", new JsonObject().put("function", "tcp_no_such_function")));
      assertThat(c.read().getJsonObject("body").getJsonObject("error").getString("code"))
          .isEqualTo("FUNC_NOT_FOUND");

      c.send(
          new JsonObject()
              .put("type", "register")
              .put("address", "cloudburst.api.results.made-up-id"));
      JsonObject unknown = c.read().getJsonObject("body");
      assertThat(unknown.getString("status")).isEqualTo("failed");
      assertThat(unknown.getJsonObject("error").getString("code")).isEqualTo("RESULT_NOT_FOUND");

      c.send(
          invoke("ok", new JsonObject().put("function", SQ).put("args", new JsonArray().add(3))));
      assertThat(c.read().getJsonObject("body").getLong("result")).isEqualTo(9L);
    }
  }

  private static JsonObject invoke(String replyAddress, Object body) {
    return new JsonObject()
        .put("type", "send")
        .put("address", "cloudburst.api.invoke")
        .put("replyAddress", replyAddress)
        .put("body", body);
  }

  /** A client of the bridge's wire format over a blocking socket whose reads time out. */
  private static final class BridgeClient implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    BridgeClient(int port) throws IOException {
      assertThat(port).as("the shared test node runs a TCP bridge").isPositive();
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(60_000);
      in = new DataInputStream(socket.getInputStream());
      out = new DataOutputStream(socket.getOutputStream());
    }

    void send(JsonObject frame) throws IOException {
      sendRaw(frame.encode().getBytes(StandardCharsets.UTF_8));
    }

    void sendRaw(byte[] json) throws IOException {
      out.writeInt(json.length);
      out.write(json);
      out.flush();
    }

    JsonObject read() throws IOException {
      byte[] json = new byte[in.readInt()];
      in.readFully(json);
      return new JsonObject(new String(json, StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
