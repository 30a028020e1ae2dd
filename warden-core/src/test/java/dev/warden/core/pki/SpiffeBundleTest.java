package dev.warden.core.pki;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.audit.MemoryAuditStore;
import dev.warden.core.crypto.SecretBox;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.token.KeyMaterial;
import dev.warden.core.token.SigningAlgorithm;
import dev.warden.testkit.MutableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpiffeBundleTest {
  final MutableClock clock = MutableClock.startingAt(Instant.parse("2026-03-01T00:00:00Z"));

  @Test
  void bundleCarriesX509AuthoritiesWithX5cAndNoKidAndJwtAuthoritiesWithKid() throws Exception {
    try (AuditWriter audit = new AuditWriter(new MemoryAuditStore(), 100, 5000)) {
      CaManager ca =
          new CaManager(
              new PkiFixtures.MemoryAuthorities(),
              SecretBox.generate(),
              clock,
              PkiSettings.defaults("example.org"),
              null,
              audit);
      ca.ensureActive();
      KeyMaterial jwtKey = KeyMaterial.generate(SigningAlgorithm.ES256, new SecureRandom());
      Map<String, Object> b =
          SpiffeBundle.json(
              ca.current().bundle(),
              List.of(jwtKey.publicJwk()),
              ca.current().sequence(),
              Duration.ofMinutes(5));
      assertThat(b)
          .containsEntry("spiffe_sequence", ca.current().sequence())
          .containsEntry("spiffe_refresh_hint", 300L);
      JWKSet set = JWKSet.parse(b);
      JWK x509 = set.getKeys().get(0);
      assertThat(x509.getKeyUse().identifier()).isEqualTo("x509-svid");
      assertThat(x509.getKeyID()).isNull();
      assertThat(x509.getX509CertChain()).hasSize(1);
      assertThat(x509.getParsedX509CertChain().getFirst())
          .isEqualTo(ca.current().bundle().getFirst());
      JWK jwt = set.getKeys().get(1);
      assertThat(jwt.getKeyUse().identifier()).isEqualTo("jwt-svid");
      assertThat(jwt.getKeyID()).isEqualTo(jwtKey.kid());
      assertThat(jwt.isPrivate()).isFalse();
    }
  }

  @Test
  void jwtSvidHasKidSubAudExpAndVerifiesWithTheBundleKey() throws Exception {
    KeyMaterial key = KeyMaterial.generate(SigningAlgorithm.ES256, new SecureRandom());
    SpiffeId id = SpiffeId.parse("spiffe://example.org/api");
    String jwt =
        JwtSvids.mint(
            key, id, List.of("https://db.example.org"), Duration.ofMinutes(5), clock.instant());
    SignedJWT s = SignedJWT.parse(jwt);
    assertThat(s.getHeader().getKeyID()).isEqualTo(key.kid());
    assertThat(s.getHeader().getType().getType()).isEqualTo("JOSE");
    assertThat(s.getJWTClaimsSet().getSubject()).isEqualTo(id.toString());
    assertThat(s.getJWTClaimsSet().getAudience()).containsExactly("https://db.example.org");
    assertThat(s.getJWTClaimsSet().getExpirationTime().toInstant())
        .isEqualTo(clock.instant().plusSeconds(300));
    JWK pub = SpiffeBundle.jwtAuthority(key.publicJwk());
    assertThat(s.verify(new ECDSAVerifier(pub.toECKey()))).isTrue();
  }

  @Test
  void jwtSvidWithoutAudienceIsRefused() {
    KeyMaterial key = KeyMaterial.generate(SigningAlgorithm.ES256, new SecureRandom());
    SpiffeId id = SpiffeId.parse("spiffe://example.org/api");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> JwtSvids.mint(key, id, List.of(), Duration.ofMinutes(5), clock.instant()))
        .hasMessageContaining("audience");
  }
}
