package io.cloudburst.runtime.impl;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.value.Bytes;
import io.cloudburst.bus.value.Values;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.proxy.ProxyArray;

/**
 * The host side of the user library, one per context. Only its {@code @Export} methods are
 * reachable from guest code; they take and give strings, numbers, booleans and JSON text (the guest
 * prelude converts), so no host object ever enters a guest. A failure is answered as {@code
 * {"$error": {code, message}}}, which the prelude raises as the guest's own {@code
 * CloudburstError}.
 *
 * <p>The context is borrowed by one worker thread at a time, which sets {@link #current} around
 * each invocation.
 */
public final class UserLibrary {
  private final LibraryBackend backend;
  private Invocation current;

  UserLibrary(LibraryBackend backend) {
    this.backend = backend;
  }

  void bind(Invocation inv) {
    current = inv;
  }

  private Invocation inv() {
    if (current == null) {
      throw CloudburstException.badRequest(
          "the cloudburst library is usable only while the function runs");
    }
    return current;
  }

  @HostAccess.Export
  public String id() {
    return current == null ? null : current.invocationId();
  }

  /**
   * A string, number or boolean comes back as itself (no JSON on the hot path of a cache hit);
   * anything else, null included, as a one-element array holding its JSON text, as does a failure
   * ({@code {"$error": ...}}).
   */
  @HostAccess.Export
  public Object get(String key) {
    try {
      Object v = backend.get(inv(), key);
      if (v instanceof String || v instanceof Long || v instanceof Double || v instanceof Boolean) {
        return v;
      }
      return ProxyArray.fromArray(Values.encode(v));
    } catch (RuntimeException e) {
      return ProxyArray.fromArray(error(e));
    }
  }

  @HostAccess.Export
  public String getMany(String keysJson) {
    return answer(
        () -> {
          List<String> keys = new ArrayList<>();
          if (!(Values.decode(keysJson) instanceof List<?> l)) {
            throw CloudburstException.badRequest("get: keys must be a list of strings");
          }
          for (Object k : l) {
            if (!(k instanceof String s)) {
              throw CloudburstException.badRequest("get: keys must be strings");
            }
            keys.add(s);
          }
          Map<String, Object> values = backend.getMany(inv(), keys);
          return Values.encode(values);
        });
  }

  /** Stores a value given as JSON text. Answers true, or a one-element array with the failure. */
  @HostAccess.Export
  public Object put(String key, String valueJson) {
    try {
      backend.put(inv(), key, Values.decode(valueJson));
      return Boolean.TRUE;
    } catch (RuntimeException e) {
      return ProxyArray.fromArray(error(e));
    }
  }

  /** Stores a string, number or boolean passed as itself. Answers as {@link #put}. */
  @HostAccess.Export
  public Object putPlain(String key, Object value) {
    try {
      Object v =
          switch (value) {
            case Integer i -> (long) i;
            case Short i -> (long) i;
            case Byte i -> (long) i;
            case Float f -> (double) f;
            case Long l -> l;
            case Double d -> d;
            case String str -> str;
            case Boolean b -> b;
            default -> throw CloudburstException.badRequest("put: not a plain value: " + value);
          };
      backend.put(inv(), key, v);
      return Boolean.TRUE;
    } catch (RuntimeException e) {
      return ProxyArray.fromArray(error(e));
    }
  }

  @HostAccess.Export
  public String call(String name, String argsJson) {
    return answer(
        () -> {
          if (!(Values.decode(argsJson) instanceof List<?> args)) {
            throw CloudburstException.badRequest("call: arguments must be a list");
          }
          @SuppressWarnings("unchecked")
          List<Object> a = (List<Object>) args;
          return Values.encode(backend.call(inv(), name, a));
        });
  }

  @HostAccess.Export
  public String send(String dest, String dataJson) {
    return answer(
        () -> {
          if (!(Values.decode(dataJson) instanceof Bytes b)) {
            throw CloudburstException.badRequest("send: the message must be bytes");
          }
          backend.send(inv(), dest, b.data());
          return "null";
        });
  }

  @HostAccess.Export
  public String recv() {
    return answer(() -> Values.encode(backend.recv(inv())));
  }

  private static String answer(java.util.function.Supplier<String> body) {
    try {
      return body.get();
    } catch (RuntimeException e) {
      return error(e);
    }
  }

  private static String error(RuntimeException e) {
    return new JsonObject().put("$error", CloudburstException.from(e).toJson()).encode();
  }
}
