package dev.warden.core.dpop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.UnavailableException;
import dev.warden.testkit.MutableClock;
import dev.warden.testkit.TestDpopKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DpopVerifierTest {
  static final String TOKEN_URI = "https://warden.test/oauth2/token";
  static final TestDpopKey KEY = TestDpopKey.generate("ES256");
  static final TestDpopKey OTHER = TestDpopKey.generate("ES256");

  final MutableClock clock = MutableClock.startingAt(Instant.parse("2026-12-07T12:00:00Z"));
  final DpopVerifier verifier = new DpopVerifier(clock);

  TestDpopKey.Proof proof() {
    return KEY.proof("POST", TOKEN_URI, clock.instant());
  }

  DpopProof verify(String proof) {
    return verifier.verify(List.of(proof), "POST", TOKEN_URI, null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ES256", "ES384", "RS256", "PS256", "EdDSA"})
  void proofSignedByTheKeyItCarriesIsAcceptedAndNamesThatKeysThumbprint(String alg) {
    TestDpopKey key = TestDpopKey.generate(alg);
    DpopProof p = verify(key.proof("POST", TOKEN_URI, clock.instant()).compact());
    assertThat(p.thumbprint()).isEqualTo(key.thumbprint()).hasSize(43);
  }

  @Test
  void htuIsComparedWithoutQueryAndFragmentAndAfterNormalization() {
    assertThat(verify(proof().claim("htu", TOKEN_URI + "?x=1#frag").compact())).isNotNull();
    assertThat(verify(proof().claim("htu", "HTTPS://Warden.TEST:443/oauth2/token").compact()))
        .isNotNull();
  }

  @Test
  void proofAsOldAsTheWindowAllowsIsAcceptedAndOneSecondOlderIsNot() {
    Instant edge = clock.instant().minus(DpopVerifier.MAX_AGE);
    assertThat(verify(KEY.proof("POST", TOKEN_URI, edge).compact())).isNotNull();
    assertThatThrownBy(() -> verify(KEY.proof("POST", TOKEN_URI, edge.minusSeconds(1)).compact()))
        .isInstanceOf(DeniedException.class)
        .hasMessageContaining("too old");
  }

  static Stream<Arguments> badProofs() {
    return Stream.of(
        bad("typ JWT", p -> p.header("typ", "JWT"), "typ must be dpop+jwt"),
        bad("no typ", p -> p.header("typ", null), "typ must be dpop+jwt"),
        bad("alg none", p -> p.header("alg", "none"), "asymmetric"),
        bad("alg HS256", p -> p.header("alg", "HS256"), "asymmetric"),
        bad("alg not the key's", p -> p.header("alg", "RS256"), "jwk cannot be used"),
        bad("private key in jwk", p -> p.header("jwk", KEY.privateJwk()), "private key material"),
        bad(
            "symmetric jwk",
            p -> p.header("jwk", Map.of("kty", "oct", "k", "c2VjcmV0")),
            "private key material"),
        bad("no jwk", p -> p.header("jwk", null), "no jwk"),
        bad("jwk not an object", p -> p.header("jwk", "key"), "not a JSON object"),
        bad("crit", p -> p.header("crit", List.of("exp")), "crit"),
        bad("another key's jwk", p -> p.header("jwk", OTHER.publicJwk()), "signature"),
        bad("no jti", p -> p.claim("jti", null), "jti"),
        bad("empty jti", p -> p.claim("jti", ""), "jti"),
        bad("jti not a string", p -> p.claim("jti", 7), "jti"),
        bad("jti too long", p -> p.claim("jti", "j".repeat(257)), "jti"),
        bad("no htm", p -> p.claim("htm", null), "htm"),
        bad("htm GET", p -> p.claim("htm", "GET"), "htm"),
        bad("htm lower case", p -> p.claim("htm", "post"), "htm"),
        bad("no htu", p -> p.claim("htu", null), "htu"),
        bad("htu another path", p -> p.claim("htu", "https://warden.test/oauth2/jwks"), "htu"),
        bad("htu another host", p -> p.claim("htu", "https://evil.test/oauth2/token"), "htu"),
        bad("htu http", p -> p.claim("htu", "http://warden.test/oauth2/token"), "htu"),
        bad("htu relative", p -> p.claim("htu", "/oauth2/token"), "htu"),
        bad("htu not a URI", p -> p.claim("htu", "https://[x/"), "htu"),
        bad("no iat", p -> p.claim("iat", null), "iat"),
        bad("iat a string", p -> p.claim("iat", "1796644800"), "iat"),
        bad("iat a fraction", p -> p.claim("iat", 1796644800.5), "iat"),
        bad("iat too old", p -> p.claim("iat", 1796644800L - 61), "too old"),
        bad("iat in the future", p -> p.claim("iat", 1796644800L + 11), "future"));
  }

  static Arguments bad(String name, UnaryOperator<TestDpopKey.Proof> change, String message) {
    return Arguments.of(name, change, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badProofs")
  void proofBreakingARuleIsRefusedAsInvalidDpopProof(
      String name, UnaryOperator<TestDpopKey.Proof> change, String message) {
    assertThat(clock.instant().getEpochSecond()).isEqualTo(1796644800L);
    String proof = change.apply(proof()).compact();
    assertThatThrownBy(() -> verify(proof))
        .isInstanceOfSatisfying(
            DeniedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_DPOP_PROOF))
        .hasMessageContaining(message);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "not-a-jws",
        "a.b",
        "eyJhbGciOiJub25lIn0.e30.",
        "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6Im5vbmUifQ.e30.",
        "e30.e30.e30.e30.e30"
      })
  void textThatIsNotASignedJwsIsRefused(String proof) {
    assertThatThrownBy(() -> verify(proof))
        .isInstanceOfSatisfying(
            DeniedException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_DPOP_PROOF));
  }

  @Test
  void aTamperedSignatureIsRefused() {
    String p = proof().compact();
    int dot = p.lastIndexOf('.');
    char c = p.charAt(dot + 5);
    String tampered = p.substring(0, dot + 5) + (c == 'A' ? 'B' : 'A') + p.substring(dot + 6);
    assertThatThrownBy(() -> verify(tampered)).hasMessageContaining("signature");
  }

  @Test
  void anOverlongProofIsRefusedBeforeParsing() {
    String p = proof().claim("pad", "x".repeat(9000)).compact();
    assertThatThrownBy(() -> verify(p)).hasMessageContaining("longer than");
  }

  @Test
  void exactlyOneDpopHeaderIsAccepted() {
    String a = proof().compact();
    String b = proof().compact();
    assertThatThrownBy(() -> verifier.verify(List.of(a, b), "POST", TOKEN_URI, null))
        .isInstanceOf(DeniedException.class)
        .hasMessageContaining("exactly one DPoP header");
    assertThatThrownBy(() -> verifier.verify(List.of(), "POST", TOKEN_URI, null))
        .hasMessageContaining("no DPoP header");
  }

  @Test
  void aProofIsAcceptedOnceAndItsReplayIsRefused() {
    String p = proof().compact();
    verify(p);
    assertThatThrownBy(() -> verify(p))
        .isInstanceOfSatisfying(
            DeniedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_DPOP_PROOF))
        .hasMessageContaining("used before");
  }

  @Test
  void theSameJtiFromAnotherKeyIsNotAReplay() {
    verify(proof().claim("jti", "shared").compact());
    assertThat(
            verify(
                OTHER.proof("POST", TOKEN_URI, clock.instant()).claim("jti", "shared").compact()))
        .isNotNull();
  }

  @Test
  void aFullReplayCacheRefusesNewProofsUntilOldOnesAgeOut() {
    DpopVerifier small = new DpopVerifier(clock, 2);
    small.verify(List.of(proof().compact()), "POST", TOKEN_URI, null);
    small.verify(List.of(proof().compact()), "POST", TOKEN_URI, null);
    String third = proof().compact();
    assertThatThrownBy(() -> small.verify(List.of(third), "POST", TOKEN_URI, null))
        .isInstanceOf(UnavailableException.class)
        .hasMessageContaining("retry");
    clock.advance(DpopVerifier.MAX_AGE.plusSeconds(2));
    assertThat(
            small.verify(
                List.of(KEY.proof("POST", TOKEN_URI, clock.instant()).compact()),
                "POST",
                TOKEN_URI,
                null))
        .isNotNull();
  }

  @Test
  void withAnAccessTokenTheProofMustCarryItsHash() {
    String token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
    String uri = "https://warden.test/mcp/tickets";
    assertThat(
            verifier.verify(
                List.of(KEY.proof("POST", uri, clock.instant()).ath(token).compact()),
                "POST",
                uri,
                token))
        .isNotNull();
    String missing = KEY.proof("POST", uri, clock.instant()).compact();
    assertThatThrownBy(() -> verifier.verify(List.of(missing), "POST", uri, token))
        .hasMessageContaining("ath");
    String wrong = KEY.proof("POST", uri, clock.instant()).ath(token + "x").compact();
    assertThatThrownBy(() -> verifier.verify(List.of(wrong), "POST", uri, token))
        .hasMessageContaining("ath");
  }

  @Test
  void aBoundTokenNeedsTheDpopSchemeAndAProofOfItsKey() {
    String token = "tok.en.sig";
    String uri = "https://warden.test/mcp/tickets";
    String jkt = KEY.thumbprint();
    assertThatThrownBy(
            () ->
                verifier.checkPresentation(
                    jkt, DpopVerifier.Scheme.BEARER, List.of(), "POST", uri, token))
        .isInstanceOfSatisfying(
            DeniedException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.DPOP_BINDING_MISMATCH))
        .hasMessageContaining("Authorization: DPoP");
    String byOther = OTHER.proof("POST", uri, clock.instant()).ath(token).compact();
    assertThatThrownBy(
            () ->
                verifier.checkPresentation(
                    jkt, DpopVerifier.Scheme.DPOP, List.of(byOther), "POST", uri, token))
        .isInstanceOfSatisfying(
            DeniedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_DPOP_PROOF))
        .hasMessageContaining("other than the one this token is bound to");
    String good = KEY.proof("POST", uri, clock.instant()).ath(token).compact();
    assertThat(
            verifier.checkPresentation(
                jkt, DpopVerifier.Scheme.DPOP, List.of(good), "POST", uri, token))
        .isNotNull();
  }

  @Test
  void anUnboundTokenIsABearerTokenOnly() {
    assertThat(
            verifier.checkPresentation(
                null, DpopVerifier.Scheme.BEARER, List.of(), "GET", TOKEN_URI, "t"))
        .isNull();
    assertThatThrownBy(
            () ->
                verifier.checkPresentation(
                    null, DpopVerifier.Scheme.DPOP, List.of(), "GET", TOKEN_URI, "t"))
        .isInstanceOfSatisfying(
            DeniedException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.DPOP_BINDING_MISMATCH));
  }

  @Test
  void aProofOfTheWindowsEdgeIsForgottenOnlyOnceItWouldBeRefusedAnyway() {
    String p = proof().compact();
    verify(p);
    clock.advance(DpopVerifier.MAX_AGE.minus(Duration.ofSeconds(1)));
    assertThatThrownBy(() -> verify(p)).hasMessageContaining("used before");
    clock.advance(Duration.ofSeconds(2));
    assertThatThrownBy(() -> verify(p)).hasMessageContaining("too old");
  }
}
