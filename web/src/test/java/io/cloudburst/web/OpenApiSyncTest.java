package io.cloudburst.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudburst.bus.ErrorCode;
import io.cloudburst.bus.codec.CloudburstCodecs;
import io.cloudburst.web.impl.OpenApi;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Keeps the OpenAPI document ({@code /v1/openapi.json}) in step with the routes the web verticle
 * registers: every served method and path is documented, every documented operation is served, and
 * the error schema names every {@link ErrorCode}.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiSyncTest {
  private static final List<String> OPERATION_KEYS =
      List.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
  private static final Pattern PATH_PARAM = Pattern.compile(":([A-Za-z0-9_]+)");
  private static final Pattern NAMED_GROUP = Pattern.compile("\\(\\?<([A-Za-z0-9]+)>[^)]*\\)");

  private Vertx vertx;
  private WebVerticle web;
  private JsonObject doc;

  @BeforeAll
  void deploy(VertxTestContext ctx) {
    vertx = Vertx.vertx();
    CloudburstCodecs.register(vertx);
    doc = new JsonObject(OpenApi.document());
    web = new WebVerticle();
    vertx
        .deployVerticle(web, new DeploymentOptions().setConfig(new JsonObject().put("port", 0)))
        .onComplete(ctx.succeedingThenComplete());
  }

  @AfterAll
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void close(VertxTestContext ctx) {
    vertx.close().onComplete(ctx.succeedingThenComplete());
  }

  /**
   * "METHOD /path/{param}" for every method and path the router serves; prefix mounts go to {@code
   * mounts}.
   */
  private Set<String> servedOperations(Set<String> mounts) {
    Set<String> out = new TreeSet<>();
    for (Route r : web.router().getRoutes()) {
      String path;
      if (r.isRegexPath()) {
        // Vert.x keeps a path with ':name' parameters as a regex too; its name is the path as
        // written. Named groups (the key-value routes) and ':name' parts are the path parameters.
        path =
            PATH_PARAM
                .matcher(NAMED_GROUP.matcher(r.getName()).replaceAll("{$1}"))
                .replaceAll("{$1}");
        assertThat(path)
            .as("regex route %s must be made of literal text and named groups", r.getName())
            .doesNotContain("(", "*", "\\");
      } else if (r.getPath() == null) {
        continue; // handlers for every request: the token check, the body handler, the not-found
        // answer
      } else if (!r.isExactPath()) {
        mounts.add(r.getPath() + "*");
        continue;
      } else {
        path = PATH_PARAM.matcher(r.getPath()).replaceAll("{$1}");
      }
      assertThat(r.methods()).as("route %s must name its methods", path).isNotNull().isNotEmpty();
      for (HttpMethod method : r.methods()) {
        out.add(method.name() + " " + path);
      }
    }
    return out;
  }

  private Set<String> documentedOperations() {
    Set<String> out = new TreeSet<>();
    JsonObject paths = doc.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String key : paths.getJsonObject(path).fieldNames()) {
        if (OPERATION_KEYS.contains(key)) {
          out.add(key.toUpperCase(java.util.Locale.ROOT) + " " + path);
        }
      }
    }
    return out;
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void everyRouteIsDocumentedAndEveryDocumentedOperationIsServed(VertxTestContext ctx) {
    ctx.verify(
        () -> {
          Set<String> mounts = new TreeSet<>();
          Set<String> served = servedOperations(mounts);
          Set<String> documented = documentedOperations();

          Set<String> undocumented = new TreeSet<>(served);
          undocumented.removeAll(documented);
          Set<String> notServed = new TreeSet<>(documented);
          notServed.removeAll(served);
          assertThat(undocumented).as("routes missing from openapi.json").isEmpty();
          assertThat(notServed).as("operations in openapi.json that no route serves").isEmpty();
          // Sanity: the walk saw the routes of API.md.
          assertThat(served)
              .contains(
                  "POST /v1/functions/{name}/invoke",
                  "PUT /v1/kvs/{key}",
                  "GET /metrics",
                  "GET /health",
                  "GET /v1/futures",
                  "GET /v1/openapi.json");

          Set<String> listed = new TreeSet<>();
          JsonArray xMounts = doc.getJsonArray("x-cloudburst-mounts", new JsonArray());
          for (int i = 0; i < xMounts.size(); i++) {
            listed.add(xMounts.getJsonObject(i).getString("path"));
          }
          assertThat(listed)
              .as("prefix mounts (e.g. SockJS, static files) must be listed in x-cloudburst-mounts")
              .containsAll(mounts);
        });
    ctx.completeNow();
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void theErrorSchemaNamesEveryErrorCode(VertxTestContext ctx) {
    ctx.verify(
        () -> {
          JsonArray codes =
              doc.getJsonObject("components")
                  .getJsonObject("schemas")
                  .getJsonObject("ErrorObject")
                  .getJsonObject("properties")
                  .getJsonObject("code")
                  .getJsonArray("enum");
          List<String> names = Arrays.stream(ErrorCode.values()).map(Enum::name).toList();
          assertThat(codes.getList()).containsExactlyInAnyOrderElementsOf(names);
        });
    ctx.completeNow();
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void everyReferenceResolvesAndEveryOperationIsComplete(VertxTestContext ctx) {
    ctx.verify(
        () -> {
          assertThat(doc.getString("openapi")).startsWith("3.");
          List<String> refs = new ArrayList<>();
          collectRefs(doc, refs);
          assertThat(refs).isNotEmpty();
          for (String ref : refs) {
            assertThat(ref).startsWith("#/");
            Object at = doc;
            for (String part : ref.substring(2).split("/")) {
              at = at instanceof JsonObject o ? o.getValue(part) : null;
            }
            assertThat(at).as("target of %s", ref).isInstanceOf(JsonObject.class);
          }
          Set<String> ids = new TreeSet<>();
          JsonObject paths = doc.getJsonObject("paths");
          for (String path : paths.fieldNames()) {
            for (String key : paths.getJsonObject(path).fieldNames()) {
              if (OPERATION_KEYS.contains(key)) {
                JsonObject op = paths.getJsonObject(path).getJsonObject(key);
                assertThat(ids.add(op.getString("operationId")))
                    .as("unique operationId of %s %s", key, path)
                    .isTrue();
                assertThat(op.getJsonObject("responses").fieldNames())
                    .as("responses of %s %s", key, path)
                    .isNotEmpty();
              }
            }
          }
        });
    ctx.completeNow();
  }

  @Test
  @Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
  void theDocumentIsServedAsJson(VertxTestContext ctx) {
    WebClient client = WebClient.create(vertx);
    client
        .get(web.actualPort(), "127.0.0.1", OpenApi.PATH)
        .send()
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertThat(r.statusCode()).isEqualTo(200);
                          assertThat(r.getHeader("content-type")).startsWith("application/json");
                          assertThat(r.bodyAsJsonObject()).isEqualTo(doc);
                          client.close();
                          ctx.completeNow();
                        })));
  }

  private static void collectRefs(Object node, List<String> out) {
    if (node instanceof JsonObject o) {
      for (String k : o.fieldNames()) {
        if (k.equals("$ref") && o.getValue(k) instanceof String s) {
          out.add(s);
        } else {
          collectRefs(o.getValue(k), out);
        }
      }
    } else if (node instanceof JsonArray a) {
      a.forEach(e -> collectRefs(e, out));
    }
  }
}
