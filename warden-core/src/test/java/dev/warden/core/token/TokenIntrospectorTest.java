package dev.warden.core.token;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.audit.AuditWriter;
import dev.warden.core.audit.MemoryAuditStore;
import dev.warden.core.crypto.SecretBox;
import dev.warden.core.lease.LeaseStore;
import dev.warden.core.model.Lease;
import dev.warden.testkit.MutableClock;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Introspection of Warden's own tokens. Regression: it parsed them with Nimbus, which decodes
 * malformed UTF-8 to replacement characters, so a token whose payload was not UTF-8 (or escaped a
 * lone surrogate) was reported active; decision 301's strict parsing now applies here too.
 */
class TokenIntrospectorTest {
  static final String ISSUER = "https://warden.acme.test";

  final MutableClock clock = MutableClock.startingAt(Instant.parse("2026-01-01T00:00:00Z"));
  final AuditWriter audit = new AuditWriter(new MemoryAuditStore(), 100, 5000);
  final KeyManager keys =
      new KeyManager(
          dev.warden.core.keys.KeyPurpose.ACCESS_TOKEN,
          new KeyRotationTest.MemoryKeys(),
          SecretBox.generate(),
          clock,
          new RotationPolicy(Duration.ofDays(30), Duration.ofMinutes(10), Duration.ofHours(25)),
          SigningAlgorithm.ES256,
          audit);
  final Map<String, Lease> leases = new ConcurrentHashMap<>();
  final TokenIntrospector introspector;

  TokenIntrospectorTest() {
    keys.ensureActiveKey();
    LeaseStore store =
        new LeaseStore() {
          @Override
          public Optional<Lease> get(String id) {
            return Optional.ofNullable(leases.get(id));
          }

          @Override
          public List<Lease> findByFingerprint(String fingerprint) {
            return List.of();
          }

          @Override
          public List<Lease> listActive(String workload, Instant now) {
            return List.of();
          }

          @Override
          public boolean revoke(String id, Instant at, String reason) {
            return false;
          }

          @Override
          public boolean extend(String id, Instant expiresAt, Instant now) {
            return false;
          }
        };
    introspector = new TokenIntrospector(keys, store, clock, ISSUER);
    Instant now = clock.instant();
    leases.put(
        "j1",
        new Lease(
            "j1",
            dev.warden.core.model.CredentialKind.ACCESS_TOKEN,
            "spiffe://acme.test/a",
            "ledger",
            now,
            now.plusSeconds(300),
            null,
            null,
            "f".repeat(64)));
  }

  @AfterEach
  void close() {
    audit.close();
  }

  /** A token signed with the active key whose payload has {@code note} (raw bytes) in a string. */
  String signed(byte[] note) {
    KeyMaterial key = keys.keyset().active();
    String header = "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"" + key.kid() + "\"}";
    long now = clock.instant().getEpochSecond();
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    payload.writeBytes(
        ("{\"iss\":\""
                + ISSUER
                + "\",\"sub\":\"spiffe://acme.test/a\",\"aud\":\"https://ledger.acme.test\","
                + "\"exp\":"
                + (now + 300)
                + ",\"iat\":"
                + now
                + ",\"jti\":\"j1\",\"client_id\":\"")
            .getBytes(StandardCharsets.UTF_8));
    payload.writeBytes(note);
    payload.writeBytes("\"}".getBytes(StandardCharsets.UTF_8));
    String input =
        Base64Url.encode(header.getBytes(StandardCharsets.UTF_8))
            + "."
            + Base64Url.encode(payload.toByteArray());
    return input + "." + Base64Url.encode(key.sign(input.getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void aWellFormedTokenIsActiveWithItsClaims() {
    Map<String, Object> r =
        introspector.introspect(signed("spiffe://acme.test/a".getBytes(StandardCharsets.UTF_8)));
    assertThat(r)
        .containsEntry("active", true)
        .containsEntry("sub", "spiffe://acme.test/a")
        .containsEntry("aud", "https://ledger.acme.test")
        .containsEntry("client_id", "spiffe://acme.test/a")
        .containsEntry("jti", "j1")
        .containsKey("exp")
        .containsKey("iat")
        .doesNotContainKey("scope");
  }

  @Test
  void aMintedTokenIsActive() {
    Instant now = Instant.ofEpochSecond(clock.instant().getEpochSecond());
    String token =
        AccessTokenMinter.mint(
                keys.keyset().active(),
                AccessTokenMinter.Claims.bearer(
                    ISSUER,
                    "spiffe://acme.test/a",
                    "https://ledger.acme.test",
                    "spiffe://acme.test/a",
                    "read",
                    "j1",
                    now,
                    now.plusSeconds(300)))
            .reveal();
    assertThat(introspector.introspect(token))
        .containsEntry("active", true)
        .containsEntry("scope", "read");
    clock.advance(Duration.ofSeconds(300));
    assertThat(introspector.introspect(token)).containsEntry("active", false);
  }

  @ParameterizedTest(name = "payload bytes {0}")
  @ValueSource(strings = {"c0af", "eda080", "e282", "ff", "80", "f4908080"})
  void aSignedTokenWhosePayloadIsNotUtf8IsInactive(String hex) {
    assertThat(introspector.introspect(signed(HexFormat.of().parseHex(hex))))
        .isEqualTo(Map.of("active", false));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"\\ud800", "\\udc00", "x\\ud83d"})
  void aSignedTokenWhosePayloadEscapesALoneSurrogateIsInactive(String escape) {
    assertThat(introspector.introspect(signed(escape.getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo(Map.of("active", false));
  }
}
