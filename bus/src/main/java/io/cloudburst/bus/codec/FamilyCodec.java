package io.cloudburst.bus.codec;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * The codec of one sealed family of immutable message records. A local hop hands over the record
 * itself; a cluster hop writes it as length-prefixed JSON.
 */
final class FamilyCodec<T> implements MessageCodec<T, T> {
  private final String name;
  private final Class<T> family;
  private final RecordJson json;

  FamilyCodec(String name, Class<T> family) {
    this.name = name;
    this.family = family;
    this.json = new RecordJson(family);
  }

  Class<T> family() {
    return family;
  }

  @Override
  public void encodeToWire(Buffer buffer, T t) {
    byte[] bytes = json.write(t).encode().getBytes(StandardCharsets.UTF_8);
    buffer.appendInt(bytes.length).appendBytes(bytes);
    WireCounters.count(t.getClass(), 4 + bytes.length);
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    int len = buffer.getInt(pos);
    String text = buffer.getString(pos + 4, pos + 4 + len, "UTF-8");
    return family.cast(json.read(new JsonObject(text)));
  }

  @Override
  public T transform(T t) {
    return t;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
