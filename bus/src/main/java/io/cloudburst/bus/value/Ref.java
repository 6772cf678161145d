package io.cloudburst.bus.value;

import java.util.Objects;

/**
 * A reference to a key of the store, resolved before the function runs: {@code {"$ref": "key"}}.
 */
public record Ref(String key) {
  public Ref {
    Objects.requireNonNull(key, "key");
  }
}
