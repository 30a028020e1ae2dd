package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.warden.core.crypto.Fingerprinter;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/scan/verify}, what {@code warden scan --verify} asks: by fingerprint or
 * public-key hash only, which found credentials are Warden's and whether each is live.
 */
class ScanVerifyApiTest {
  @TempDir static Path dir;

  static ServerFixture warden;
  static Fingerprinter fingerprints;

  @BeforeAll
  static void start() {
    warden = ServerFixture.startWithGithub(dir, Map.of(), ServerFixture.GithubWorkload.RELEASE);
    JsonNode key = warden.admin("GET", "/v1/scan/fingerprint-key", null).json();
    fingerprints = new Fingerprinter(Base64.getUrlDecoder().decode(key.path("key").asText()));
  }

  @AfterAll
  static void stop() {
    warden.close();
  }

  static ServerFixture.Response verify(String body) {
    return warden.admin("POST", "/v1/scan/verify", body);
  }

  static JsonNode only(JsonNode matches, String value) {
    JsonNode found = null;
    for (JsonNode m : matches) {
      if (m.path("value").asText().equals(value)) {
        assertThat(found).as("one match for " + value).isNull();
        found = m;
      }
    }
    assertThat(found).as("a match for " + value + " in " + matches).isNotNull();
    return found;
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  void aFoundWardenTokenIsLiveWhileItsLeaseIsAndDeadOnceRevoked() {
    ServerFixture.Response r = warden.grant();
    assertThat(r.status()).isEqualTo(200);
    String fp = fingerprints.fingerprint(r.json().path("access_token").asText());

    JsonNode live =
        only(verify("{\"fingerprints\": [\"" + fp + "\"]}").json().path("credentials"), fp);
    assertThat(live.path("kind").asText()).isEqualTo("lease");
    assertThat(live.path("liveness").asText()).isEqualTo("live");
    assertThat(live.path("state").asText()).isEqualTo("active");

    String leaseId = live.path("id").asText();
    assertThat(warden.admin("POST", "/v1/leases/" + leaseId + ":revoke", "{}").status())
        .isIn(200, 204);
    JsonNode dead =
        only(verify("{\"fingerprints\": [\"" + fp + "\"]}").json().path("credentials"), fp);
    assertThat(dead.path("liveness").asText()).isEqualTo("dead");
    assertThat(dead.path("state").asText()).isEqualTo("revoked");
  }

  @Test
  void aStoredTargetSecretAndTheCurrentBrokeredVersionAreLiveAnOlderVersionUnknown() {
    assertThat(
            warden
                .admin("PUT", "/v1/target-secrets/verify-admin", "{\"value\": \"db-admin-pw-1\"}")
                .status())
        .isEqualTo(200);
    assertThat(
            warden
                .admin(
                    "PUT",
                    "/v1/secrets/verify-stripe",
                    "{\"value\": \"sk_live_v1\", \"owner\": \"p@acme.test\"}")
                .status())
        .isEqualTo(200);
    assertThat(
            warden
                .admin("PUT", "/v1/secrets/verify-stripe", "{\"value\": \"sk_live_v2\"}")
                .status())
        .isEqualTo(200);
    String admin = fingerprints.fingerprint("db-admin-pw-1");
    String v1 = fingerprints.fingerprint("sk_live_v1");
    String v2 = fingerprints.fingerprint("sk_live_v2");
    String stranger = fingerprints.fingerprint("never-seen-by-warden");

    JsonNode creds =
        verify(
                "{\"fingerprints\": [\"%s\", \"%s\", \"%s\", \"%s\"]}"
                    .formatted(admin, v1, v2, stranger))
            .json()
            .path("credentials");

    assertThat(only(creds, admin).path("kind").asText()).isEqualTo("target-secret");
    assertThat(only(creds, admin).path("liveness").asText()).isEqualTo("live");
    assertThat(only(creds, v2).path("id").asText()).isEqualTo("verify-stripe@2");
    assertThat(only(creds, v2).path("liveness").asText()).isEqualTo("live");
    assertThat(only(creds, v1).path("liveness").asText()).isEqualTo("unknown");
    assertThat(creds.toString()).doesNotContain(stranger);
  }

  @Test
  void theHashOfASigningKeyOrOfTheCaKeyIsRecognisedAsLive() throws Exception {
    JWKSet jwks = JWKSet.parse(warden.get("/oauth2/jwks").json().toString());
    JWK signing = jwks.getKeys().get(0);
    String signingHash = sha256(((AsymmetricJWK) signing).toPublicKey().getEncoded());
    JsonNode bundle = warden.get("/v1/bundle").json();
    String x5c = null;
    for (JsonNode k : bundle.path("keys")) {
      if (k.path("use").asText().equals("x509-svid")) {
        x5c = k.path("x5c").get(0).asText();
      }
    }
    assertThat(x5c).isNotNull();
    X509Certificate ca =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(x5c)));
    String caHash = sha256(ca.getPublicKey().getEncoded());

    JsonNode keys =
        verify("{\"publicKeys\": [\"%s\", \"%s\"]}".formatted(signingHash, caHash))
            .json()
            .path("publicKeys");

    assertThat(only(keys, signingHash).path("kind").asText()).isEqualTo("signing-key");
    assertThat(only(keys, signingHash).path("id").asText()).isEqualTo(signing.getKeyID());
    assertThat(only(keys, signingHash).path("liveness").asText()).isEqualTo("live");
    assertThat(only(keys, caHash).path("kind").asText()).isEqualTo("authority");
    assertThat(only(keys, caHash).path("liveness").asText()).isEqualTo("live");
  }

  @Test
  void theAnswerListsManagedDatabasesWithoutCredentialsAndTheCheckIsAuditedWithCountsOnly() {
    String fp = fingerprints.fingerprint("whatever");
    JsonNode body = verify("{\"fingerprints\": [\"" + fp + "\"]}").json();
    assertThat(body.path("databases").isArray()).isTrue();
    JsonNode event =
        warden
            .admin("GET", "/v1/audit?type=leak.verified&limit=1", null)
            .json()
            .path("events")
            .get(0);
    assertThat(event.toString()).contains("\"fingerprints\":\"1\"").doesNotContain(fp);
  }

  @Test
  void malformedValuesAndTooManyAreRefusedAndAScanlessTokenIsForbidden() {
    assertThat(verify("{\"fingerprints\": [\"ABC\"]}").status()).isEqualTo(400);
    assertThat(verify("{\"fingerprints\": \"" + "a".repeat(64) + "\"}").status()).isEqualTo(400);
    assertThat(verify("{\"publicKeys\": [42]}").status()).isEqualTo(400);
    StringBuilder many = new StringBuilder("{\"fingerprints\": [");
    for (int i = 0; i <= 10_000; i++) {
      many.append(i == 0 ? "" : ",").append('"').append(String.format("%064x", i)).append('"');
    }
    assertThat(verify(many.append("]}").toString()).status()).isEqualTo(400);
    String reader =
        warden
            .admin("POST", "/v1/admin-tokens", "{\"name\": \"ro\", \"scopes\": [\"audit:read\"]}")
            .json()
            .path("token")
            .asText();
    assertThat(warden.admin("POST", "/v1/scan/verify", "{\"fingerprints\": []}", reader).status())
        .isEqualTo(403);
  }
}
