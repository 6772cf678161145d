package io.cloudburst.bus.codec;

import io.cloudburst.bus.value.Values;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps the message records of one sealed family to JSON and back, by their components. Used only
 * for cluster hops (local hops pass the record itself). Supported component types: strings,
 * primitives and their boxes, enums, byte[], records, sealed interfaces of records, {@code List<T>}
 * and {@code Map<String, T>} of those, and {@code Object} for user values (the value model of
 * {@link Values}).
 *
 * <p>Each record type's components, their generic types and accessors, and its canonical
 * constructor are looked up once ({@link Shape}) and then used as method handles: reflection per
 * message (fresh {@code Method}s and re-parsed generic signatures on every {@code
 * getRecordComponents()}) cost most of a cluster hop's CPU. Both maps are concurrent because event
 * loops of one node encode and decode at once.
 */
final class RecordJson {
  private static final String TYPE = "@t";

  private static final Map<Class<?>, Shape> SHAPES = new ConcurrentHashMap<>();

  private final Map<String, Class<?>> bySimpleName = new ConcurrentHashMap<>();

  /** One record component: its JSON name, declared type and accessor. */
  private record Component(String name, Type type, MethodHandle accessor) {}

  /**
   * A record type's components in declaration order and its canonical constructor (spread over
   * them).
   */
  private record Shape(Component[] components, MethodHandle constructor) {
    static Shape of(Class<?> c) {
      try {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        java.lang.reflect.RecordComponent[] rcs = c.getRecordComponents();
        Component[] components = new Component[rcs.length];
        Class<?>[] types = new Class<?>[rcs.length];
        for (int i = 0; i < rcs.length; i++) {
          java.lang.reflect.Method accessor = rcs[i].getAccessor();
          accessor.setAccessible(true);
          components[i] =
              new Component(
                  rcs[i].getName(),
                  rcs[i].getGenericType(),
                  lookup
                      .unreflect(accessor)
                      .asType(MethodType.methodType(Object.class, Object.class)));
          types[i] = rcs[i].getType();
        }
        java.lang.reflect.Constructor<?> ctor = c.getDeclaredConstructor(types);
        ctor.setAccessible(true);
        MethodHandle constructor =
            lookup
                .unreflectConstructor(ctor)
                .asType(MethodType.methodType(Object.class, types))
                .asSpreader(Object[].class, types.length);
        return new Shape(components, constructor);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot map record " + c.getName(), e);
      }
    }
  }

  private static Shape shape(Class<?> c) {
    return SHAPES.computeIfAbsent(c, Shape::of);
  }

  RecordJson(Class<?> family) {
    collect(family);
  }

  private void collect(Class<?> c) {
    if (c.isRecord()) {
      bySimpleName.put(typeName(c), c);
    }
    if (c.isSealed()) {
      for (Class<?> sub : c.getPermittedSubclasses()) {
        collect(sub);
      }
    }
  }

  private static String typeName(Class<?> c) {
    String n = c.getName();
    return n.substring(n.lastIndexOf('.') + 1);
  }

  JsonObject write(Object record) {
    JsonObject o = writeRecord(record);
    o.put(TYPE, typeName(record.getClass()));
    return o;
  }

  Object read(JsonObject json) {
    Class<?> c = bySimpleName.get(json.getString(TYPE));
    if (c == null) {
      throw new IllegalArgumentException("unknown message type " + json.getString(TYPE));
    }
    return readRecord(c, json);
  }

  private JsonObject writeRecord(Object record) {
    JsonObject o = new JsonObject();
    for (Component rc : shape(record.getClass()).components()) {
      Object v;
      try {
        v = rc.accessor().invokeExact(record);
      } catch (Throwable t) {
        throw new IllegalStateException(
            "cannot read " + record.getClass().getSimpleName() + "." + rc.name(), t);
      }
      o.put(rc.name(), writeValue(rc.type(), v));
    }
    return o;
  }

  private Object writeValue(Type type, Object v) {
    if (v == null) {
      return null;
    }
    Class<?> raw = raw(type);
    if (raw == Object.class) {
      return Values.toJson(v);
    }
    if (v instanceof String || v instanceof Number || v instanceof Boolean) {
      return v;
    }
    if (v instanceof Enum<?> e) {
      return e.name();
    }
    if (v instanceof byte[] b) {
      return Base64.getEncoder().encodeToString(b);
    }
    if (v instanceof List<?> l) {
      Type el = arg(type, 0);
      JsonArray a = new JsonArray();
      for (Object e : l) {
        a.add(writeValue(el, e));
      }
      return a;
    }
    if (v instanceof Map<?, ?> m) {
      Type el = arg(type, 1);
      JsonObject o = new JsonObject();
      m.forEach((k, e) -> o.put(String.valueOf(k), writeValue(el, e)));
      return o;
    }
    if (v.getClass().isRecord()) {
      JsonObject o = writeRecord(v);
      if (!raw.isRecord()) {
        o.put(TYPE, typeName(v.getClass()));
        bySimpleName.putIfAbsent(typeName(v.getClass()), v.getClass());
      }
      return o;
    }
    throw new IllegalArgumentException("cannot encode " + v.getClass());
  }

  private Object readRecord(Class<?> c, JsonObject json) {
    Shape shape = shape(c);
    Component[] rcs = shape.components();
    Object[] args = new Object[rcs.length];
    for (int i = 0; i < rcs.length; i++) {
      args[i] = readValue(rcs[i].type(), json.getValue(rcs[i].name()));
    }
    try {
      return shape.constructor().invoke(args);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("cannot build " + c.getSimpleName(), t);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Object readValue(Type type, Object v) {
    Class<?> raw = raw(type);
    if (raw == Object.class) {
      return Values.fromJson(v);
    }
    if (v == null) {
      if (raw.isPrimitive()) {
        return raw == boolean.class
            ? false
            : (raw == double.class ? 0.0 : (raw == long.class ? 0L : 0));
      }
      return null;
    }
    if (raw == String.class) {
      return v;
    }
    if (raw == int.class || raw == Integer.class) {
      return ((Number) v).intValue();
    }
    if (raw == long.class || raw == Long.class) {
      return ((Number) v).longValue();
    }
    if (raw == double.class || raw == Double.class) {
      return ((Number) v).doubleValue();
    }
    if (raw == boolean.class || raw == Boolean.class) {
      return v;
    }
    if (raw.isEnum()) {
      return Enum.valueOf((Class<? extends Enum>) raw, (String) v);
    }
    if (raw == byte[].class) {
      return Base64.getDecoder().decode((String) v);
    }
    if (List.class.isAssignableFrom(raw)) {
      Type el = arg(type, 0);
      List<Object> out = new ArrayList<>();
      for (Object e : (JsonArray) v) {
        out.add(readValue(el, e));
      }
      return out;
    }
    if (Map.class.isAssignableFrom(raw)) {
      Type el = arg(type, 1);
      Map<String, Object> out = new LinkedHashMap<>();
      ((JsonObject) v).forEach(e -> out.put(e.getKey(), readValue(el, e.getValue())));
      return out;
    }
    JsonObject o = (JsonObject) v;
    if (raw.isRecord()) {
      return readRecord(raw, o);
    }
    Class<?> c = bySimpleName.get(o.getString(TYPE));
    if (c == null) {
      collect(raw);
      c = bySimpleName.get(o.getString(TYPE));
    }
    if (c == null) {
      throw new IllegalArgumentException("unknown nested type " + o.getString(TYPE));
    }
    return readRecord(c, o);
  }

  private static Class<?> raw(Type t) {
    if (t instanceof Class<?> c) {
      return c;
    }
    if (t instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return Object.class;
  }

  private static Type arg(Type t, int i) {
    if (t instanceof ParameterizedType p) {
      return p.getActualTypeArguments()[i];
    }
    return Object.class;
  }
}
