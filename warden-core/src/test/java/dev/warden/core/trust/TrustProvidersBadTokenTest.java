package dev.warden.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.ProviderType;
import dev.warden.testkit.FixedClock;
import dev.warden.testkit.TestOidcIssuer;
import dev.warden.testkit.TokenBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad token, as one table: each must be denied with its reason, with a message that
 * does not echo the token, and without anything fetched from where the token points.
 */
class TrustProvidersBadTokenTest {
  static final FixedClock CLOCK = FixedClock.atDefault();
  static final Instant NOW = CLOCK.instant();
  static TestOidcIssuer issuer;
  static TestOidcIssuer attacker;
  static LoopbackFetcher fetcher;
  static TrustProviders providers;

  @BeforeAll
  static void start() {
    issuer = TestOidcIssuer.builder().clock(CLOCK).start();
    attacker = TestOidcIssuer.builder().clock(CLOCK).start();
    fetcher = new LoopbackFetcher();
    providers =
        TrustProviders.build(
            List.of(Specs.of("cluster-a", ProviderType.KUBERNETES, issuer.issuer()).build()),
            fetcher,
            CLOCK);
    // warm up: the provider has fetched its keys once
    providers.verify(issuer.kubernetesToken("payments", "api", "api-1"));
  }

  @AfterAll
  static void stop() {
    issuer.close();
    attacker.close();
  }

  record Case(String name, Function<TestOidcIssuer, String> token, Reason reason) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case bad(String name, Reason reason, Function<TestOidcIssuer, String> token) {
    return new Case(name, token, reason);
  }

  static TokenBuilder k8s(TestOidcIssuer i) {
    return i.kubernetes("payments", "api", "api-1");
  }

  static String b64(String s) {
    return java.util.Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static Stream<Case> badTokens() {
    return Stream.of(
        // shape
        bad("empty string", Reason.MALFORMED_TOKEN, i -> ""),
        bad("not a JWT at all", Reason.MALFORMED_TOKEN, i -> "hello"),
        bad("two parts", Reason.MALFORMED_TOKEN, i -> b64("{\"alg\":\"RS256\"}") + "." + b64("{}")),
        bad("four dots: an encrypted JWE", Reason.MALFORMED_TOKEN, i -> "a.b.c.d.e"),
        bad(
            "characters outside base64url",
            Reason.MALFORMED_TOKEN,
            i -> k8s(i).mint().replaceFirst("\\.", "+.")),
        bad(
            "padding in a part",
            Reason.MALFORMED_TOKEN,
            i -> b64("{\"alg\":\"RS256\"}") + "==." + b64("{}") + ".c2ln"),
        bad("header is not JSON", Reason.MALFORMED_TOKEN, i -> k8s(i).rawHeader("not json").mint()),
        bad(
            "header is a JSON array",
            Reason.MALFORMED_TOKEN,
            i -> k8s(i).rawHeader("[\"RS256\"]").mint()),
        bad(
            "payload is not JSON",
            Reason.MALFORMED_TOKEN,
            i -> k8s(i).rawPayload("{\"iss\":").mint()),
        bad(
            "payload has trailing content",
            Reason.MALFORMED_TOKEN,
            i -> k8s(i).rawPayload("{\"iss\":\"" + i.issuer() + "\"} {}").mint()),
        bad(
            "payload repeats a claim",
            Reason.MALFORMED_TOKEN,
            i ->
                k8s(i)
                    .rawPayload("{\"iss\":\"" + i.issuer() + "\",\"sub\":\"a\",\"sub\":\"b\"}")
                    .mint()),
        bad(
            "payload nested too deep",
            Reason.MALFORMED_TOKEN,
            i ->
                k8s(i)
                    .rawPayload(
                        "{\"iss\":\""
                            + i.issuer()
                            + "\",\"x\":"
                            + "[".repeat(200)
                            + "]".repeat(200)
                            + "}")
                    .mint()),
        bad(
            "token over 16 KiB",
            Reason.TOKEN_TOO_LARGE,
            i -> k8s(i).claim("pad", "x".repeat(17_000)).mint()),
        // issuer selection
        bad("no iss", Reason.MISSING_CLAIM, i -> k8s(i).without("iss").mint()),
        bad("iss is a number", Reason.MALFORMED_TOKEN, i -> k8s(i).claim("iss", 42).mint()),
        bad(
            "unknown iss",
            Reason.UNKNOWN_ISSUER,
            i -> k8s(i).issuer("https://evil.example").mint()),
        bad(
            "iss of another issuer, signed by it",
            Reason.UNKNOWN_ISSUER,
            i -> k8s(attacker).mint()),
        // algorithm
        bad("alg none, unsigned", Reason.ALG_NOT_ALLOWED, i -> k8s(i).unsigned().mint()),
        bad("alg none with a signature", Reason.ALG_NOT_ALLOWED, i -> k8s(i).alg("none").mint()),
        bad(
            "HS256 keyed with the provider's RSA public key",
            Reason.ALG_NOT_ALLOWED,
            i -> k8s(i).hmacWithPublicKey().mint()),
        bad(
            "PS256, validly signed but not in the allow-list",
            Reason.ALG_NOT_ALLOWED,
            i -> k8s(i).alg("PS256").mint()),
        bad(
            "ES256 claimed for an RSA key",
            Reason.ALG_NOT_ALLOWED,
            i -> k8s(i).alg("ES256").mint()),
        bad("alg missing", Reason.MALFORMED_TOKEN, i -> k8s(i).alg(null).mint()),
        bad(
            "crit header",
            Reason.MALFORMED_TOKEN,
            i -> k8s(i).header("crit", List.of("exp")).header("exp", 1).mint()),
        bad(
            "typ of another token kind",
            Reason.MALFORMED_TOKEN,
            i -> k8s(i).typ("JOSE+JSON").mint()),
        bad("nested token (cty)", Reason.MALFORMED_TOKEN, i -> k8s(i).header("cty", "JWT").mint()),
        // keys and signature
        bad("unknown kid", Reason.UNKNOWN_KID, i -> k8s(i).kid("no-such-key").mint()),
        bad("kid is a number", Reason.MALFORMED_TOKEN, i -> k8s(i).header("kid", 7).mint()),
        bad(
            "signed by another issuer's key (its kid)",
            Reason.UNKNOWN_KID,
            i -> k8s(i).signWith(attacker.signingKey()).mint()),
        bad(
            "signed by another issuer's key (our kid)",
            Reason.BAD_SIGNATURE,
            i -> k8s(i).signWith(attacker.signingKey()).kid(i.currentKid()).mint()),
        bad(
            "signed by another key, no kid",
            Reason.BAD_SIGNATURE,
            i -> k8s(i).signWith(attacker.signingKey()).kid(null).mint()),
        bad("signature tampered", Reason.BAD_SIGNATURE, i -> k8s(i).tamperSignature().mint()),
        bad("signature empty", Reason.BAD_SIGNATURE, i -> stripSignature(k8s(i).mint())),
        bad(
            "payload swapped after signing",
            Reason.BAD_SIGNATURE,
            i -> swapPayload(k8s(i).mint(), i.kubernetesToken("kube-system", "admin", "root"))),
        bad(
            "jku pointing at the attacker's JWKS",
            Reason.UNKNOWN_KID,
            i -> k8s(i).signWith(attacker.signingKey()).jku(attacker.jwksUri()).mint()),
        bad(
            "x5u pointing at the attacker",
            Reason.UNKNOWN_KID,
            i ->
                k8s(i).signWith(attacker.signingKey()).x5u(attacker.issuer() + "/cert.pem").mint()),
        bad(
            "jwk header embedding the attacker's key",
            Reason.BAD_SIGNATURE,
            i ->
                k8s(i)
                    .signWith(attacker.signingKey())
                    .kid(i.currentKid())
                    .header("jwk", attacker.signingKey().publicJwkMap())
                    .mint()),
        bad(
            "jku with our kid and the attacker's signature",
            Reason.BAD_SIGNATURE,
            i ->
                k8s(i)
                    .signWith(attacker.signingKey())
                    .kid(i.currentKid())
                    .jku(attacker.jwksUri())
                    .mint()),
        // claims
        bad(
            "iss differs from the provider's by a trailing slash",
            Reason.WRONG_ISSUER,
            i -> k8s(i).issuer(i.issuer() + "/").mint()),
        bad("no aud", Reason.WRONG_AUDIENCE, i -> k8s(i).without("aud").mint()),
        bad(
            "wrong aud",
            Reason.WRONG_AUDIENCE,
            i -> k8s(i).audience("https://kubernetes.default.svc").mint()),
        bad("aud array without ours", Reason.WRONG_AUDIENCE, i -> k8s(i).audience("a", "b").mint()),
        bad("aud is a number", Reason.MALFORMED_TOKEN, i -> k8s(i).claim("aud", 1).mint()),
        bad(
            "expired",
            Reason.TOKEN_EXPIRED,
            i ->
                k8s(i)
                    .issuedAt(NOW.minus(Duration.ofHours(2)))
                    .notBefore(NOW.minus(Duration.ofHours(2)))
                    .expiresAt(NOW.minus(Duration.ofHours(1)))
                    .mint()),
        bad(
            "expired just beyond the skew",
            Reason.TOKEN_EXPIRED,
            i -> k8s(i).expiresAt(NOW.minusSeconds(30)).mint()),
        bad("no exp", Reason.MISSING_CLAIM, i -> k8s(i).without("exp").mint()),
        bad("exp is a string", Reason.MALFORMED_TOKEN, i -> k8s(i).claim("exp", "tomorrow").mint()),
        bad(
            "exp far beyond year 9999",
            Reason.MALFORMED_TOKEN,
            i -> k8s(i).claim("exp", 1e300).mint()),
        bad(
            "nbf in the future",
            Reason.TOKEN_NOT_YET_VALID,
            i -> k8s(i).notBefore(NOW.plus(Duration.ofMinutes(5))).mint()),
        bad(
            "iat in the future",
            Reason.TOKEN_NOT_YET_VALID,
            i -> k8s(i).issuedAt(NOW.plus(Duration.ofMinutes(5))).mint()),
        bad("no iat", Reason.MISSING_CLAIM, i -> k8s(i).without("iat").mint()),
        bad(
            "older than the maximum age",
            Reason.TOKEN_TOO_OLD,
            i ->
                k8s(i)
                    .issuedAt(NOW.minus(Duration.ofHours(25)))
                    .notBefore(NOW.minus(Duration.ofHours(25)))
                    .mint()),
        bad("no sub", Reason.MISSING_CLAIM, i -> k8s(i).without("sub").mint()),
        bad(
            "missing required namespace",
            Reason.MISSING_CLAIM,
            i ->
                k8s(i)
                    .claim(
                        "kubernetes.io",
                        Map.of("serviceaccount", Map.of("name", "api", "uid", "u")))
                    .mint()),
        bad(
            "kubernetes.io claim absent",
            Reason.MISSING_CLAIM,
            i -> k8s(i).without("kubernetes.io").mint()),
        bad(
            "selector value too long",
            Reason.MALFORMED_TOKEN,
            i -> k8s(i).subject("s".repeat(600)).mint()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badTokens")
  void badTokenIsDeniedWithItsReason(Case c) {
    String token = c.token().apply(issuer);
    assertThatThrownBy(() -> providers.verify(token))
        .isInstanceOfSatisfying(
            DeniedException.class,
            e -> {
              assertThat(e.reason()).as(e.getMessage()).isEqualTo(c.reason());
              assertThat(e.getMessage()).isNotBlank();
              for (String part : token.split("\\.")) {
                if (part.length() > 16) {
                  assertThat(e.getMessage()).doesNotContain(part);
                }
              }
            });
    assertThat(attacker.fetchCount()).as("nothing may be fetched from the attacker").isZero();
    assertThat(fetcher.requested)
        .allSatisfy(u -> assertThat(u.toString()).startsWith(issuer.issuer()));
  }

  @Test
  void nullTokenIsMalformed() {
    assertThatThrownBy(() -> providers.verify(null))
        .isInstanceOfSatisfying(
            DeniedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED_TOKEN));
  }

  @Test
  void tokenWithJkuElsewhereStillVerifiesWithTheProvidersKeyAndNothingIsFetchedFromThere() {
    int before = issuer.fetchCount();
    AttestedIdentity id =
        providers.verify(
            k8s(issuer).jku(attacker.jwksUri()).x5u(attacker.issuer() + "/c.pem").mint());
    assertThat(id.provider()).isEqualTo("cluster-a");
    assertThat(attacker.fetchCount()).isZero();
    assertThat(issuer.fetchCount()).isEqualTo(before);
  }

  @Test
  void tokenWithoutKidVerifiesWhenTheJwksHasExactlyOneFittingKey() {
    assertThat(providers.verify(k8s(issuer).kid(null).mint()).subject())
        .isEqualTo("system:serviceaccount:payments:api");
  }

  @Test
  void tokenWhenExpiredWithinClockSkewThenStillAccepted() {
    assertThat(providers.verify(k8s(issuer).expiresAt(NOW.minusSeconds(29)).mint()).expiresAt())
        .isEqualTo(NOW.minusSeconds(29));
  }

  @Test
  void tokenOfExactly16KiBIsParsed() {
    TokenBuilder b = k8s(issuer).claim("pad", "");
    int base = b.mint().length();
    // base64 grows by 4/3: find a padding that lands on the limit or just under
    int pad = (TrustProviders.MAX_TOKEN_LENGTH - base) * 3 / 4;
    String token = k8s(issuer).claim("pad", "x".repeat(pad)).mint();
    assertThat(token.length())
        .isLessThanOrEqualTo(TrustProviders.MAX_TOKEN_LENGTH)
        .isGreaterThan(TrustProviders.MAX_TOKEN_LENGTH - 8);
    assertThat(providers.verify(token).claims()).containsKey("pad");
  }

  static String stripSignature(String jwt) {
    return jwt.substring(0, jwt.lastIndexOf('.') + 1);
  }

  static String swapPayload(String jwt, String other) {
    String[] a = jwt.split("\\.");
    String[] b = other.split("\\.");
    return a[0] + "." + b[1] + "." + a[2];
  }
}
