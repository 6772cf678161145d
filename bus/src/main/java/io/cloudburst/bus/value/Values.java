package io.cloudburst.bus.value;

import io.cloudburst.bus.CloudburstException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The value model. A user value in Java is one of: {@code null}, {@link Boolean}, {@link Long},
 * {@link Double}, {@link BigInteger}, {@link String}, an unmodifiable {@link List} or {@link Map}
 * (string keys, insertion order kept) of values, {@link Bytes}, {@link Pickled} or {@link Ref}.
 *
 * <p>On the wire (HTTP, bridges, cluster hops) values are JSON where bytes, pickles and references
 * are one-key objects: {@code {"$bytes": b64}}, {@code {"$pickle": b64}}, {@code {"$ref": key}}.
 */
public final class Values {
  public static final String BYTES = "$bytes";
  public static final String PICKLE = "$pickle";
  public static final String REF = "$ref";

  private Values() {}

  /**
   * Converts decoded JSON (Vert.x {@link JsonObject}/{@link JsonArray}, maps, lists, scalars) to
   * the value model, validating markers.
   *
   * @throws CloudburstException BAD_REQUEST for bad base64 or a non-JSON type
   */
  public static Object fromJson(Object json) {
    if (json == null || json instanceof String || json instanceof Boolean) {
      return json;
    }
    if (json instanceof Integer
        || json instanceof Long
        || json instanceof Short
        || json instanceof Byte) {
      return ((Number) json).longValue();
    }
    if (json instanceof Double || json instanceof Float) {
      return ((Number) json).doubleValue();
    }
    if (json instanceof BigInteger bi) {
      return bi.bitLength() < 64 ? (Object) bi.longValue() : bi;
    }
    if (json instanceof BigDecimal bd) {
      return bd.doubleValue();
    }
    if (json instanceof JsonArray a) {
      return fromJson(a.getList());
    }
    if (json instanceof JsonObject o) {
      return fromJson(o.getMap());
    }
    if (json instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object e : l) {
        out.add(fromJson(e));
      }
      return Collections.unmodifiableList(out);
    }
    if (json instanceof Map<?, ?> m) {
      if (m.size() == 1) {
        Map.Entry<?, ?> e = m.entrySet().iterator().next();
        String k = String.valueOf(e.getKey());
        switch (k) {
          case BYTES -> {
            return new Bytes(base64(e.getValue(), BYTES));
          }
          case PICKLE -> {
            return new Pickled(base64(e.getValue(), PICKLE));
          }
          case REF -> {
            if (!(e.getValue() instanceof String key) || key.isEmpty()) {
              throw CloudburstException.badRequest("$ref must name a key (a non-empty string)");
            }
            return new Ref(key);
          }
          default -> {}
        }
      }
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.put(String.valueOf(e.getKey()), fromJson(e.getValue()));
      }
      return Collections.unmodifiableMap(out);
    }
    if (json instanceof Bytes || json instanceof Pickled || json instanceof Ref) {
      return json;
    }
    if (json instanceof byte[] b) {
      return new Bytes(b);
    }
    throw CloudburstException.badRequest("not a JSON value: " + json.getClass().getSimpleName());
  }

  private static byte[] base64(Object v, String marker) {
    if (!(v instanceof String s)) {
      throw CloudburstException.badRequest(marker + " must be a base64 string");
    }
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw CloudburstException.badRequest("invalid base64 in " + marker + ": " + e.getMessage());
    }
  }

  /** Converts a model value to a JSON tree ({@link JsonObject}/{@link JsonArray}/scalars). */
  public static Object toJson(Object value) {
    if (value == null
        || value instanceof String
        || value instanceof Boolean
        || value instanceof Number) {
      return value;
    }
    if (value instanceof Bytes b) {
      return new JsonObject().put(BYTES, Base64.getEncoder().encodeToString(b.data()));
    }
    if (value instanceof Pickled p) {
      return new JsonObject().put(PICKLE, Base64.getEncoder().encodeToString(p.data()));
    }
    if (value instanceof Ref r) {
      return new JsonObject().put(REF, r.key());
    }
    if (value instanceof List<?> l) {
      JsonArray a = new JsonArray(new ArrayList<>(l.size()));
      for (Object e : l) {
        a.add(toJson(e));
      }
      return a;
    }
    if (value instanceof Map<?, ?> m) {
      JsonObject o = new JsonObject(new LinkedHashMap<>());
      for (Map.Entry<?, ?> e : m.entrySet()) {
        o.put(String.valueOf(e.getKey()), toJson(e.getValue()));
      }
      return o;
    }
    if (value instanceof JsonObject || value instanceof JsonArray) {
      return value;
    }
    throw new IllegalArgumentException("not a model value: " + value.getClass().getName());
  }

  /** The JSON text of a model value. */
  public static String encode(Object value) {
    Object json = toJson(value);
    if (json instanceof JsonObject o) {
      return o.encode();
    }
    if (json instanceof JsonArray a) {
      return a.encode();
    }
    return Json.encode(json);
  }

  /** Parses JSON text into a model value. */
  public static Object decode(String text) {
    try {
      return fromJson(Json.decodeValue(text));
    } catch (DecodeException e) {
      throw CloudburstException.badRequest("malformed JSON: " + e.getMessage());
    }
  }

  /** True when the value holds a {@link Pickled} anywhere inside. */
  public static boolean containsPickle(Object value) {
    if (value instanceof Pickled) {
      return true;
    }
    if (value instanceof List<?> l) {
      for (Object e : l) {
        if (containsPickle(e)) {
          return true;
        }
      }
    } else if (value instanceof Map<?, ?> m) {
      for (Object e : m.values()) {
        if (containsPickle(e)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Collects the keys of every {@link Ref} inside the value, in order. */
  public static void collectRefs(Object value, List<String> into) {
    if (value instanceof Ref r) {
      into.add(r.key());
    } else if (value instanceof List<?> l) {
      for (Object e : l) {
        collectRefs(e, into);
      }
    } else if (value instanceof Map<?, ?> m) {
      for (Object e : m.values()) {
        collectRefs(e, into);
      }
    }
  }

  /**
   * A copy of the value with every {@link Ref} replaced by its key's value from {@code values}
   * (null for a key not in it).
   */
  public static Object replaceRefs(Object value, Map<String, Object> values) {
    if (value instanceof Ref r) {
      return values.get(r.key());
    }
    if (value instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object e : l) {
        out.add(replaceRefs(e, values));
      }
      return Collections.unmodifiableList(out);
    }
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.put(String.valueOf(e.getKey()), replaceRefs(e.getValue(), values));
      }
      return Collections.unmodifiableMap(out);
    }
    return value;
  }
}
