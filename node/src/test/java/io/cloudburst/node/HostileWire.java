package io.cloudburst.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Plain clients of the node's bridges for {@link HostileInputIT}, with no Vert.x on the client
 * side: the TCP event-bus bridge in its wire format (4-byte big-endian length, then UTF-8 JSON) and
 * a JDK WebSocket for {@code /v1/futures} and SockJS's raw transport {@code /eventbus/websocket}.
 * Every read is bounded.
 */
final class HostileWire {
  /** How long a reply frame may take. */
  static final int FRAME_WAIT_S = 10;

  private HostileWire() {}

  /** A TCP bridge connection over a blocking socket whose reads time out. */
  static final class Tcp implements AutoCloseable {
    final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    Tcp(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(FRAME_WAIT_S * 1000);
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

    /** Bytes as they are, with no length prefix of ours. */
    void write(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    JsonObject read() throws IOException {
      byte[] json = new byte[in.readInt()];
      in.readFully(json);
      return new JsonObject(new String(json, StandardCharsets.UTF_8));
    }

    /** Whether the bridge closed the connection (end of stream or reset) within the frame wait. */
    boolean closedByPeer() throws IOException {
      try {
        return in.read() < 0;
      } catch (EOFException | SocketException e) {
        return true;
      } catch (SocketTimeoutException e) {
        return false;
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** A WebSocket whose text messages (whole, reassembled) land in a queue. */
  static final class Ws implements AutoCloseable {
    final WebSocket ws;
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();

    /** Completes with the close code when the server closes, or -1 on a transport error. */
    final CompletableFuture<Integer> closed = new CompletableFuture<>();

    Ws(String base, String path) throws Exception {
      StringBuilder partial = new StringBuilder();
      WebSocket.Listener listener =
          new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
              partial.append(data);
              if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
              }
              w.request(1);
              return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
              // SockJS's raw transport may answer in binary frames: their bytes are the same UTF-8
              // JSON.
              partial.append(StandardCharsets.UTF_8.decode(data));
              if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
              }
              w.request(1);
              return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
              closed.complete(statusCode);
              return null;
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
              closed.complete(-1);
            }
          };
      ws =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(URI.create(base.replaceFirst("^http", "ws") + path), listener)
              .get(FRAME_WAIT_S, TimeUnit.SECONDS);
    }

    void send(String text) throws Exception {
      ws.sendText(text, true).get(FRAME_WAIT_S, TimeUnit.SECONDS);
    }

    void send(JsonObject frame) throws Exception {
      send(frame.encode());
    }

    JsonObject next() throws InterruptedException {
      String m = messages.poll(FRAME_WAIT_S, TimeUnit.SECONDS);
      assertThat(m).as("a message within " + FRAME_WAIT_S + " s").isNotNull();
      return new JsonObject(m);
    }

    /** The next SockJS frame: the bridge's JSON, or SockJS's own "o"/"h" frames skipped. */
    JsonObject nextSockJs() throws InterruptedException {
      for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(FRAME_WAIT_S);
          System.nanoTime() < end; ) {
        String m = messages.poll(FRAME_WAIT_S, TimeUnit.SECONDS);
        if (m != null && m.startsWith("{")) {
          return new JsonObject(m);
        }
      }
      throw new AssertionError("no SockJS bridge frame within " + FRAME_WAIT_S + " s");
    }

    void sendBinary(byte[] data) throws Exception {
      ws.sendBinary(ByteBuffer.wrap(data), true).get(FRAME_WAIT_S, TimeUnit.SECONDS);
    }

    /** Whether the server closed the socket (or the transport failed) within the frame wait. */
    boolean closedByPeer() throws Exception {
      try {
        closed.get(FRAME_WAIT_S, TimeUnit.SECONDS);
        return true;
      } catch (java.util.concurrent.TimeoutException e) {
        return false;
      }
    }

    @Override
    public void close() {
      ws.abort();
    }
  }
}
