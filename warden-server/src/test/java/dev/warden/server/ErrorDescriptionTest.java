package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.testkit.TestOidcIssuer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Regression: error descriptions read "RFC 6749 ?3.2" because an ASCII filter replaced the section
 * sign (and the ellipsis, and any non-ASCII text quoted from the request) with '?'. RFC 6749
 * section 5.2 allows %x20-21 / %x23-5B / %x5D-7E in error_description: messages are now written in
 * that set, and quoted request text outside it is spelled U+XXXX, so no '?' ever stands in for a
 * character.
 */
class ErrorDescriptionTest {
  static final String AUD = "https://api.acme.test";
  static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

  /** RFC 6749 section 5.2, error_description. */
  static final String ALLOWED = "[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]+";

  @TempDir static Path dir;

  static TestOidcIssuer gh;
  static ServerFixture warden;

  @BeforeAll
  static void start() {
    gh = TestOidcIssuer.builder().audience("https://warden.acme.test").start();
    warden = ServerFixture.start(dir);
    warden.apply(
        """
        kind: TrustProvider
        metadata: {name: github}
        spec: {type: github-actions, issuer: %s, audiences: [https://warden.acme.test], algorithms: [RS256]}
        ---
        kind: Resource
        metadata: {name: api}
        spec: {audience: %s}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/ok, selectors: ["github:repository=acme/ok"], owner: o@acme.test}
        """
            .formatted(gh.issuer(), AUD));
  }

  @AfterAll
  static void stop() {
    warden.close();
    gh.close();
  }

  static String form(Map<String, String> f) {
    StringBuilder sb = new StringBuilder();
    f.forEach(
        (k, v) ->
            sb.append(sb.isEmpty() ? "" : "&")
                .append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return sb.toString();
  }

  static Map<String, String> cc(String assertion) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("grant_type", "client_credentials");
    f.put("client_assertion_type", JWT_BEARER);
    f.put("client_assertion", assertion);
    f.put("resource", AUD);
    return f;
  }

  static Arguments token(String name, String contentType, Supplier<String> body, String expected) {
    return Arguments.of(name, "/oauth2/token", contentType, body, expected);
  }

  static Stream<Arguments> cases() {
    String form = "application/x-www-form-urlencoded";
    return Stream.of(
        token(
            "wrong media type (section sign)",
            "application/json",
            () -> "{}",
            "RFC 6749 section 4.4.2"),
        token(
            "repeated parameter (section sign)",
            form,
            () -> "grant_type=a&grant_type=b",
            "RFC 6749 section 3.2"),
        token("repeated non-ASCII parameter name", form, () -> "r%C3%A9=1&r%C3%A9=2", "'rU+00E9'"),
        token(
            "long non-ASCII resource (ellipsis)",
            form,
            () -> {
              Map<String, String> f = cc(gh.githubActionsToken("acme/ok", "refs/heads/main"));
              f.put("resource", "https://\u00fcnknown.acme.test/" + "a".repeat(300));
              return form(f);
            },
            "https://U+00FCnknown.acme.test/aaa"),
        token(
            "unknown workload with many selectors (ellipsis)",
            form,
            () -> form(cc(gh.githubActionsToken("acme/nobody", "refs/heads/main"))),
            ", ..."),
        token(
            "issuer with non-ASCII characters",
            form,
            () ->
                form(
                    cc(
                        gh.githubActions("acme/ok", "refs/heads/main")
                            .issuer("https://\u00e9vil.example/\u2603")
                            .mint())),
            "https://U+00E9vil.example/U+2603"),
        token(
            "client_id that is not the workload",
            form,
            () -> {
              Map<String, String> f = cc(gh.githubActionsToken("acme/ok", "refs/heads/main"));
              f.put("client_id", "spiffe://acme.test/\u00e9");
              return form(f);
            },
            "RFC 7521 section 4.2"),
        Arguments.of(
            "introspection, wrong media type (section sign)",
            "/oauth2/introspect",
            "text/plain",
            (Supplier<String>) () -> "token=x",
            "RFC 7662 section 2.1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void errorDescriptionsStayInTheRfc6749CharsetWithoutQuestionMarkSubstitutes(
      String name, String path, String contentType, Supplier<String> body, String expected)
      throws Exception {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(warden.base + path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body.get()));
    if (path.equals("/oauth2/introspect")) {
      req.header("Authorization", "Bearer " + warden.adminToken);
    }
    HttpResponse<String> r = warden.http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isBetween(400, 499);
    String description = ServerFixture.JSON.readTree(r.body()).path("error_description").asText();
    assertThat(description).as(name).matches(ALLOWED).doesNotContain("?").contains(expected);
  }
}
