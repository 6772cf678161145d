package io.cloudburst.web.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import org.junit.jupiter.api.Test;

class KvsRoutesTest {
  @Test
  void keysDecodeRunsOfEscapesAsUtf8AndKeepEverythingElse() {
    assertThat(KvsRoutes.decode("plain/key+1")).isEqualTo("plain/key+1");
    assertThat(KvsRoutes.decode("caf%C3%A9%20au%20lait%3F%2Bx")).isEqualTo("café au lait?+x");
    assertThat(KvsRoutes.decode("users%2Falice")).isEqualTo("users/alice");
    assertThat(KvsRoutes.decode("%F0%9F%98%80!")).isEqualTo("😀!");
  }

  @Test
  void bytesThatAreNotUtf8AndMalformedEscapesAreBadRequest() {
    for (String raw :
        new String[] {"%ff", "%fe", "%c3%28", "a%e2%82", "%ed%a0%80", "%c0%af", "%4", "%zz"}) {
      assertThatThrownBy(() -> KvsRoutes.decode(raw))
          .as(raw)
          .isInstanceOfSatisfying(
              CloudburstException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }
  }
}
