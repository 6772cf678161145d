package io.cloudburst.scheduler.impl;

/**
 * Test-only: halts the JVM (as {@code kill -9} would stop it, exit status 137) at a chosen point of
 * an atomic call's commit, so tests can show that a commit cut there is all or nothing after a
 * restart. Set by the system property {@code cloudburst.test.crashAt} or the environment variable
 * {@code CLOUDBURST_TEST_CRASH_AT}: {@code after-record} (the commit record is durable, nothing
 * applied), {@code mid-apply:N} (after N writes were applied), {@code after-apply} (every write
 * applied, the record not yet marked). Inert when unset.
 */
public final class CrashHook {
  private final String point;
  private final int afterApplies;

  private CrashHook(String point, int afterApplies) {
    this.point = point;
    this.afterApplies = afterApplies;
  }

  /** The hook the environment asks for (inert when it asks for none). */
  public static CrashHook fromEnvironment() {
    String v =
        System.getProperty("cloudburst.test.crashAt", System.getenv("CLOUDBURST_TEST_CRASH_AT"));
    return parse(v);
  }

  /** The hook of {@code spec} (null or blank: inert). */
  public static CrashHook parse(String spec) {
    if (spec == null || spec.isBlank()) {
      return new CrashHook(null, -1);
    }
    if (spec.startsWith("mid-apply:")) {
      return new CrashHook("mid-apply", Integer.parseInt(spec.substring("mid-apply:".length())));
    }
    if (!spec.equals("after-record") && !spec.equals("after-apply")) {
      throw new IllegalArgumentException("unknown crash point " + spec);
    }
    return new CrashHook(spec, -1);
  }

  /** Whether the hook halts at {@code at} ({@code applied} writes applied so far). */
  boolean haltsAt(String at, int applied) {
    return point != null
        && point.equals(at)
        && (!at.equals("mid-apply") || applied == afterApplies);
  }

  /** Halts the JVM when the hook is set to {@code at}. */
  void at(String at, int applied) {
    if (haltsAt(at, applied)) {
      System.err.println("CLOUDBURST_TEST_CRASH_AT: halting at " + at + " (" + applied + ")");
      Runtime.getRuntime().halt(137);
    }
  }
}
