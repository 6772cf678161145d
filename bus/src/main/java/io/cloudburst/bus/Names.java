package io.cloudburst.bus;

import java.util.regex.Pattern;

/** Validation of user-chosen names (functions, DAGs) shared by every entry point. */
public final class Names {
  /** Longest accepted name. */
  public static final int MAX_NAME_LENGTH = 128;

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");

  private Names() {}

  /**
   * Checks a function or DAG name.
   *
   * @throws CloudburstException BAD_REQUEST naming what is wrong
   */
  public static String requireValid(String what, String name) {
    if (name == null || name.isEmpty()) {
      throw CloudburstException.badRequest(what + " name is missing");
    }
    if (name.length() > MAX_NAME_LENGTH) {
      throw CloudburstException.badRequest(
          what + " name is longer than " + MAX_NAME_LENGTH + " characters");
    }
    if (!NAME.matcher(name).matches()) {
      throw CloudburstException.badRequest(
          what
              + " name '"
              + name
              + "' is invalid: use letters, digits, '_', '.', '-', starting with a letter or '_'");
    }
    return name;
  }
}
