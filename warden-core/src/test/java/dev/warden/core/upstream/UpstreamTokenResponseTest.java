package dev.warden.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpstreamTokenResponseTest {

  static UpstreamTokenClient.Response ok(String json) {
    return new UpstreamTokenClient.Response(
        200, json.getBytes(StandardCharsets.UTF_8), "application/json");
  }

  @Test
  void rfc6749Section41ExampleIsABearerTokenOfAnHour() {
    // RFC 6749 section 4.4.3 example, token_type changed to bearer (Warden hands out bearer tokens
    // only)
    UpstreamTokenResponse.Token t =
        UpstreamTokenResponse.parse(
            ok(
                """
        {"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","expires_in":3600,
         "example_parameter":"example_value"}"""));

    assertThat(t.accessToken().reveal()).isEqualTo("2YotnFZFEjr1zCsicMWpAA");
    assertThat(t.expiresIn()).isEqualTo(Duration.ofHours(1));
    assertThat(t.scope()).isNull();
  }

  @Test
  void expiresInAsDigitsAndScopeAreRead() {
    UpstreamTokenResponse.Token t =
        UpstreamTokenResponse.parse(
            ok(
                "{\"access_token\":\"abc\",\"token_type\":\"bearer\",\"expires_in\":\"120\",\"scope\":\"read write\"}"));

    assertThat(t.expiresIn()).isEqualTo(Duration.ofSeconds(120));
    assertThat(t.scope()).isEqualTo("read write");
  }

  @Test
  void absentExpiresInIsNullForTheCallerToAssume() {
    assertThat(
            UpstreamTokenResponse.parse(ok("{\"access_token\":\"abc\",\"token_type\":\"Bearer\"}"))
                .expiresIn())
        .isNull();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      missing access_token       | {"token_type":"Bearer","expires_in":60}                              | no access_token
      empty access_token         | {"access_token":"","token_type":"Bearer"}                            | no access_token
      access_token not a string  | {"access_token":42,"token_type":"Bearer"}                            | access_token must be a string
      access_token with a space  | {"access_token":"a b","token_type":"Bearer"}                         | visible ASCII
      access_token with a newline| {"access_token":"a\\nb","token_type":"Bearer"}                       | visible ASCII
      missing token_type         | {"access_token":"abc"}                                               | no token_type
      token_type DPoP            | {"access_token":"abc","token_type":"DPoP"}                           | not Bearer
      token_type mac             | {"access_token":"abc","token_type":"mac"}                            | not Bearer
      negative expires_in        | {"access_token":"abc","token_type":"Bearer","expires_in":-5}         | must be positive
      zero expires_in            | {"access_token":"abc","token_type":"Bearer","expires_in":0}          | must be positive
      fractional expires_in      | {"access_token":"abc","token_type":"Bearer","expires_in":1.5}        | whole number
      expires_in text            | {"access_token":"abc","token_type":"Bearer","expires_in":"soon"}     | whole number
      expires_in over a year     | {"access_token":"abc","token_type":"Bearer","expires_in":99999999}   | longer than a year
      expires_in beyond long     | {"access_token":"abc","token_type":"Bearer","expires_in":1e400}      | whole number
      duplicate access_token     | {"access_token":"a","access_token":"b","token_type":"Bearer"}        | not JSON
      array                      | [{"access_token":"abc","token_type":"Bearer"}]                       | not an object
      bare string                | "abc"                                                                | not an object
      not JSON                   | access_token=abc&token_type=bearer                                   | not JSON
      truncated JSON             | {"access_token":"abc","token_type":"Bea                              | not JSON
      scope with a control char  | {"access_token":"abc","token_type":"Bearer","scope":"a\\u0001"}      | scope
      scope not a string         | {"access_token":"abc","token_type":"Bearer","scope":["a"]}           | scope must be a string
      """)
  void unusableAnswersAreRefusedSayingWhy(String name, String body, String expected) {
    assertThatThrownBy(() -> UpstreamTokenResponse.parse(ok(body)))
        .isInstanceOf(UpstreamTokenResponse.Invalid.class)
        .hasMessageContaining(expected);
  }

  @Test
  void emptyBodyIsRefused() {
    assertThatThrownBy(() -> UpstreamTokenResponse.parse(ok("")))
        .isInstanceOf(UpstreamTokenResponse.Invalid.class)
        .hasMessageContaining("empty");
  }

  @Test
  void hugeBodyIsRefusedNotTruncated() {
    byte[] big = new byte[UpstreamTokenResponse.MAX_BODY_BYTES + 1];
    Arrays.fill(big, (byte) ' ');
    byte[] start =
        "{\"access_token\":\"abc\",\"token_type\":\"Bearer\"}".getBytes(StandardCharsets.UTF_8);
    System.arraycopy(start, 0, big, 0, start.length);

    assertThatThrownBy(
            () ->
                UpstreamTokenResponse.parse(
                    new UpstreamTokenClient.Response(200, big, "application/json")))
        .isInstanceOf(UpstreamTokenResponse.Invalid.class)
        .hasMessageContaining("longer than 65536 bytes");
  }

  @Test
  void hugeAccessTokenIsRefused() {
    String token = "a".repeat(UpstreamTokenResponse.MAX_TOKEN_CHARS + 1);
    assertThatThrownBy(
            () ->
                UpstreamTokenResponse.parse(
                    ok("{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\"}")))
        .isInstanceOf(UpstreamTokenResponse.Invalid.class)
        .hasMessageContaining("longer than");
  }

  @Test
  void errorAnswerKeepsTheCodeButNeverTheDescription() {
    UpstreamTokenClient.Response r =
        new UpstreamTokenClient.Response(
            401,
            "{\"error\":\"invalid_client\",\"error_description\":\"secret hunter2 is wrong\"}"
                .getBytes(StandardCharsets.UTF_8),
            "application/json");

    assertThatThrownBy(() -> UpstreamTokenResponse.parse(r))
        .isInstanceOfSatisfying(
            UpstreamTokenResponse.Invalid.class,
            e -> {
              assertThat(e.error()).isEqualTo("invalid_client");
              assertThat(e.status()).isEqualTo(401);
              assertThat(e.getMessage()).doesNotContain("hunter2");
            });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      HTML error page       | 400 | <html>bad</html>
      error code with space | 400 | {"error":"invalid client"}
      error not a string    | 400 | {"error":{"x":1}}
      server error          | 503 | {"error":"invalid_client"}
      redirect              | 302 | ''
      """)
  void errorAnswersWithoutAWellFormedCodeKeepOnlyTheStatus(String name, int status, String body) {
    assertThatThrownBy(
            () ->
                UpstreamTokenResponse.parse(
                    new UpstreamTokenClient.Response(
                        status, body.getBytes(StandardCharsets.UTF_8), "text/html")))
        .isInstanceOfSatisfying(
            UpstreamTokenResponse.Invalid.class,
            e -> {
              assertThat(e.error()).isNull();
              assertThat(e.status()).isEqualTo(status);
            });
  }
}
