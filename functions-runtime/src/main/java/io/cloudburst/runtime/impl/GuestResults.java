package io.cloudburst.runtime.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.value.Values;
import java.math.BigInteger;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;

/** Turns what a guest function returned (through its prelude) into a model value. */
final class GuestResults {
  private GuestResults() {}

  /**
   * The model value of what the prelude's {@code run} returned. Throws EXECUTION_ERROR for a result
   * outside the value model or one whose encoding the guest broke; a cancel passes through.
   */
  static Object fromGuest(Value r) {
    if (r.isNull()) {
      return null;
    }
    if (r.isBoolean()) {
      return r.asBoolean();
    }
    if (r.isString()) {
      return r.asString();
    }
    if (r.isNumber()) {
      if (r.fitsInLong()) {
        return r.asLong();
      }
      if (r.fitsInDouble()) {
        return r.asDouble();
      }
      return r.as(BigInteger.class);
    }
    // The prelude encodes everything else as [jsonText], or answers [null, typeName] for a result
    // outside the value model. Anything else (the guest tampered with the encoding) is the
    // function's failure, never the caller's bad request.
    try {
      long n = r.hasArrayElements() ? r.getArraySize() : 0;
      if (n == 2 && r.getArrayElement(0).isNull() && r.getArrayElement(1).isString()) {
        throw CloudburstException.executionError(
            "the result is not a Cloudburst value: " + r.getArrayElement(1).asString());
      }
      Value text = n == 1 ? r.getArrayElement(0) : null;
      if (text == null || !text.isString()) {
        throw notEncoded(null);
      }
      return Values.decode(text.asString());
    } catch (CloudburstException e) {
      throw e.code() == ErrorCode.EXECUTION_ERROR ? e : notEncoded(e.getMessage());
    } catch (PolyglotException e) {
      if (e.isCancelled() || e.isResourceExhausted() || e.isInterrupted()) {
        throw e;
      }
      throw notEncoded(e.getMessage());
    } catch (ClassCastException | UnsupportedOperationException e) {
      throw notEncoded(e.getMessage());
    }
  }

  private static CloudburstException notEncoded(String why) {
    return CloudburstException.executionError(
        "the function's result could not be encoded" + (why == null ? "" : ": " + why));
  }
}
