package dev.warden.core.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jwt.SignedJWT;
import java.security.SecureRandom;
import java.time.Instant;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KeyMaterialTest {
  static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void mintedTokenVerifiesAgainstThePublishedJwkAndSurvivesPkcs8RoundTrip(SigningAlgorithm alg)
      throws Exception {
    KeyMaterial k =
        KeyMaterial.fromPkcs8(alg, KeyMaterial.generate(alg, new SecureRandom()).toPkcs8());
    String token =
        AccessTokenMinter.mint(
                k,
                AccessTokenMinter.Claims.bearer(
                    "https://warden.test",
                    "spiffe://t/a",
                    "https://api.test",
                    "c\"lient\n",
                    "read",
                    "jti-1",
                    T,
                    T.plusSeconds(300)),
                "at+jwt")
            .reveal();
    SignedJWT jwt = SignedJWT.parse(token);
    JWK jwk = JWK.parse(k.publicJwk());
    assertThat(jwk.getKeyID()).isEqualTo(k.kid()).isEqualTo(jwk.computeThumbprint().toString());
    assertThat(jwt.getHeader().getKeyID()).isEqualTo(k.kid());
    assertThat(jwt.getHeader().getType().getType()).isEqualTo("at+jwt");
    boolean valid;
    if (alg == SigningAlgorithm.ES256) {
      valid = jwt.verify(new ECDSAVerifier((ECKey) jwk));
    } else if (alg == SigningAlgorithm.RS256) {
      valid =
          jwt.verify(
              new com.nimbusds.jose.crypto.RSASSAVerifier((com.nimbusds.jose.jwk.RSAKey) jwk));
    } else {
      Ed25519Signer v = new Ed25519Signer();
      v.init(false, new Ed25519PublicKeyParameters(((OctetKeyPair) jwk).getDecodedX()));
      byte[] input = jwt.getSigningInput();
      v.update(input, 0, input.length);
      valid = v.verifySignature(jwt.getSignature().decode());
    }
    assertThat(valid).isTrue();
    assertThat(jwt.getJWTClaimsSet().getStringClaim("client_id")).isEqualTo("c\"lient\n");
    assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly("https://api.test");
    assertThat(JWSObject.parse(token).getPayload().toJSONObject())
        .containsKeys("iss", "sub", "aud", "exp", "iat", "jti");
  }

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void privateKeyNeverAppearsInToString(SigningAlgorithm alg) {
    KeyMaterial k = KeyMaterial.generate(alg, new SecureRandom());
    assertThat(k.toString())
        .contains("redacted")
        .doesNotContain(new String(k.toPkcs8(), java.nio.charset.StandardCharsets.ISO_8859_1));
    assertThat(k.publicJwk()).doesNotContain("\"d\"");
  }

  @org.junit.jupiter.api.Test
  void rs256KeyIsPublishedAsA2048BitRsaJwkWithAlgUseKidNAndE() throws Exception {
    KeyMaterial k = KeyMaterial.generate(SigningAlgorithm.RS256, new SecureRandom());
    com.nimbusds.jose.jwk.RSAKey jwk = (com.nimbusds.jose.jwk.RSAKey) JWK.parse(k.publicJwk());
    assertThat(jwk.size()).isEqualTo(2048);
    assertThat(jwk.getAlgorithm().getName()).isEqualTo("RS256");
    assertThat(jwk.getKeyUse().identifier()).isEqualTo("sig");
    assertThat(jwk.getPublicExponent().decodeToBigInteger())
        .isEqualTo(java.math.BigInteger.valueOf(65537));
    // n is unsigned: no leading zero octet (RFC 7518 section 6.3.1.1)
    assertThat(jwk.getModulus().decode()).hasSize(256);
    assertThat(JWK.parse(k.publicJwk()).toJSONObject())
        .containsKeys("kty", "n", "e", "kid", "alg", "use");
  }
}
