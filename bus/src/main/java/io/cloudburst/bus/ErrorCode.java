package io.cloudburst.bus;

/**
 * The error codes of the public contract (API.md). The same codes travel on the event bus as {@code
 * message.fail(code.failureCode(), text)}; callers branch on {@link
 * io.vertx.core.eventbus.ReplyException#failureCode()} through {@link #fromFailureCode(int)}.
 */
public enum ErrorCode {
  BAD_REQUEST(400, 4000),
  UNAUTHORIZED(401, 4010),
  FUNC_NOT_FOUND(404, 4041),
  DAG_NOT_FOUND(404, 4042),
  KEY_NOT_FOUND(404, 4043),
  RESULT_NOT_FOUND(404, 4044),
  DAG_ALREADY_EXISTS(409, 4091),
  CONFLICT(409, 4090),
  DAG_INVALID(400, 4001),
  PAYLOAD_TOO_LARGE(413, 4130),
  EXECUTION_ERROR(422, 4220),
  NO_RESOURCES(503, 5030),
  TIMEOUT(504, 5040),
  INTERNAL(500, 5000);

  private final int httpStatus;
  private final int failureCode;

  ErrorCode(int httpStatus, int failureCode) {
    this.httpStatus = httpStatus;
    this.failureCode = failureCode;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** The int carried by {@code Message.fail} and {@code ReplyException.failureCode()}. */
  public int failureCode() {
    return failureCode;
  }

  /** The code for a failure code read off the bus; {@link #INTERNAL} for codes we did not send. */
  public static ErrorCode fromFailureCode(int failureCode) {
    for (ErrorCode c : values()) {
      if (c.failureCode == failureCode) {
        return c;
      }
    }
    return INTERNAL;
  }

  /** The code named {@code name}, or {@link #INTERNAL} for an unknown name. */
  public static ErrorCode parse(String name) {
    try {
      return valueOf(name);
    } catch (RuntimeException e) {
      return INTERNAL;
    }
  }
}
