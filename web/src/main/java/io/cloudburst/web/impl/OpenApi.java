package io.cloudburst.web.impl;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The OpenAPI 3 document of the HTTP API, a hand-written resource ({@value #RESOURCE}) kept in step
 * with the router by a test, served at {@code GET /v1/openapi.json}.
 */
public final class OpenApi {
  public static final String RESOURCE = "io/cloudburst/web/openapi.json";
  public static final String PATH = "/v1/openapi.json";
  private static final Buffer DOCUMENT = load();

  private OpenApi() {}

  /** The document's bytes. */
  public static Buffer document() {
    return DOCUMENT;
  }

  public static void serve(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(DOCUMENT);
  }

  private static Buffer load() {
    try (InputStream in = OpenApi.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCE + " is missing from the class path");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
