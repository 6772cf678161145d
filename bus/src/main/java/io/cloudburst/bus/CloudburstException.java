package io.cloudburst.bus;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

/** The one exception type of the project: an {@link ErrorCode} and a message for the user. */
public final class CloudburstException extends RuntimeException {
  private final ErrorCode code;

  public CloudburstException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  public static CloudburstException of(ErrorCode code, String message) {
    return new CloudburstException(code, message);
  }

  public static CloudburstException badRequest(String message) {
    return new CloudburstException(ErrorCode.BAD_REQUEST, message);
  }

  public static CloudburstException notFound(ErrorCode code, String what) {
    return new CloudburstException(code, what);
  }

  public static CloudburstException timeout(String message) {
    return new CloudburstException(ErrorCode.TIMEOUT, message);
  }

  public static CloudburstException tooLarge(String message) {
    return new CloudburstException(ErrorCode.PAYLOAD_TOO_LARGE, message);
  }

  public static CloudburstException executionError(String message) {
    return new CloudburstException(ErrorCode.EXECUTION_ERROR, message);
  }

  public static CloudburstException noResources(String message) {
    return new CloudburstException(ErrorCode.NO_RESOURCES, message);
  }

  public static CloudburstException internal(String message) {
    return new CloudburstException(ErrorCode.INTERNAL, message);
  }

  /** Maps any failure (a bus reply failure, our own exception, anything else) to a coded one. */
  public static CloudburstException from(Throwable t) {
    if (t instanceof CloudburstException ce) {
      return ce;
    }
    if (t instanceof ReplyException re) {
      if (re.failureType() == ReplyFailure.TIMEOUT) {
        return timeout("no answer in time: " + re.getMessage());
      }
      if (re.failureType() == ReplyFailure.NO_HANDLERS) {
        return noResources("no handler: " + re.getMessage());
      }
      return new CloudburstException(ErrorCode.fromFailureCode(re.failureCode()), re.getMessage());
    }
    if (t instanceof IllegalArgumentException) {
      return badRequest(t.getMessage());
    }
    return internal(String.valueOf(t));
  }

  /** The API.md error object: {@code {"code", "message"}}. */
  public JsonObject toJson() {
    return new JsonObject().put("code", code.name()).put("message", getMessage());
  }
}
