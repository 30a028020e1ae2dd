package dev.warden.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link UnverifiedJws#headerOf} reads the protected header alone, by the same strict rules as a
 * whole parse holds that part to: a header it refuses, {@link UnverifiedJws#parse} refuses too.
 */
class UnverifiedJwsTest {
  static String b64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theHeaderIsReadWithoutThePayload() {
    String token = b64("{\"typ\":\"JOSE\",\"alg\":\"ES256\"}") + ".bm90IGpzb24." + "c2ln";

    assertThat(UnverifiedJws.headerOf(token)).containsEntry("typ", "JOSE");
    // the payload ("not json") is not read by headerOf, but a whole parse refuses it
    assertThatThrownBy(() -> UnverifiedJws.parse(token))
        .isInstanceOf(DeniedException.class)
        .extracting(e -> ((DeniedException) e).reason())
        .isEqualTo(Reason.MALFORMED_TOKEN);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "onlyonepart",
        ".e30.c2ln",
        "W10.e30.c2ln", // header is an array
        "eyJ0eXAiOiJKT1NFIiwidHlwIjoiSldUIn0.e30.c2ln", // duplicate member
        "e30!.e30.c2ln", // outside the base64url alphabet
        "e3.e30.c2ln" // not canonical base64url
      })
  void aMalformedHeaderIsRefusedAsMalformed(String token) {
    assertThatThrownBy(() -> UnverifiedJws.headerOf(token))
        .isInstanceOf(DeniedException.class)
        .extracting(e -> ((DeniedException) e).reason())
        .isEqualTo(Reason.MALFORMED_TOKEN);
    assertThatThrownBy(() -> UnverifiedJws.parse(token))
        .isInstanceOf(DeniedException.class)
        .extracting(e -> ((DeniedException) e).reason())
        .isEqualTo(Reason.MALFORMED_TOKEN);
  }

  @Test
  void anOversizedTokenIsRefusedBeforeAnythingIsDecoded() {
    String token = b64("{\"typ\":\"JOSE\"}") + "." + "A".repeat(64 * 1024) + ".c2ln";

    assertThatThrownBy(() -> UnverifiedJws.headerOf(token))
        .isInstanceOf(DeniedException.class)
        .extracting(e -> ((DeniedException) e).reason())
        .isEqualTo(Reason.TOKEN_TOO_LARGE);
  }
}
