package io.cloudburst.web.impl;

import io.cloudburst.bus.CloudburstException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** Reading typed fields out of request bodies, failing with BAD_REQUEST that names the field. */
public final class Requests {
  private Requests() {}

  /** The body as a JSON object; an empty body is an empty object when {@code emptyOk}. */
  public static JsonObject body(RoutingContext ctx, boolean emptyOk) {
    var body = ctx.body();
    // Vert.x gives an absent body a null buffer and a length of -1.
    if (body == null || body.buffer() == null || body.length() <= 0) {
      if (emptyOk) {
        return new JsonObject();
      }
      throw CloudburstException.badRequest("request body is missing: send a JSON object");
    }
    Object v;
    try {
      v = body.buffer().toJsonValue();
    } catch (DecodeException e) {
      throw CloudburstException.badRequest("malformed JSON: " + firstLine(e.getMessage()));
    }
    if (!(v instanceof JsonObject o)) {
      throw CloudburstException.badRequest("request body must be a JSON object");
    }
    return o;
  }

  public static String string(JsonObject o, String field, boolean required) {
    Object v = o.getValue(field);
    if (v == null) {
      if (required) {
        throw CloudburstException.badRequest("field '" + field + "' is missing");
      }
      return null;
    }
    if (!(v instanceof String s)) {
      throw CloudburstException.badRequest("field '" + field + "' must be a string");
    }
    return s;
  }

  /**
   * A field that must be present, whatever its JSON value ({@code null} included), as decoded JSON.
   */
  public static Object present(JsonObject o, String field) {
    if (!o.containsKey(field)) {
      throw CloudburstException.badRequest("field '" + field + "' is missing");
    }
    return o.getValue(field);
  }

  public static boolean bool(JsonObject o, String field, boolean dflt) {
    Object v = o.getValue(field);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Boolean b)) {
      throw CloudburstException.badRequest("field '" + field + "' must be true or false");
    }
    return b;
  }

  public static long nonNegativeLong(JsonObject o, String field, long dflt) {
    Object v = o.getValue(field);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Number n)
        || n.doubleValue() != Math.rint(n.doubleValue())
        || n.longValue() < 0) {
      throw CloudburstException.badRequest("field '" + field + "' must be a non-negative integer");
    }
    return n.longValue();
  }

  public static JsonArray array(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null) {
      return new JsonArray();
    }
    if (!(v instanceof JsonArray a)) {
      throw CloudburstException.badRequest("field '" + field + "' must be a JSON array");
    }
    return a;
  }

  /** A required array of strings. */
  public static List<String> strings(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (!(v instanceof JsonArray a)) {
      throw CloudburstException.badRequest("field '" + field + "' must be an array of strings");
    }
    List<String> out = new java.util.ArrayList<>(a.size());
    for (Object e : a) {
      if (!(e instanceof String s)) {
        throw CloudburstException.badRequest("field '" + field + "' must be an array of strings");
      }
      out.add(s);
    }
    return out;
  }

  /**
   * {@code json} (decoded JSON of field {@code field}) unchanged, once no number in it is one a
   * double cannot hold: Jackson reads {@code 1e999} as infinity, which the value model would carry
   * as the string "Infinity". BAD_REQUEST naming the field otherwise.
   */
  public static <T> T finite(T json, String field) {
    if (!isFinite(json)) {
      throw CloudburstException.badRequest(
          "field '"
              + field
              + "' holds a number a double cannot represent"
              + " (e.g. 1e999 overflows to infinity): send such a value as a string");
    }
    return json;
  }

  private static boolean isFinite(Object json) {
    return switch (json) {
      case Double d -> Double.isFinite(d);
      case Float f -> Float.isFinite(f);
      case java.math.BigDecimal bd -> Double.isFinite(bd.doubleValue());
      case JsonObject o -> isFinite(o.getMap());
      case JsonArray a -> isFinite(a.getList());
      case java.util.Map<?, ?> m -> m.values().stream().allMatch(Requests::isFinite);
      case List<?> l -> l.stream().allMatch(Requests::isFinite);
      case null, default -> true;
    };
  }

  /** A path parameter parsed as a positive int. */
  public static int positiveInt(String raw, String what) {
    try {
      int v = Integer.parseInt(raw);
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // fall through
    }
    throw CloudburstException.badRequest(what + " must be a positive integer");
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int i = s.indexOf('\n');
    return i < 0 ? s : s.substring(0, i);
  }
}
