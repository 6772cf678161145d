package io.cloudburst.web.impl;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads samples out of Prometheus text exposition, for assertions (web's tests and node's). */
public final class PromText {
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private PromText() {}

  /**
   * The value of the one sample named {@code name} whose labels include {@code labels} (given as
   * name, value pairs); null when there is none; fails when several match.
   */
  public static Double value(String text, String name, String... labels) {
    Double found = null;
    for (String line : text.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (line.startsWith("#") || !m.matches() || !m.group(1).equals(name)) {
        continue;
      }
      Map<String, String> have = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          have.put(l.group(1), l.group(2));
        }
      }
      boolean all = true;
      for (int i = 0; i < labels.length; i += 2) {
        all &= labels[i + 1].equals(have.get(labels[i]));
      }
      if (all) {
        if (found != null) {
          throw new AssertionError(
              "several samples of " + name + " match " + String.join(",", labels));
        }
        found = Double.parseDouble(m.group(3));
      }
    }
    return found;
  }
}
