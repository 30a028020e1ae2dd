package dev.warden.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.OAuthClient;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientAuthenticationTest {
  static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  static final String URL = "https://login.crm.test/oauth2/token";

  static OAuthClient client(OAuthClient.AuthMethod m, String alg) {
    return new OAuthClient(
        URL,
        "warden+prod",
        m,
        "crm",
        alg,
        null,
        List.of("a", "b"),
        "https://api.crm.test",
        null,
        null);
  }

  static Map<String, String> form(Secret body) {
    Map<String, String> m = new HashMap<>();
    for (String p : body.reveal().split("&")) {
      String[] kv = p.split("=", 2);
      m.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    return m;
  }

  static String pem(KeyPair k) {
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(k.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----";
  }

  static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  @Test
  void basicFormEncodesIdAndSecretBeforeBase64() {
    UpstreamTokenClient.Request r =
        ClientAuthentication.request(
            client(OAuthClient.AuthMethod.CLIENT_SECRET_BASIC, null),
            List.of("a", "b"),
            Secret.of("p@ss word"),
            NOW);

    // RFC 6749 section 2.3.1: application/x-www-form-urlencoded, then Basic
    assertThat(
            new String(
                Base64.getDecoder().decode(r.authorization().reveal().substring(6)),
                StandardCharsets.UTF_8))
        .isEqualTo("warden%2Bprod:p%40ss+word");
    assertThat(form(r.form()))
        .containsEntry("grant_type", "client_credentials")
        .containsEntry("scope", "a b")
        .containsEntry("audience", "https://api.crm.test")
        .doesNotContainKey("client_secret");
  }

  @Test
  void postSendsIdAndSecretInTheFormOnly() {
    UpstreamTokenClient.Request r =
        ClientAuthentication.request(
            client(OAuthClient.AuthMethod.CLIENT_SECRET_POST, null),
            List.of(),
            Secret.of("s3cret"),
            NOW);

    assertThat(r.authorization()).isNull();
    assertThat(form(r.form()))
        .containsEntry("client_id", "warden+prod")
        .containsEntry("client_secret", "s3cret")
        .doesNotContainKey("scope");
  }

  @Test
  void privateKeyJwtAssertionIsSignedForTheTokenUrlAndLivesAMinute() throws Exception {
    KeyPair k = ec("secp256r1");
    UpstreamTokenClient.Request r =
        ClientAuthentication.request(
            client(OAuthClient.AuthMethod.PRIVATE_KEY_JWT, "ES256"),
            List.of("a"),
            Secret.of(pem(k)),
            NOW);

    Map<String, String> f = form(r.form());
    assertThat(f)
        .containsEntry(
            "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    SignedJWT jwt = SignedJWT.parse(f.get("client_assertion"));
    assertThat(jwt.verify(new ECDSAVerifier((ECPublicKey) k.getPublic()))).isTrue();
    assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo("warden+prod");
    assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("warden+prod");
    assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly(URL);
    assertThat(jwt.getJWTClaimsSet().getExpirationTime().toInstant())
        .isEqualTo(NOW.plusSeconds(60));
    assertThat(jwt.getJWTClaimsSet().getJWTID()).isNotBlank();
    String other =
        form(ClientAuthentication.request(
                    client(OAuthClient.AuthMethod.PRIVATE_KEY_JWT, "ES256"),
                    List.of("a"),
                    Secret.of(pem(k)),
                    NOW)
                .form())
            .get("client_assertion");
    assertThat(SignedJWT.parse(other).getJWTClaimsSet().getJWTID())
        .isNotEqualTo(jwt.getJWTClaimsSet().getJWTID());
  }

  @Test
  void keysThatCannotSignTheAlgorithmAreRefusedWithoutQuotingThem() throws Exception {
    OAuthClient es256 = client(OAuthClient.AuthMethod.PRIVATE_KEY_JWT, "ES256");
    assertThatThrownBy(() -> ClientAuthentication.checkKey(es256, Secret.of("not a key")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("PEM PKCS#8")
        .hasMessageNotContaining("not a key");
    assertThatThrownBy(() -> ClientAuthentication.checkKey(es256, Secret.of(pem(ec("secp384r1")))))
        .hasMessageContaining("384-bit curve");
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    assertThatThrownBy(
            () -> ClientAuthentication.checkKey(es256, Secret.of(pem(rsa.generateKeyPair()))))
        .hasMessageContaining("not a PKCS#8 EC private key");
    ClientAuthentication.checkKey(
        client(OAuthClient.AuthMethod.PRIVATE_KEY_JWT, "PS256"),
        Secret.of(pem(rsa.generateKeyPair())));
  }
}
