package io.cloudburst.web.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.CloudburstException;
import io.cloudburst.bus.ErrorCode;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class HttpErrorsTest {
  @Test
  void aCloudburstExceptionKeepsItsCodeAndMessage() {
    CloudburstException e =
        CloudburstException.notFound(ErrorCode.FUNC_NOT_FOUND, "no function 'f'");
    assertThat(HttpErrors.of(e)).isSameAs(e);
  }

  @Test
  void busFailuresMapToTheFarSidesCodeOrTimeoutOrNoResources() {
    ReplyException recipient =
        new ReplyException(
            ReplyFailure.RECIPIENT_FAILURE, ErrorCode.CONFLICT.failureCode(), "taken");
    assertThat(HttpErrors.of(recipient).code()).isEqualTo(ErrorCode.CONFLICT);
    assertThat(HttpErrors.of(recipient).getMessage()).isEqualTo("taken");
    assertThat(HttpErrors.of(new ReplyException(ReplyFailure.TIMEOUT, "late")).code())
        .isEqualTo(ErrorCode.TIMEOUT);
    assertThat(HttpErrors.of(new ReplyException(ReplyFailure.NO_HANDLERS, "nobody")).code())
        .isEqualTo(ErrorCode.NO_RESOURCES);
  }

  @Test
  void malformedJsonIsBadRequestWithItsFirstLineAndAnythingElseIsInternal() {
    CloudburstException json =
        HttpErrors.of(new DecodeException("Unexpected character\n at [Source: x]"));
    assertThat(json.code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(json.getMessage()).isEqualTo("malformed JSON: Unexpected character");
    assertThat(HttpErrors.of(new IllegalStateException("boom")).code())
        .isEqualTo(ErrorCode.INTERNAL);
  }

  @Test
  void theBodyIsTheErrorObjectOfTheApi() {
    assertThat(HttpErrors.body(CloudburstException.tooLarge("too big")))
        .isEqualTo(
            new JsonObject()
                .put(
                    "error",
                    new JsonObject().put("code", "PAYLOAD_TOO_LARGE").put("message", "too big")));
  }

  @Test
  void bareStatusesGetTheCodeOfTheirKind() {
    assertThat(HttpErrors.codeOfStatus(413)).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(HttpErrors.codeOfStatus(414)).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(HttpErrors.codeOfStatus(431)).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(HttpErrors.codeOfStatus(401)).isEqualTo(ErrorCode.UNAUTHORIZED);
    assertThat(HttpErrors.codeOfStatus(404)).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(HttpErrors.codeOfStatus(500)).isEqualTo(ErrorCode.INTERNAL);
    assertThat(HttpErrors.codeOfStatus(503)).isEqualTo(ErrorCode.INTERNAL);
  }
}
