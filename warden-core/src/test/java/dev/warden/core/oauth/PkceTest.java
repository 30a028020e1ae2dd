package dev.warden.core.oauth;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.DeniedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 7636 S256, with the test vector of its Appendix B. */
class PkceTest {
  static final String VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  static final String CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

  @Test
  void verifyWhenVerifierIsTheRfcExampleThenItMatchesItsChallenge() {
    assertThatCode(() -> Pkce.verify(VERIFIER, CHALLENGE)).doesNotThrowAnyException();
    assertThatCode(() -> Pkce.checkChallenge(CHALLENGE, "S256")).doesNotThrowAnyException();
  }

  @Test
  void verifyWhenVerifierDiffersThenPkceMismatch() {
    assertThatThrownBy(() -> Pkce.verify(VERIFIER.replace('d', 'e'), CHALLENGE))
        .isInstanceOf(DeniedException.class)
        .hasMessageContaining("does not match");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      nullValues = "NULL",
      value = {
        "NULL|S256|code_challenge is required",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM|plain|must be S256",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM|NULL|must be S256",
        "short|S256|43 characters",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM|S256|43 characters"
      })
  void checkChallengeWhenPlainMissingOrMalformedThenRefused(
      String challenge, String method, String message) {
    assertThatThrownBy(() -> Pkce.checkChallenge(challenge, method))
        .isInstanceOf(DeniedException.class)
        .hasMessageContaining(message);
  }

  @ParameterizedTest
  @CsvSource(
      nullValues = "NULL",
      value = {"NULL", "tooshort", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX!"})
  void verifyWhenVerifierIsMalformedThenRefused(String verifier) {
    assertThatThrownBy(() -> Pkce.verify(verifier, CHALLENGE))
        .isInstanceOf(DeniedException.class)
        .hasMessageContaining("43 to 128");
  }
}
