package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Regression: a chunked body over 4 MiB to {@code /v1/apply} or {@code /v1/inventory:import} got a
 * 500 and an ERROR stack trace, and the 16 MiB import limit could never be reached (the listener
 * stopped at 4 MiB). Every endpoint that reads a body answers a body over its limit, declared or
 * chunked, with 413 naming the limit; a 10 MiB import succeeds; nothing of any body reaches the
 * log.
 */
class BodyLimitTest {
  static final String MARKER = "BODYMARKER";
  static final int KIB = 1024;
  static final int MIB = 1024 * 1024;

  @TempDir static Path dir;

  static ServerFixture warden;
  static final List<String> logged = new ArrayList<>();
  static final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          StringBuilder sb =
              new StringBuilder()
                  .append(r.getLevel())
                  .append(' ')
                  .append(r.getLoggerName())
                  .append(' ')
                  .append(r.getMessage());
          if (r.getParameters() != null) {
            for (Object p : r.getParameters()) {
              sb.append(' ').append(p);
            }
          }
          for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
            sb.append('\n').append(t);
            for (StackTraceElement e : t.getStackTrace()) {
              sb.append("\n  at ").append(e);
            }
          }
          synchronized (logged) {
            logged.add(sb.toString());
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  static final Logger[] watched = {
    Logger.getLogger(""), Logger.getLogger("io.helidon"), Logger.getLogger("dev.warden")
  };
  static final Level[] levels = new Level[watched.length];

  /** HTTP/1.1: a body of unknown length is sent chunked. */
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() {
    capture.setLevel(Level.ALL);
    for (int i = 0; i < watched.length; i++) {
      levels[i] = watched[i].getLevel();
    }
    Logger.getLogger("").addHandler(capture);
    // debug output too: a body must not reach the log at any level
    Logger.getLogger("io.helidon").setLevel(Level.FINE);
    Logger.getLogger("dev.warden").setLevel(Level.FINE);
    warden = ServerFixture.start(dir);
    synchronized (logged) {
      assertThat(logged)
          .as("the capture sees the server's log")
          .anyMatch(
              l ->
                  l.startsWith("INFO dev.warden.server.WardenServer Warden ")
                      && l.contains(" listening on "));
      logged.clear();
    }
  }

  @AfterAll
  static void stop() {
    warden.close();
    Logger.getLogger("").removeHandler(capture);
    for (int i = 0; i < watched.length; i++) {
      watched[i].setLevel(levels[i]);
    }
  }

  @AfterEach
  void nothingOfABodyWasLogged() {
    String hex = HexFormat.of().formatHex(MARKER.getBytes(StandardCharsets.US_ASCII));
    String spaced =
        HexFormat.ofDelimiter(" ").formatHex(MARKER.getBytes(StandardCharsets.US_ASCII));
    synchronized (logged) {
      for (String line : logged) {
        String lower = line.toLowerCase(Locale.ROOT);
        assertThat(lower).doesNotContain(MARKER.toLowerCase(Locale.ROOT), hex, spaced, "bodymark");
        assertThat(line).as("no failure was logged").doesNotStartWith("SEVERE");
      }
      logged.clear();
    }
  }

  /** A body of exactly {@code size} bytes, mostly the marker, shaped for the media type. */
  static byte[] body(String contentType, int size) {
    String head =
        contentType.startsWith("application/json")
            ? "{\"x\": \""
            : "grant_type=client_credentials&x=";
    String tail = contentType.startsWith("application/json") ? "\"}" : "";
    StringBuilder sb = new StringBuilder(size).append(head);
    while (sb.length() < size - tail.length()) {
      sb.append(MARKER);
    }
    sb.setLength(size - tail.length());
    return sb.append(tail).toString().getBytes(StandardCharsets.US_ASCII);
  }

  HttpResponse<String> send(
      String method, String path, String contentType, byte[] body, boolean chunked, String bearer)
      throws IOException, InterruptedException {
    HttpRequest.BodyPublisher p =
        chunked
            ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
            : HttpRequest.BodyPublishers.ofByteArray(body);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(warden.base + path))
            .header("Content-Type", contentType)
            .method(method, p);
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static Stream<Arguments> endpoints() {
    String form = "application/x-www-form-urlencoded";
    String json = "application/json";
    List<Arguments> out = new ArrayList<>();
    for (boolean chunked : new boolean[] {true, false}) {
      out.add(Arguments.of("POST", "/oauth2/token", form, 64 * KIB, false, chunked));
      out.add(Arguments.of("POST", "/oauth2/introspect", form, 64 * KIB, true, chunked));
      out.add(Arguments.of("POST", "/v1/apply", json, 4 * MIB, true, chunked));
      out.add(
          Arguments.of(
              "PUT", "/v1/workloads/spiffe%3A%2F%2Facme.test%2Fa", json, 4 * MIB, true, chunked));
      out.add(Arguments.of("POST", "/v1/decisions:explain", json, 4 * MIB, true, chunked));
      out.add(Arguments.of("POST", "/v1/leaks", json, 4 * MIB, true, chunked));
      out.add(Arguments.of("POST", "/v1/admin-tokens", json, 64 * KIB, true, chunked));
      out.add(Arguments.of("POST", "/v1/inventory:import", json, 16 * MIB, true, chunked));
      out.add(Arguments.of("POST", "/v1/workloads:retire", json, 64 * KIB, true, chunked));
      out.add(Arguments.of("POST", "/v1/owners:depart", json, 64 * KIB, true, chunked));
      out.add(Arguments.of("POST", "/v1/recert/campaigns", json, 64 * KIB, true, chunked));
      out.add(Arguments.of("POST", "/v1/agent-tokens", json, 1 * MIB, true, chunked));
      out.add(Arguments.of("POST", "/v1/agent/attest", json, 1 * MIB, false, chunked));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1} over {3} bytes, chunked={5}")
  @MethodSource("endpoints")
  void aBodyOverTheEndpointsLimitGets413NamingTheLimit(
      String method, String path, String contentType, int limit, boolean admin, boolean chunked)
      throws Exception {
    HttpResponse<String> r =
        send(
            method,
            path,
            contentType,
            body(contentType, limit + 1),
            chunked,
            admin ? warden.adminToken : null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
    JsonNode json = ServerFixture.JSON.readTree(r.body());
    String message =
        path.startsWith("/oauth2/")
            ? json.path("error_description").asText()
            : json.path("message").asText();
    assertThat(message).contains("limit of " + limit + " bytes");
    assertThat(r.body()).doesNotContain(MARKER);
    // the connection is still usable: the rest of the body was read and discarded
    assertThat(warden.get("/healthz").status()).isEqualTo(200);
  }

  @ParameterizedTest(name = "chunked={0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
  void aTenMibImportSucceeds(boolean chunked) throws Exception {
    StringBuilder content = new StringBuilder("LEDGER_API_KEY=sk_test_not_a_real_key\n");
    String comment = "# " + "c".repeat(1021) + "\n";
    while (content.length() < 10 * MIB) {
      content.append(comment);
    }
    String json =
        "{\"format\": \"env\", \"source\": \"big-"
            + chunked
            + "\", \"content\": "
            + ServerFixture.JSON.writeValueAsString(content.toString())
            + "}";
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    assertThat(body.length).isGreaterThan(10 * MIB).isLessThan(16 * MIB);
    HttpResponse<String> r =
        send("POST", "/v1/inventory:import", "application/json", body, chunked, warden.adminToken);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode result = ServerFixture.JSON.readTree(r.body());
    assertThat(result.path("imported").asBoolean()).isTrue();
    assertThat(result.path("received").asInt()).isEqualTo(1);
  }

  @Test
  void anImportJustUnderItsLimitIsReadWhole() throws Exception {
    // 16 MiB exactly: not refused for size (it is not a valid import, so 400 from the parser)
    HttpResponse<String> r =
        send(
            "POST",
            "/v1/inventory:import",
            "application/json",
            body("application/json", 16 * MIB),
            true,
            warden.adminToken);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).doesNotContain(MARKER);
  }

  @Test
  void aBodyDeclaredOverTheServerWideLimitIsRefusedBeforeRoutingWith413NamingIt() throws Exception {
    // Expect: 100-continue, so the refused body is never sent
    byte[] body = new byte[40 * MIB];
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(warden.base + "/v1/inventory:import"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + warden.adminToken)
                .expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(ServerFixture.JSON.readTree(r.body()).path("message").asText())
        .contains("limit of 33554432 bytes");
  }

  @Test
  void malformedJsonIsRefusedWithoutQuotingTheBody() throws Exception {
    byte[] body = ("{\"documents\": [" + MARKER + "secret]}").getBytes(StandardCharsets.US_ASCII);
    HttpResponse<String> r =
        send("POST", "/v1/apply", "application/json", body, false, warden.adminToken);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).doesNotContain(MARKER).contains("line 1, column");
  }
}
