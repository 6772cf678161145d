package io.cloudburst.runtime;

import java.util.Locale;

/**
 * The two ways guest code runs (TOOLCHAIN.md). {@link #INTERPRETED}: GraalVM 25.2.4 without runtime
 * compilation, with the Community sandbox's CPU-time limit as a backstop. {@link #JIT}: GraalVM
 * 25.0.3 with the Graal compiler on Temurin 25 (JVMCI); no CPU-time limit there, so time limits
 * rest on the executor's watchdog alone. Both use the watchdog (cancel on deadline).
 */
public enum RuntimeMode {
  INTERPRETED,
  JIT;

  /** The mode the launcher chose ({@code -Dcloudburst.runtime.mode}), interpreted by default. */
  public static RuntimeMode configured() {
    String m =
        System.getProperty("cloudburst.runtime.mode", "interpreted").toLowerCase(Locale.ROOT);
    return m.equals("jit") ? JIT : INTERPRETED;
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
