package dev.warden.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.ProviderType;
import dev.warden.core.model.TrustProviderSpec;
import dev.warden.testkit.MutableClock;
import dev.warden.testkit.TestOidcIssuer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A token presented again is served from the cache — but only while everything it relied on still
 * holds.
 */
class VerifiedTokenCacheTest {
  private final MutableClock clock = MutableClock.startingAtDefault();
  private final TestOidcIssuer issuer = TestOidcIssuer.builder().clock(clock).start();
  private final LoopbackFetcher fetcher = new LoopbackFetcher();

  @AfterEach
  void stop() {
    issuer.close();
  }

  private TrustProviderSpec spec() {
    return Specs.of("cluster", ProviderType.KUBERNETES, issuer.issuer())
        .maxTokenAge(Duration.ofMinutes(30))
        .build();
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
  void sameTokenAgainIsAnsweredFromTheCache() {
    TrustProviders p = TrustProviders.build(List.of(spec()), fetcher, clock);
    String token = issuer.kubernetesToken("payments", "api", "p");
    assertThat(p.verify(token)).isSameAs(p.verify(token));
  }

  @Test
  void cacheCanBeTurnedOff() {
    TrustProviders p =
        TrustProviders.build(
            List.of(spec()), fetcher, clock, TrustOptions.defaults().withVerifiedTokenCacheSize(0));
    String token = issuer.kubernetesToken("payments", "api", "p");
    AttestedIdentity a = p.verify(token);
    AttestedIdentity b = p.verify(token);
    assertThat(a).isNotSameAs(b).isEqualTo(b);
  }

  @Test
  void cachedTokenExpiresOnTime() {
    TrustProviders p = TrustProviders.build(List.of(spec()), fetcher, clock);
    String token =
        issuer
            .kubernetes("payments", "api", "p")
            .expiresAt(clock.instant().plus(Duration.ofMinutes(10)))
            .mint();
    p.verify(token);
    clock.advance(Duration.ofMinutes(10).plus(TrustProviderSpec.DEFAULT_CLOCK_SKEW));
    assertThat(reasonOf(() -> p.verify(token))).isEqualTo(Reason.TOKEN_EXPIRED);
    assertThat(reasonOf(() -> p.verify(token))).isEqualTo(Reason.TOKEN_EXPIRED);
  }

  @Test
  void cachedTokenGrowsTooOld() {
    TrustProviders p = TrustProviders.build(List.of(spec()), fetcher, clock);
    String token = issuer.kubernetesToken("payments", "api", "p"); // valid 1h, max age 30m
    p.verify(token);
    clock.advance(Duration.ofMinutes(31));
    assertThat(reasonOf(() -> p.verify(token))).isEqualTo(Reason.TOKEN_TOO_OLD);
  }

  @Test
  void cachedTokenNotYetValidStaysDeniedUntilItsTime() {
    TrustProviders p = TrustProviders.build(List.of(spec()), fetcher, clock);
    String token =
        issuer.kubernetes("payments", "api", "p").notBefore(clock.instant().plusSeconds(20)).mint();
    p.verify(token); // within the 30 s skew
    clock.advance(Duration.ofSeconds(-20));
    assertThat(reasonOf(() -> p.verify(token))).isEqualTo(Reason.TOKEN_NOT_YET_VALID);
    clock.advance(Duration.ofSeconds(20));
    assertThat(p.verify(token).provider()).isEqualTo("cluster");
  }

  @Test
  void cachedTokenOfAWithdrawnKeyIsNoLongerAccepted() {
    TrustProviders p = TrustProviders.build(List.of(spec()), fetcher, clock);
    String token =
        issuer
            .kubernetes("payments", "api", "p")
            .expiresAt(clock.instant().plus(Duration.ofHours(1)))
            .mint();
    p.verify(token);
    String oldKid = issuer.currentKid();
    issuer.rotateKey();
    issuer.unpublishKey(oldKid);
    clock.advance(TrustOptions.DEFAULT_JWKS_MAX_AGE.plusSeconds(1));
    assertThat(reasonOf(() -> p.verify(token))).isEqualTo(Reason.UNKNOWN_KID);
  }

  @Test
  void changedProviderConfigurationIsNotBypassedByTheCache() {
    TrustProviders p = TrustProviders.build(List.of(spec()), fetcher, clock);
    String token = issuer.kubernetesToken("payments", "api", "p");
    p.verify(token);

    TrustProviders stricter =
        p.rebuild(
            List.of(
                Specs.of("cluster", ProviderType.KUBERNETES, issuer.issuer())
                    .maxTokenAge(Duration.ofMinutes(30))
                    .audiences("other")
                    .build()));
    assertThat(reasonOf(() -> stricter.verify(token))).isEqualTo(Reason.WRONG_AUDIENCE);

    TrustProviders removed = p.rebuild(List.of());
    assertThat(reasonOf(() -> removed.verify(token))).isEqualTo(Reason.UNKNOWN_ISSUER);
    assertThat(p.verify(token).provider())
        .as("the old snapshot still works for its holders")
        .isEqualTo("cluster");
  }

  @Test
  void unchangedProviderKeepsItsKeysAndCacheAcrossRebuild() {
    TrustProviders p = TrustProviders.build(List.of(spec()), fetcher, clock);
    String token = issuer.kubernetesToken("payments", "api", "p");
    AttestedIdentity first = p.verify(token);
    int fetches = issuer.fetchCount();

    TrustProviders q =
        p.rebuild(
            List.of(spec(), Specs.of("other", ProviderType.OIDC, "https://other.example").build()));
    assertThat(q.verify(token)).isSameAs(first);
    q.verify(issuer.kubernetesToken("payments", "api", "p2"));
    assertThat(issuer.fetchCount()).isEqualTo(fetches);
    assertThat(q.providerNames()).containsExactlyInAnyOrder("cluster", "other");
  }

  @Test
  void cacheIsBoundedAndKeepsRecentlyUsedEntries() {
    VerifiedTokenCache cache = new VerifiedTokenCache(10);
    VerifiedTokenCache.Digest hot = VerifiedTokenCache.Digest.of("hot");
    cache.put(hot, new VerifiedTokenCache.Entry(null, null));
    for (int i = 0; i < 1000; i++) {
      cache.put(VerifiedTokenCache.Digest.of("t" + i), new VerifiedTokenCache.Entry(null, null));
      assertThat(cache.get(hot)).isNotNull();
      assertThat(cache.size()).isLessThanOrEqualTo(11);
    }
    assertThat(cache.get(VerifiedTokenCache.Digest.of("t0"))).isNull();
  }

  @Test
  void differentTokensHaveDifferentDigests() {
    assertThat(VerifiedTokenCache.Digest.of("a.b.c"))
        .isEqualTo(VerifiedTokenCache.Digest.of("a.b.c"))
        .isNotEqualTo(VerifiedTokenCache.Digest.of("a.b.d"));
  }

  @Test
  void deniedTokensAreNotCached() {
    TrustProviders p = TrustProviders.build(List.of(spec()), fetcher, clock);
    String token =
        issuer
            .kubernetes("payments", "api", "p")
            .notBefore(clock.instant().plus(Duration.ofMinutes(5)))
            .mint();
    assertThat(reasonOf(() -> p.verify(token))).isEqualTo(Reason.TOKEN_NOT_YET_VALID);
    clock.advance(Duration.ofMinutes(5));
    assertThat(p.verify(token).provider()).isEqualTo("cluster");
  }

  @Test
  void tamperedCopyOfACachedTokenIsStillVerifiedInFull() {
    TrustProviders p = TrustProviders.build(List.of(spec()), fetcher, clock);
    String token = issuer.kubernetesToken("payments", "api", "p");
    p.verify(token);
    String tampered = token.substring(0, token.length() - 2) + (token.endsWith("A") ? "BA" : "AA");
    assertThatThrownBy(() -> p.verify(tampered)).isInstanceOf(DeniedException.class);
  }

  @Test
  void anUncachedVerificationNeitherReadsNorFillsTheCacheButAppliesTheSameRules() {
    TrustProviders p = TrustProviders.build(List.of(spec()), fetcher, clock);
    String token = issuer.kubernetesToken("payments", "api", "p");
    AttestedIdentity tested = p.verifyUncached(token);
    AttestedIdentity first = p.verify(token);
    assertThat(first)
        .as("the test left nothing in the cache")
        .isNotSameAs(tested)
        .isEqualTo(tested);
    assertThat(p.verify(token)).isSameAs(first);
    assertThat(p.verifyUncached(token))
        .as("nor does it read it")
        .isNotSameAs(first)
        .isEqualTo(first);
    clock.advance(Duration.ofMinutes(31));
    assertThat(reasonOf(() -> p.verifyUncached(token))).isEqualTo(Reason.TOKEN_TOO_OLD);
    assertThat(reasonOf(() -> p.verifyUncached("not-a-jwt"))).isEqualTo(Reason.MALFORMED_TOKEN);
  }

  @Test
  void rulesSayWhatTheProviderChecksInOrderAndNothingForAnUnknownOne() {
    TrustProviders p = TrustProviders.build(List.of(spec()), fetcher, clock);
    assertThat(p.rules("cluster")).hasSize(8).first().asString().contains(issuer.issuer());
    assertThat(String.join("\n", p.rules("cluster")))
        .contains("alg is one of RS256")
        .contains("the JWKS that " + issuer.issuer() + "/.well-known/openid-configuration names")
        .contains("aud contains one of " + issuer.audience())
        .contains("iat is no older than 30m")
        .contains("/kubernetes.io/namespace, /kubernetes.io/serviceaccount/name")
        .contains("k8s:ns from /kubernetes.io/namespace");
    assertThat(p.rules("nobody")).isEmpty();
  }
}
