package dev.warden.resource;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.testkit.MutableClock;
import dev.warden.testkit.TestDpopKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DpopProofsTest {
  static final String URI = "https://mcp.acme.test/mcp";
  static final String TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
  static final TestDpopKey KEY = TestDpopKey.generate("ES256");
  static final TestDpopKey OTHER = TestDpopKey.generate("ES256");

  final MutableClock clock = MutableClock.startingAt(Instant.parse("2026-12-07T12:00:00Z"));
  final DpopProofs proofs = new DpopProofs(clock);

  TestDpopKey.Proof proof() {
    return KEY.proof("POST", URI, clock.instant()).ath(TOKEN);
  }

  void verify(String proof) throws DpopProofs.InvalidProofException {
    proofs.verify(List.of(proof), "POST", URI, TOKEN, KEY.thumbprint());
  }

  @Test
  void aProofOfTheTokensKeyForThisRequestIsAcceptedOnce() throws Exception {
    String p = proof().compact();
    assertThatCode(() -> verify(p)).doesNotThrowAnyException();
    assertThatThrownBy(() -> verify(p)).hasMessageContaining("used before");
  }

  @Test
  void rsaAndEcKeysOfEveryAllowedSizeWork() {
    for (String alg : List.of("ES384", "RS256", "PS256", "EdDSA")) {
      TestDpopKey k = TestDpopKey.generate(alg);
      String p = k.proof("GET", URI + "?q=1", clock.instant()).ath(TOKEN).compact();
      assertThatCode(() -> proofs.verify(List.of(p), "GET", URI, TOKEN, k.thumbprint()))
          .as(alg)
          .doesNotThrowAnyException();
    }
  }

  static Stream<Arguments> badProofs() {
    return Stream.of(
        bad("typ JWT", p -> p.header("typ", "JWT"), "typ"),
        bad("alg none", p -> p.header("alg", "none"), "signed JWT"),
        bad("alg HS256", p -> p.header("alg", "HS256"), "alg"),
        bad("private jwk", p -> p.header("jwk", KEY.privateJwk()), "signed JWT"),
        bad("no jwk", p -> p.header("jwk", null), "jwk"),
        bad("crit", p -> p.header("crit", List.of("exp")), "crit"),
        bad("another key's jwk", p -> p.header("jwk", OTHER.publicJwk()), "signature"),
        bad("no jti", p -> p.claim("jti", null), "jti"),
        bad("htm GET", p -> p.claim("htm", "GET"), "htm"),
        bad("htu elsewhere", p -> p.claim("htu", "https://mcp.acme.test/other"), "htu"),
        bad("no iat", p -> p.claim("iat", null), "iat"),
        bad("iat old", p -> p.claim("iat", 1796644800L - 61), "iat"),
        bad("iat future", p -> p.claim("iat", 1796644800L + 11), "iat"),
        bad("no ath", p -> p.claim("ath", null), "ath"),
        bad("another token's ath", p -> p.ath(TOKEN + "x"), "ath"),
        bad(
            "unsupported symmetric jwk",
            p -> p.header("jwk", Map.of("kty", "oct", "k", "AA")),
            "signed JWT"));
  }

  static Arguments bad(String name, UnaryOperator<TestDpopKey.Proof> change, String message) {
    return Arguments.of(name, change, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badProofs")
  void aProofBreakingARuleIsRefused(
      String name, UnaryOperator<TestDpopKey.Proof> change, String message) {
    String p = change.apply(proof()).compact();
    assertThatThrownBy(() -> verify(p))
        .isInstanceOf(DpopProofs.InvalidProofException.class)
        .hasMessageContaining(message);
  }

  @Test
  void aProofByAnotherKeyThanTheTokensIsRefused() {
    String p = OTHER.proof("POST", URI, clock.instant()).ath(TOKEN).compact();
    assertThatThrownBy(() -> verify(p)).hasMessageContaining("other than the one");
  }

  @Test
  void exactlyOneProofIsAccepted() {
    String a = proof().compact();
    String b = proof().compact();
    assertThatThrownBy(() -> proofs.verify(List.of(a, b), "POST", URI, TOKEN, KEY.thumbprint()))
        .hasMessageContaining("exactly one");
    assertThatThrownBy(() -> proofs.verify(List.of(), "POST", URI, TOKEN, KEY.thumbprint()))
        .hasMessageContaining("no DPoP header");
    assertThatThrownBy(() -> verify("not.a.jwt")).hasMessageContaining("signed JWT");
  }

  @Test
  void aProofWhoseHeaderIsJsonNullIsRefusedNotACrash() {
    // regression: found by DpopProofsFuzzTest; Nimbus throws NullPointerException on it
    assertThatThrownBy(() -> verify("bnVsbA.e30.c2ln"))
        .isInstanceOf(DpopProofs.InvalidProofException.class)
        .hasMessageContaining("signed JWT");
  }
}
