package io.cloudburst.runtime.impl;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A context's stdout and stderr: keeps the first {@code limit} bytes of what one invocation printed
 * and counts the rest. Reset before each invocation; written only by the thread that has the
 * context entered, read by that same thread afterwards.
 */
final class BoundedOutput extends OutputStream {
  private final int limit;
  private byte[] buf = new byte[256];
  private int size;
  private long dropped;

  BoundedOutput(int limit) {
    this.limit = limit;
  }

  @Override
  public void write(int b) {
    if (size < limit) {
      ensure(size + 1);
      buf[size++] = (byte) b;
    } else {
      dropped++;
    }
  }

  @Override
  public void write(byte[] b, int off, int len) {
    int take = Math.min(len, limit - size);
    if (take > 0) {
      ensure(size + take);
      System.arraycopy(b, off, buf, size, take);
      size += take;
    }
    dropped += len - Math.max(take, 0);
  }

  private void ensure(int n) {
    if (n > buf.length) {
      buf = Arrays.copyOf(buf, Math.min(Math.max(n, buf.length * 2), Math.max(limit, 1)));
    }
  }

  /** What was printed since the last reset (null when nothing), noting how much was cut. */
  String take() {
    if (size == 0 && dropped == 0) {
      return null;
    }
    String s = new String(buf, 0, size, StandardCharsets.UTF_8);
    if (dropped > 0) {
      s += "\n[... " + dropped + " more bytes of output cut]";
    }
    reset();
    return s;
  }

  void reset() {
    size = 0;
    dropped = 0;
    if (buf.length > 4096) {
      buf = new byte[256];
    }
  }
}
