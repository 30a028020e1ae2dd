package dev.warden.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.ProviderType;
import dev.warden.testkit.KeyType;
import dev.warden.testkit.MutableClock;
import dev.warden.testkit.TestKey;
import dev.warden.testkit.TestOidcIssuer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where keys come from, how they are cached and refreshed, and what happens when the issuer is
 * down.
 */
class TrustProvidersJwksTest {
  private static final Duration INTERVAL = TrustOptions.DEFAULT_JWKS_REFRESH_INTERVAL;

  private final MutableClock clock = MutableClock.startingAtDefault();
  private final TestOidcIssuer issuer = TestOidcIssuer.builder().clock(clock).start();
  private final LoopbackFetcher fetcher = new LoopbackFetcher();

  @AfterEach
  void stop() {
    issuer.close();
  }

  private TrustProviders discovering() {
    return TrustProviders.build(
        List.of(Specs.of("idp", ProviderType.OIDC, issuer.issuer()).build()), fetcher, clock);
  }

  private static Reason reasonOf(Runnable r) {
    try {
      r.run();
    } catch (DeniedException e) {
      return e.reason();
    }
    return null;
  }

  @Test
  void keysAreDiscoveredOnceThroughTheIssuersOpenidConfiguration() {
    TrustProviders p = discovering();
    assertThat(issuer.fetchCount()).as("building does no I/O").isZero();

    p.verify(issuer.token().mint());
    p.verify(issuer.token().mint());

    assertThat(issuer.discoveryFetchCount()).isEqualTo(1);
    assertThat(issuer.jwksFetchCount()).isEqualTo(1);
  }

  @Test
  void issuerWithAPathIsDiscoveredBelowThatPath() {
    try (TestOidcIssuer tenant =
        TestOidcIssuer.builder().clock(clock).path("/realms/acme").start()) {
      TrustProviders p =
          TrustProviders.build(
              List.of(Specs.of("acme", ProviderType.OIDC, tenant.issuer()).build()),
              fetcher,
              clock);
      assertThat(p.verify(tenant.token().mint()).issuer()).endsWith("/realms/acme");
      assertThat(tenant.discoveryFetchCount()).isEqualTo(1);
    }
  }

  @Test
  void configuredJwksUriSkipsDiscovery() {
    TrustProviders p =
        TrustProviders.build(
            List.of(
                Specs.of("idp", ProviderType.OIDC, issuer.issuer())
                    .jwksUri(issuer.jwksUri())
                    .build()),
            fetcher,
            clock);
    p.verify(issuer.token().mint());
    assertThat(issuer.discoveryFetchCount()).isZero();
    assertThat(issuer.jwksFetchCount()).isEqualTo(1);
  }

  @Test
  void discoveryDocumentNamingAnotherIssuerIsNotTrusted() {
    // the same server, configured as "localhost": its document says 127.0.0.1
    TrustProviders p =
        TrustProviders.build(
            List.of(Specs.of("idp", ProviderType.OIDC, issuer.issuerAsLocalhost()).build()),
            fetcher,
            clock);
    assertThatThrownBy(() -> p.verify(issuer.token().issuer(issuer.issuerAsLocalhost()).mint()))
        .isInstanceOfSatisfying(
            DeniedException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.JWKS_UNAVAILABLE);
              assertThat(e.getCause()).hasMessageContaining("names issuer");
            });
    assertThat(issuer.jwksFetchCount()).isZero();
  }

  @Test
  void inlineJwksIsUsedWithoutAnyFetch() {
    TrustProviders p =
        TrustProviders.build(
            List.of(
                Specs.of("air-gapped", ProviderType.KUBERNETES, issuer.issuer())
                    .jwks(issuer.jwksJson())
                    .build()),
            uri -> {
              throw new IOException("must not fetch " + uri);
            },
            clock);
    assertThat(p.verify(issuer.kubernetesToken("ns", "sa", "pod")).provider())
        .isEqualTo("air-gapped");
    assertThat(reasonOf(() -> p.verify(issuer.token().kid("other").mint())))
        .isEqualTo(Reason.UNKNOWN_KID);
    assertThat(issuer.fetchCount()).isZero();
  }

  @Test
  void inlineJwksWithPrivateKeyMaterialIsRefused() {
    String jwks = "{\"keys\":[" + issuer.signingKey().privateJwkJson() + "]}";
    assertThatThrownBy(
            () ->
                TrustProviders.build(
                    List.of(Specs.of("idp", ProviderType.OIDC, issuer.issuer()).jwks(jwks).build()),
                    fetcher,
                    clock))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("trustProviders.idp.jwks")
        .hasMessageContaining("private key material")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\"d\""));
  }

  @Test
  void inlineJwksWithOnlyASymmetricKeyIsRefused() {
    String jwks =
        "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"h\",\"k\":\"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0\"}]}";
    assertThatThrownBy(
            () ->
                TrustProviders.build(
                    List.of(Specs.of("idp", ProviderType.OIDC, issuer.issuer()).jwks(jwks).build()),
                    fetcher,
                    clock))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("symmetric (oct)")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("c2VjcmV0"));
  }

  @Test
  void inlineJwksWhoseKeysFitNoAllowedAlgorithmIsRefused() {
    assertThatThrownBy(
            () ->
                TrustProviders.build(
                    List.of(
                        Specs.of("idp", ProviderType.OIDC, issuer.issuer())
                            .algorithms("ES256", "EdDSA")
                            .jwks(issuer.jwksJson())
                            .build()),
                    fetcher,
                    clock))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("no key usable");
  }

  @Test
  void keysThatDoNotFitAreSkippedAndTheRestUsed() throws Exception {
    TestKey ec = TestKey.generate(KeyType.EC_P256);
    TestKey ed = TestKey.generate(KeyType.ED25519);
    Map<String, Object> enc = issuer.signingKey().publicJwkMap();
    enc.put("use", "enc");
    enc.put("kid", "enc-key");
    Map<String, Object> weak = rsaPublicJwk(1024, "weak");
    Map<String, Object> x25519 =
        Map.of(
            "kty",
            "OKP",
            "crv",
            "X25519",
            "kid",
            "x",
            "x",
            "3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08");
    Map<String, Object> oct =
        Map.of(
            "kty",
            "oct",
            "kid",
            "hmac",
            "k",
            "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow");
    String jwks =
        JSONObjectUtils.toJSONString(
            Map.of(
                "keys",
                List.of(
                    oct,
                    enc,
                    weak,
                    x25519,
                    "not an object",
                    ec.publicJwkMap(),
                    ed.publicJwkMap(),
                    issuer.signingKey().publicJwkMap())));
    TrustProviders p =
        TrustProviders.build(
            List.of(
                Specs.of("idp", ProviderType.OIDC, issuer.issuer())
                    .algorithms("RS256", "ES256")
                    .jwks(jwks)
                    .build()),
            fetcher,
            clock);

    assertThat(p.verify(issuer.token().mint()).provider()).isEqualTo("idp");
    assertThat(p.verify(issuer.token().signWith(ec).mint()).provider()).isEqualTo("idp");
    assertThat(reasonOf(() -> p.verify(issuer.token().signWith(ed).mint())))
        .isEqualTo(Reason.ALG_NOT_ALLOWED);
    assertThat(reasonOf(() -> p.verify(issuer.token().kid("hmac").mint())))
        .isEqualTo(Reason.UNKNOWN_KID);
    assertThat(reasonOf(() -> p.verify(issuer.token().kid("enc-key").mint())))
        .isEqualTo(Reason.UNKNOWN_KID);
    assertThat(reasonOf(() -> p.verify(issuer.token().kid("weak").mint())))
        .isEqualTo(Reason.UNKNOWN_KID);
  }

  private static Map<String, Object> rsaPublicJwk(int bits, String kid) throws Exception {
    var g = java.security.KeyPairGenerator.getInstance("RSA");
    g.initialize(bits);
    var pub = (java.security.interfaces.RSAPublicKey) g.generateKeyPair().getPublic();
    return new com.nimbusds.jose.jwk.RSAKey.Builder(pub).keyID(kid).build().toJSONObject();
  }

  @Test
  void remoteJwksWithPrivateKeyMaterialIsNotUsed() {
    issuer.serveJwks("{\"keys\":[" + issuer.signingKey().privateJwkJson() + "]}");
    TrustProviders p = discovering();
    assertThatThrownBy(() -> p.verify(issuer.token().mint()))
        .isInstanceOfSatisfying(
            DeniedException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.JWKS_UNAVAILABLE);
              assertThat(e.getMessage()).contains("'idp'").doesNotContain("\"d\"");
            });
  }

  @Test
  void rotatedKeyIsPickedUpWithExactlyOneRefresh() {
    TrustProviders p = discovering();
    p.verify(issuer.token().mint());
    int fetches = issuer.jwksFetchCount();

    clock.advance(INTERVAL.plusSeconds(1));
    issuer.rotateKey();
    AttestedIdentity id = p.verify(issuer.token().mint());
    p.verify(issuer.token().mint());

    assertThat(id.provider()).isEqualTo("idp");
    assertThat(issuer.jwksFetchCount()).isEqualTo(fetches + 1);
    assertThat(issuer.discoveryFetchCount()).as("the discovered jwks_uri is kept").isEqualTo(1);
  }

  @Test
  void newKidRightAfterAFetchWaitsForTheRefreshInterval() {
    TrustProviders p = discovering();
    p.verify(issuer.token().mint());
    issuer.rotateKey();
    int fetches = issuer.jwksFetchCount();

    assertThat(reasonOf(() -> p.verify(issuer.token().mint()))).isEqualTo(Reason.UNKNOWN_KID);
    assertThat(issuer.jwksFetchCount()).isEqualTo(fetches);

    clock.advance(INTERVAL);
    assertThat(p.verify(issuer.token().mint()).provider()).isEqualTo("idp");
    assertThat(issuer.jwksFetchCount()).isEqualTo(fetches + 1);
  }

  @Test
  void floodOfUnknownKidsCausesAtMostOneFetchPerInterval() throws Exception {
    TrustProviders p = discovering();
    p.verify(issuer.token().mint());
    clock.advance(INTERVAL.plusSeconds(1));
    int fetches = issuer.jwksFetchCount();

    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Reason>> results = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        String token = issuer.token().kid("forged-" + i).mint();
        results.add(pool.submit(() -> reasonOf(() -> p.verify(token))));
      }
      for (Future<Reason> f : results) {
        assertThat(f.get()).isEqualTo(Reason.UNKNOWN_KID);
      }
    }
    assertThat(issuer.jwksFetchCount()).isEqualTo(fetches + 1);

    for (int i = 0; i < 50; i++) {
      String token = issuer.token().kid("again-" + i).mint();
      assertThat(reasonOf(() -> p.verify(token))).isEqualTo(Reason.UNKNOWN_KID);
    }
    assertThat(issuer.jwksFetchCount()).isEqualTo(fetches + 1);
  }

  @Test
  void refreshIntervalIsConfigurable() {
    TrustProviders p =
        TrustProviders.build(
            List.of(Specs.of("idp", ProviderType.OIDC, issuer.issuer()).build()),
            fetcher,
            clock,
            TrustOptions.defaults().withJwksRefreshInterval(Duration.ofMinutes(5)));
    p.verify(issuer.token().mint());
    issuer.rotateKey();
    clock.advance(Duration.ofMinutes(4));
    assertThat(reasonOf(() -> p.verify(issuer.token().mint()))).isEqualTo(Reason.UNKNOWN_KID);
    clock.advance(Duration.ofMinutes(1));
    assertThat(reasonOf(() -> p.verify(issuer.token().mint()))).isNull();
  }

  @Test
  void whenRefreshFailsTheCachedKeysKeepServing() {
    TrustProviders p = discovering();
    p.verify(issuer.token().mint());
    issuer.simulateOutage(true);
    int fetches = issuer.fetchCount();

    clock.advance(
        TrustOptions.DEFAULT_JWKS_MAX_AGE.plusMinutes(1)); // keys are stale: a refresh is due
    assertThat(p.verify(issuer.token().mint()).provider()).isEqualTo("idp");
    assertThat(issuer.fetchCount()).as("one refresh was attempted").isGreaterThan(fetches);

    clock.advance(INTERVAL.plusSeconds(1));
    assertThat(reasonOf(() -> p.verify(issuer.token().kid("new").mint())))
        .isEqualTo(Reason.UNKNOWN_KID);
    assertThat(p.verify(issuer.token().mint()).provider()).isEqualTo("idp");
  }

  @Test
  void withNoKeysAtAllTheProviderIsUnavailableAndRetriesOnlyAfterTheInterval() {
    issuer.simulateOutage(true);
    TrustProviders p = discovering();

    assertThat(reasonOf(() -> p.verify(issuer.token().mint()))).isEqualTo(Reason.JWKS_UNAVAILABLE);
    int fetches = issuer.fetchCount();
    assertThat(reasonOf(() -> p.verify(issuer.token().mint()))).isEqualTo(Reason.JWKS_UNAVAILABLE);
    assertThat(issuer.fetchCount()).isEqualTo(fetches);

    issuer.simulateOutage(false);
    clock.advance(INTERVAL);
    assertThat(p.verify(issuer.token().mint()).provider()).isEqualTo("idp");
  }

  @Test
  void keysOlderThanTheMaximumAgeAreRefreshedAndAWithdrawnKeyStopsWorking() {
    TrustProviders p = discovering();
    String oldToken = issuer.token().expiresAt(clock.instant().plus(Duration.ofHours(2))).mint();
    p.verify(oldToken);
    String oldKid = issuer.currentKid();
    issuer.rotateKey();
    issuer.unpublishKey(oldKid);
    int fetches = issuer.jwksFetchCount();

    clock.advance(TrustOptions.DEFAULT_JWKS_MAX_AGE.plusSeconds(1));
    assertThat(reasonOf(() -> p.verify(oldToken))).isEqualTo(Reason.UNKNOWN_KID);
    assertThat(issuer.jwksFetchCount()).isEqualTo(fetches + 1);
    assertThat(p.verify(issuer.token().mint()).provider()).isEqualTo("idp");
  }

  @Test
  void ecdsaAndEdDsaIssuersVerify() {
    try (TestOidcIssuer ec =
            TestOidcIssuer.builder().clock(clock).keyType(KeyType.EC_P256).start();
        TestOidcIssuer ed =
            TestOidcIssuer.builder().clock(clock).keyType(KeyType.ED25519).start()) {
      TrustProviders p =
          TrustProviders.build(
              List.of(
                  Specs.of("ec", ProviderType.OIDC, ec.issuer()).algorithms("ES256").build(),
                  Specs.of("ed", ProviderType.OIDC, ed.issuer()).algorithms("EdDSA").build()),
              fetcher,
              clock);
      assertThat(p.verify(ec.token().mint()).provider()).isEqualTo("ec");
      assertThat(p.verify(ed.token().mint()).provider()).isEqualTo("ed");
      assertThat(reasonOf(() -> p.verify(ec.token().tamperSignature().mint())))
          .isEqualTo(Reason.BAD_SIGNATURE);
      assertThat(reasonOf(() -> p.verify(ed.token().tamperSignature().mint())))
          .isEqualTo(Reason.BAD_SIGNATURE);
      // a DER-encoded or truncated ECDSA signature is not a JWS signature
      String t = ec.token().mint();
      assertThat(reasonOf(() -> p.verify(t.substring(0, t.length() - 4))))
          .isEqualTo(Reason.BAD_SIGNATURE);
      String e = ed.token().mint();
      assertThat(reasonOf(() -> p.verify(e.substring(0, e.length() - 4))))
          .isEqualTo(Reason.BAD_SIGNATURE);
    }
  }

  @Test
  void tokenWithoutKidIsRefusedWhenSeveralKeysFit() {
    TrustProviders p = discovering();
    p.verify(issuer.token().mint());
    issuer.rotateKey();
    clock.advance(INTERVAL);
    p.verify(issuer.token().mint()); // now two RSA keys are known
    assertThat(reasonOf(() -> p.verify(issuer.token().kid(null).mint())))
        .isEqualTo(Reason.UNKNOWN_KID);
  }

  @Test
  void fetcherThatThrowsUncheckedIsTreatedAsUnavailable() {
    TrustProviders p =
        TrustProviders.build(
            List.of(Specs.of("idp", ProviderType.OIDC, issuer.issuer()).build()),
            uri -> {
              throw new IllegalStateException("bug in the fetcher");
            },
            clock);
    assertThat(reasonOf(() -> p.verify(issuer.token().mint()))).isEqualTo(Reason.JWKS_UNAVAILABLE);
  }

  @Test
  void loadingStoredProvidersDisablesOnlyTheOneThatNoLongerCompilesAndDeniesItsTokens() {
    TestOidcIssuer other = TestOidcIssuer.builder().clock(clock).path("/other").start();
    try {
      TrustProviders p =
          TrustProviders.load(
              List.of(
                  Specs.of("broken", ProviderType.OIDC, other.issuer())
                      .jwks("{\"keys\":[]}")
                      .build(),
                  Specs.of("idp", ProviderType.OIDC, issuer.issuer()).build(),
                  Specs.of("twin", ProviderType.OIDC, issuer.issuer() + "/").build()),
              fetcher,
              clock,
              TrustOptions.defaults());
      assertThat(p.disabled()).containsOnlyKeys("broken", "twin");
      assertThat(p.disabled().get("twin")).contains("same issuer");
      assertThat(p.verify(issuer.token().mint()).provider()).isEqualTo("idp");
      assertThat(reasonOf(() -> p.verify(other.token().mint())))
          .isEqualTo(Reason.PROVIDER_DISABLED);
      // build stays strict: what apply uses refuses the same list
      assertThatThrownBy(
              () ->
                  TrustProviders.build(
                      List.of(
                          Specs.of("broken", ProviderType.OIDC, other.issuer())
                              .jwks("{\"keys\":[]}")
                              .build()),
                      fetcher,
                      clock))
          .isInstanceOf(ValidationException.class);
    } finally {
      other.close();
    }
  }
}
