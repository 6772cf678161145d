package io.cloudburst.bus.value;

import java.util.Arrays;

/**
 * A Python object that is not JSON-shaped, pickled by the guest. Passed between Python functions
 * and stored as is; a JavaScript function or a client that asks for it as JSON gets a clear error.
 * Travels as {@code {"$pickle": "<base64>"}}.
 */
public record Pickled(byte[] data) {
  public Pickled {
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Pickled p && Arrays.equals(data, p.data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Pickled[" + data.length + " bytes]";
  }
}
