package io.cloudburst.runtime.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.graalvm.polyglot.Context;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Engine retirement: a bounded number of contexts per engine, old engines closed when empty. */
@Timeout(60)
class EngineLineTest {

  @Test
  void anEngineTakesItsShareOfContextsThenANewOneTakesOver() {
    EngineLine line = new EngineLine("js", 2);
    try {
      EngineLine.Generation a = line.take();
      EngineLine.Generation b = line.take();
      EngineLine.Generation c = line.take();
      assertSame(a, b);
      assertNotSame(a, c);
      assertEquals(2, line.engines());
      assertEquals(2, line.open(), "the retired engine stays open while its contexts are");
      line.closed(a);
      assertEquals(2, line.open());
      line.closed(b);
      assertEquals(1, line.open(), "its last context closed: the retired engine is closed");
      assertThrows(
          IllegalStateException.class,
          () -> Context.newBuilder("js").engine(a.engine).build(),
          "a closed engine builds no context");
      try (Context ok = Context.newBuilder("js").engine(c.engine).build()) {
        assertEquals(3, ok.eval("js", "1+2").asInt());
      }
    } finally {
      line.close();
    }
  }

  @Test
  void anEngineRetiredWithNoContextOpenIsClosedAtOnce() {
    EngineLine line = new EngineLine("js", 1);
    try {
      EngineLine.Generation a = line.take();
      line.closed(a);
      EngineLine.Generation b = line.take();
      assertNotSame(a, b);
      assertEquals(1, line.open());
      assertThrows(
          IllegalStateException.class, () -> Context.newBuilder("js").engine(a.engine).build());
    } finally {
      line.close();
    }
  }

  @Test
  void aLineWithoutLimitKeepsOneEngine() {
    EngineLine line = new EngineLine("js", 0);
    try {
      EngineLine.Generation a = line.take();
      for (int i = 0; i < 100; i++) {
        assertSame(a, line.take());
      }
      assertEquals(1, line.engines());
    } finally {
      line.close();
    }
  }
}
