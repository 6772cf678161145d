package io.cloudburst.bus.value;

import java.util.Arrays;
import java.util.Base64;

/** Raw bytes as a user value; travels as {@code {"$bytes": "<base64>"}}. */
public record Bytes(byte[] data) {
  public Bytes {
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  public int length() {
    return data.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bytes b && Arrays.equals(data, b.data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Bytes[" + Base64.getEncoder().encodeToString(data) + "]";
  }
}
