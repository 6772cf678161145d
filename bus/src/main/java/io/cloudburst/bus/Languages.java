package io.cloudburst.bus;

import java.util.Locale;

/** The guest languages a function may be written in. */
public final class Languages {
  public static final String PYTHON = "python";
  public static final String JAVASCRIPT = "javascript";

  private Languages() {}

  /** The canonical language name ("python" or "javascript"; "py", "js" accepted). */
  public static String requireValid(String language) {
    if (language == null || language.isEmpty()) {
      throw CloudburstException.badRequest("language is missing: use \"python\" or \"javascript\"");
    }
    return switch (language.toLowerCase(Locale.ROOT)) {
      case "python", "py" -> PYTHON;
      case "javascript", "js" -> JAVASCRIPT;
      default ->
          throw CloudburstException.badRequest(
              "unknown language '" + language + "': use \"python\" or \"javascript\"");
    };
  }
}
