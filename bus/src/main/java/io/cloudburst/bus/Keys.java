package io.cloudburst.bus;

import java.nio.charset.StandardCharsets;

/**
 * Validation of user keys of the key-value store, shared by every entry point (HTTP, the user
 * library, references), and the namespace the system keeps for itself (the function and DAG
 * registries live in the store under {@link #SYSTEM_PREFIX}).
 */
public final class Keys {
  /** Longest key in UTF-8 bytes; the store enforces the same limit. */
  public static final int MAX_KEY_BYTES = 1024;

  /** Keys under this prefix belong to the system: users cannot read or write them. */
  public static final String SYSTEM_PREFIX = "__cloudburst/";

  private Keys() {}

  /**
   * Checks a key a user names.
   *
   * @throws CloudburstException BAD_REQUEST for a missing or reserved key, PAYLOAD_TOO_LARGE for
   *     one over {@link #MAX_KEY_BYTES}
   */
  public static String requireUserKey(String key) {
    if (key == null || key.isEmpty()) {
      throw CloudburstException.badRequest("a key must be a non-empty string");
    }
    // A UTF-16 char takes at most 3 UTF-8 bytes: short keys need no encoding to be checked.
    if (key.length() > MAX_KEY_BYTES
        || (key.length() > MAX_KEY_BYTES / 3
            && key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES)) {
      throw CloudburstException.tooLarge("key is longer than " + MAX_KEY_BYTES + " bytes");
    }
    if (key.startsWith(SYSTEM_PREFIX)) {
      throw CloudburstException.badRequest(
          "keys starting with '" + SYSTEM_PREFIX + "' are reserved for the system");
    }
    return key;
  }

  /** The key of a system record, e.g. {@code system("functions", "sq")}. */
  public static String system(String kind, String name) {
    return SYSTEM_PREFIX + kind + "/" + name;
  }
}
