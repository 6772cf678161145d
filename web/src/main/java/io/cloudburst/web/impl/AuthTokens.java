package io.cloudburst.web.impl;

import io.cloudburst.web.WebOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * Generating the API token and keeping it across starts in a file only its owner can read. Blocking
 * file IO: callers run it off the event loop.
 */
public final class AuthTokens {
  /**
   * Random bytes of a generated token (256 bits), written base64url without padding: 43 characters.
   */
  static final int TOKEN_BYTES = 32;

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");
  private static final SecureRandom RANDOM = new SecureRandom();

  private static final System.Logger log = System.getLogger(AuthTokens.class.getName());

  private AuthTokens() {}

  /**
   * The check the options ask for ({@link WebOptions#authEnabled()}), with the token resolved off
   * the event loop and announced once in the log: a stored or generated token is printed, so that
   * whoever starts the node can use it; a configured one is not.
   */
  public static Future<Auth> forOptions(Vertx vertx, WebOptions options) {
    if (!options.authEnabled()) {
      log.log(
          WebOptions.isLoopback(options.host())
              ? System.Logger.Level.INFO
              : System.Logger.Level.WARNING,
          "API token check is off: anyone who can reach " + options.host() + " may use this node");
      return Future.succeededFuture(Auth.disabled());
    }
    Path file = options.tokenFile() == null ? null : Path.of(options.tokenFile());
    return vertx
        .executeBlocking(() -> resolve(options.token(), file))
        .map(
            r -> {
              String how =
                  switch (r.source()) {
                    case CONFIGURED -> "the configured token";
                    case GENERATED -> "a new token, stored in " + r.file() + ": " + r.token();
                    case STORED -> "the token stored in " + r.file() + ": " + r.token();
                    case EPHEMERAL -> "a token made for this run only: " + r.token();
                  };
              log.log(
                  System.Logger.Level.INFO,
                  "API token required (Authorization: Bearer <token>, or ?token=) on every request"
                      + " but GET /health; using "
                      + how);
              return Auth.requiring(r.token());
            });
  }

  /** Where a token came from, for the start-up log line. */
  public enum Source {
    CONFIGURED,
    GENERATED,
    STORED,
    EPHEMERAL
  }

  /** The token in force and where it came from. */
  public record Resolved(String token, Source source, Path file) {}

  /** A fresh token: {@value #TOKEN_BYTES} bytes of {@link SecureRandom}, base64url. */
  public static String generate() {
    byte[] b = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /**
   * The token to require: {@code configured} if given; else the one stored in {@code file}; else a
   * new one, stored there (mode 600) for later starts; else, without a file, a new one for this run
   * only.
   */
  public static Resolved resolve(String configured, Path file) throws IOException {
    if (configured != null) {
      return new Resolved(configured, Source.CONFIGURED, null);
    }
    if (file == null) {
      return new Resolved(generate(), Source.EPHEMERAL, null);
    }
    if (Files.exists(file)) {
      String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (stored.isEmpty() || !stored.matches("\\p{Graph}+")) {
        throw new IOException(
            "the token file "
                + file
                + " is empty or holds more than one word: delete it to get a new token");
      }
      tightenPermissions(file);
      return new Resolved(stored, Source.STORED, file);
    }
    String token = generate();
    write(file, token);
    return new Resolved(token, Source.GENERATED, file);
  }

  /**
   * Writes the token to a temporary file created owner-only, then moves it in place, so no reader
   * sees half a token.
   */
  private static void write(Path file, String token) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    if (posix()) {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    } else {
      Files.createFile(tmp);
    }
    Files.writeString(tmp, token + "\n", StandardCharsets.UTF_8);
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** A stored token readable by others (say, copied in by hand) is made owner-only again. */
  private static void tightenPermissions(Path file) throws IOException {
    if (posix() && !Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
      Files.setPosixFilePermissions(file, OWNER_ONLY);
    }
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }
}
