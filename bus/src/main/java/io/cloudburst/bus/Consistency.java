package io.cloudburst.bus;

/**
 * The consistency level of a DAG call (API.md): what the reads of all its functions may see.
 * Travels on the bus as the enum; {@link #wireName()} is its name in the public JSON.
 */
public enum Consistency {
  /** Each read sees what the local cache holds (last writer wins). */
  NORMAL("normal"),
  /** The first read of a key in a call fixes its version for every later read in that call. */
  REPEATABLE_READ("repeatable_read"),
  /**
   * Reads respect the causal dependencies of what the call (and its client session) read before.
   */
  CAUSAL("causal");

  private final String wireName;

  Consistency(String wireName) {
    this.wireName = wireName;
  }

  /**
   * The level's name in the HTTP and bridge JSON ({@code "normal"}, {@code "repeatable_read"},
   * {@code "causal"}).
   */
  public String wireName() {
    return wireName;
  }

  /** Whether the call's reads travel with its triggers (every level but {@link #NORMAL}). */
  public boolean tracksReads() {
    return this != NORMAL;
  }

  /**
   * The level a request names; null (not given) is {@link #NORMAL}.
   *
   * @throws CloudburstException BAD_REQUEST for any other name
   */
  public static Consistency parse(String name) {
    if (name == null) {
      return NORMAL;
    }
    for (Consistency c : values()) {
      if (c.wireName.equals(name)) {
        return c;
      }
    }
    throw CloudburstException.badRequest(
        "consistency must be \"normal\", \"repeatable_read\" or \"causal\", not \"" + name + "\"");
  }
}
