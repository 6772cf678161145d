package io.cloudburst.bus.lattice;

import io.cloudburst.bus.value.Bytes;
import io.cloudburst.bus.value.Pickled;
import io.cloudburst.bus.value.Ref;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The binary form of lattices and of the user values inside them.
 *
 * <p>Layout: one byte, the kind's tag, then the kind's fields; a set or counter that atomic calls
 * wrote ends with an optional section of its {@link RecentWriters} (older encodings have none, so
 * they still decode). Integers are LEB128 varints (zig-zag for signed ones), strings and byte
 * arrays are length-prefixed. A value is a one-byte type tag and its payload; bytes and pickles
 * stay raw (no base64), maps keep their order.
 *
 * <p>The canonical form of a value ({@link #canonical}) is the same encoding with map keys sorted;
 * it is what set membership, ordering and tie-breaks compare, so two maps with the same entries in
 * another order are one member.
 */
final class LatticeCodec {
  private static final byte NULL = 0;
  private static final byte FALSE = 1;
  private static final byte TRUE = 2;
  private static final byte LONG = 3;
  private static final byte DOUBLE = 4;
  private static final byte BIG = 5;
  private static final byte STRING = 6;
  private static final byte LIST = 7;
  private static final byte MAP = 8;
  private static final byte BYTES = 9;
  private static final byte PICKLE = 10;
  private static final byte REF = 11;

  private LatticeCodec() {}

  static byte[] encode(Lattice l) {
    Out out = new Out();
    out.write(l.kind().tag());
    switch (l) {
      case LwwLattice x -> {
        out.signed(x.timestamp());
        out.string(x.nodeId());
        out.value(x.value(), false);
      }
      case SetLattice x -> {
        out.unsigned(x.members().size());
        for (Object m : x.members()) {
          out.value(m, false);
        }
        x.writers().writeTo(out);
      }
      case CounterLattice x -> {
        out.counts(x.counts());
        x.writers().writeTo(out);
      }
      case CausalLattice x -> {
        out.unsigned(x.versions().size());
        for (CausalLattice.Version v : x.versions()) {
          out.counts(v.clock().entries());
          out.value(v.value(), false);
        }
      }
      case MultiKeyCausalLattice x -> {
        out.unsigned(x.versions().size());
        for (MultiKeyCausalLattice.Version v : x.versions()) {
          out.counts(v.clock().entries());
          out.unsigned(v.dependencies().size());
          for (Map.Entry<String, VectorClock> d : v.dependencies().entrySet()) {
            out.string(d.getKey());
            out.counts(d.getValue().entries());
          }
          out.value(v.value(), false);
        }
      }
    }
    return out.toByteArray();
  }

  static Lattice decode(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new IllegalArgumentException("empty lattice encoding");
    }
    In in = new In(bytes);
    try {
      LatticeKind kind = LatticeKind.ofTag(in.read());
      Lattice l =
          switch (kind) {
            case LWW -> new LwwLattice(in.signed(), in.string(), in.value());
            case SET -> {
              int n = in.count();
              List<Object> members = new ArrayList<>(n);
              for (int i = 0; i < n; i++) {
                members.add(in.value());
              }
              yield new SetLattice(members, RecentWriters.readFrom(in));
            }
            case COUNTER -> new CounterLattice(in.counts(), RecentWriters.readFrom(in));
            case CAUSAL -> {
              int n = in.count();
              List<CausalLattice.Version> vs = new ArrayList<>(n);
              for (int i = 0; i < n; i++) {
                vs.add(new CausalLattice.Version(new VectorClock(in.counts()), in.value()));
              }
              yield new CausalLattice(vs);
            }
            case MULTI_CAUSAL -> {
              int n = in.count();
              List<MultiKeyCausalLattice.Version> vs = new ArrayList<>(n);
              for (int i = 0; i < n; i++) {
                VectorClock clock = new VectorClock(in.counts());
                int d = in.count();
                Map<String, VectorClock> deps = new TreeMap<>();
                for (int j = 0; j < d; j++) {
                  deps.put(in.string(), new VectorClock(in.counts()));
                }
                vs.add(new MultiKeyCausalLattice.Version(clock, deps, in.value()));
              }
              yield new MultiKeyCausalLattice(vs);
            }
          };
      if (in.pos != bytes.length) {
        throw new IllegalArgumentException("trailing bytes after lattice");
      }
      return l;
    } catch (IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("truncated lattice encoding", e);
    }
  }

  /** The canonical bytes of a user value (map keys sorted). */
  static byte[] canonical(Object value) {
    Out out = new Out();
    out.value(value, true);
    return out.toByteArray();
  }

  /** Byte arrays ordered lexicographically (unsigned), for canonical ordering and dedup. */
  record Key(byte[] bytes) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }
  }

  static final class Out extends ByteArrayOutputStream {
    Out() {
      super(64);
    }

    void unsigned(long v) {
      while ((v & ~0x7FL) != 0) {
        write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      write((int) v);
    }

    void signed(long v) {
      unsigned((v << 1) ^ (v >> 63));
    }

    void bytes(byte[] b) {
      unsigned(b.length);
      write(b, 0, b.length);
    }

    void string(String s) {
      bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    void counts(Map<String, Long> m) {
      unsigned(m.size());
      for (Map.Entry<String, Long> e : m.entrySet()) {
        string(e.getKey());
        unsigned(e.getValue());
      }
    }

    void value(Object v, boolean canonical) {
      switch (v) {
        case null -> write(NULL);
        case Boolean b -> write(b ? TRUE : FALSE);
        case Long l -> {
          write(LONG);
          signed(l);
        }
        case Integer i -> {
          write(LONG);
          signed(i);
        }
        case Short s -> {
          write(LONG);
          signed(s);
        }
        case Byte b -> {
          write(LONG);
          signed(b);
        }
        case Double d -> {
          write(DOUBLE);
          fixed64(Double.doubleToLongBits(d));
        }
        case Float f -> {
          write(DOUBLE);
          fixed64(Double.doubleToLongBits(f.doubleValue()));
        }
        case BigInteger bi -> {
          if (bi.bitLength() < 64) {
            write(LONG);
            signed(bi.longValue());
          } else {
            write(BIG);
            bytes(bi.toByteArray());
          }
        }
        case String s -> {
          write(STRING);
          string(s);
        }
        case Bytes b -> {
          write(BYTES);
          bytes(b.data());
        }
        case Pickled p -> {
          write(PICKLE);
          bytes(p.data());
        }
        case Ref r -> {
          write(REF);
          string(r.key());
        }
        case List<?> l -> {
          write(LIST);
          unsigned(l.size());
          for (Object e : l) {
            value(e, canonical);
          }
        }
        case Map<?, ?> m -> {
          write(MAP);
          unsigned(m.size());
          Iterable<? extends Map.Entry<?, ?>> entries = m.entrySet();
          if (canonical) {
            TreeMap<String, Object> sorted = new TreeMap<>();
            m.forEach((k, e) -> sorted.put(String.valueOf(k), e));
            entries = sorted.entrySet();
          }
          for (Map.Entry<?, ?> e : entries) {
            string(String.valueOf(e.getKey()));
            value(e.getValue(), canonical);
          }
        }
        default ->
            throw new IllegalArgumentException("not a model value: " + v.getClass().getName());
      }
    }

    private void fixed64(long bits) {
      for (int i = 56; i >= 0; i -= 8) {
        write((int) (bits >>> i) & 0xFF);
      }
    }
  }

  static final class In {
    private final byte[] b;
    int pos;

    In(byte[] b) {
      this.b = b;
    }

    byte read() {
      return b[pos++];
    }

    boolean atEnd() {
      return pos == b.length;
    }

    long unsigned() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        byte x = read();
        v |= (long) (x & 0x7F) << shift;
        if ((x & 0x80) == 0) {
          return v;
        }
      }
      throw new IllegalArgumentException("varint too long");
    }

    long signed() {
      long u = unsigned();
      return (u >>> 1) ^ -(u & 1);
    }

    int count() {
      long n = unsigned();
      // Every element takes at least one byte, so a count beyond what is left is corrupt.
      if (n < 0 || n > b.length - pos) {
        throw new IllegalArgumentException("bad count " + n);
      }
      return (int) n;
    }

    byte[] bytes() {
      int n = count();
      byte[] out = Arrays.copyOfRange(b, pos, pos + n);
      pos += n;
      return out;
    }

    String string() {
      int n = count();
      String s = new String(b, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }

    Map<String, Long> counts() {
      int n = count();
      Map<String, Long> m = new TreeMap<>();
      for (int i = 0; i < n; i++) {
        m.put(string(), unsigned());
      }
      return m;
    }

    Object value() {
      byte tag = read();
      return switch (tag) {
        case NULL -> null;
        case FALSE -> Boolean.FALSE;
        case TRUE -> Boolean.TRUE;
        case LONG -> signed();
        case DOUBLE -> {
          long bits = 0;
          for (int i = 0; i < 8; i++) {
            bits = (bits << 8) | (read() & 0xFF);
          }
          yield Double.longBitsToDouble(bits);
        }
        case BIG -> new BigInteger(bytes());
        case STRING -> string();
        case BYTES -> new Bytes(bytes());
        case PICKLE -> new Pickled(bytes());
        case REF -> new Ref(string());
        case LIST -> {
          int n = count();
          List<Object> l = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            l.add(value());
          }
          yield Collections.unmodifiableList(l);
        }
        case MAP -> {
          int n = count();
          Map<String, Object> m = new LinkedHashMap<>();
          for (int i = 0; i < n; i++) {
            m.put(string(), value());
          }
          yield Collections.unmodifiableMap(m);
        }
        default -> throw new IllegalArgumentException("unknown value tag " + tag);
      };
    }
  }
}
