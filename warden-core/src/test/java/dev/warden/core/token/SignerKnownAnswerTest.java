package dev.warden.core.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import dev.warden.core.crypto.SecretBox;
import dev.warden.core.keys.KeyPurpose;
import dev.warden.core.keys.KeyState;
import dev.warden.core.keys.SigningKeyRecord;
import dev.warden.testkit.JwsVectors;
import dev.warden.testkit.JwsVectors.Deterministic;
import dev.warden.testkit.JwsVectors.Example;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Warden's own signing and verification path against published answers (JwsVectors): a key stored
 * as Warden stores it (PKCS#8 sealed in the key table, loaded into a {@link SigningKeyset}) signs
 * exactly what RFC 8037 and RFC 6979 print, publishes the RFCs' public keys and thumbprint, and the
 * verifiers Warden checks its own tokens with ({@link KeyVerifiers}) accept the RFCs' signatures
 * and refuse changed ones. The PKCS#8 bytes are built with the JDK, independently of the
 * BouncyCastle code under test.
 */
class SignerKnownAnswerTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final SecretBox BOX = SecretBox.generate();
  static final List<Deterministic> RFC6979 = JwsVectors.RFC6979_P256_SHA256;
  static final List<Example> RFC_EXAMPLES = List.of(JwsVectors.RFC7515_A3, JwsVectors.RFC8037_A4);

  private static byte[] ed25519Pkcs8(byte[] seed) throws Exception {
    return KeyFactory.getInstance("Ed25519")
        .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed))
        .getEncoded();
  }

  private static byte[] p256Pkcs8(BigInteger d) throws Exception {
    AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
    p.init(new ECGenParameterSpec("secp256r1"));
    return KeyFactory.getInstance("EC")
        .generatePrivate(new ECPrivateKeySpec(d, p.getParameterSpec(ECParameterSpec.class)))
        .getEncoded();
  }

  private static KeyMaterial rfcKey(Example e) throws Exception {
    byte[] d = Base64Url.decode(e.d());
    return e.alg().equals("EdDSA")
        ? KeyMaterial.fromPkcs8(SigningAlgorithm.EdDSA, ed25519Pkcs8(d))
        : KeyMaterial.fromPkcs8(SigningAlgorithm.ES256, p256Pkcs8(new BigInteger(1, d)));
  }

  /**
   * The key as the key table holds it (active, private half sealed), and the keyset loaded from it.
   */
  private record Stored(SigningKeyRecord record, SigningKeyset keyset) {
    static Stored of(KeyMaterial k) {
      KeyPurpose purpose = KeyPurpose.ACCESS_TOKEN;
      SigningKeyRecord r =
          new SigningKeyRecord(
              k.kid(),
              purpose,
              k.algorithm().name(),
              KeyState.ACTIVE,
              k.publicJwk(),
              BOX.encrypt(k.toPkcs8(), purpose.associatedData(k.kid())),
              T0,
              T0,
              null,
              null);
      return new Stored(r, SigningKeyset.load(purpose, List.of(r), BOX));
    }

    boolean verifies(String alg, byte[] signingInput, byte[] signature) throws Exception {
      return new KeyVerifiers()
          .of(keyset, record)
          .verifies(alg, signingInput, Base64Url.encode(signature));
    }
  }

  @Test
  void ed25519KeyStoredAndLoadedSignsExactlyTheRfc8037Signature() throws Exception {
    Example e = JwsVectors.RFC8037_A4;
    Stored stored = Stored.of(rfcKey(e));

    byte[] signature = stored.keyset().active().sign(e.signingInputBytes());

    assertThat(Base64Url.encode(signature)).isEqualTo(e.signature());
  }

  /** The RFC 7515 A.2 private key as PKCS#8, the CRT exponents computed from the primes. */
  private static byte[] rsaPkcs8(JwsVectors.RsaExample e) throws Exception {
    BigInteger n = new BigInteger(1, Base64Url.decode(e.n()));
    BigInteger pub = new BigInteger(1, Base64Url.decode(e.e()));
    BigInteger d = new BigInteger(1, Base64Url.decode(e.d()));
    BigInteger p = new BigInteger(1, Base64Url.decode(e.p()));
    BigInteger q = new BigInteger(1, Base64Url.decode(e.q()));
    assertThat(p.multiply(q)).as("p q = n").isEqualTo(n);
    return KeyFactory.getInstance("RSA")
        .generatePrivate(
            new java.security.spec.RSAPrivateCrtKeySpec(
                n,
                pub,
                d,
                p,
                q,
                d.mod(p.subtract(BigInteger.ONE)),
                d.mod(q.subtract(BigInteger.ONE)),
                q.modInverse(p)))
        .getEncoded();
  }

  @Test
  void rs256KeyStoredAndLoadedSignsExactlyTheRfc7515A2Signature() throws Exception {
    JwsVectors.RsaExample e = JwsVectors.RFC7515_A2;
    KeyMaterial k = KeyMaterial.fromPkcs8(SigningAlgorithm.RS256, rsaPkcs8(e));
    Stored stored = Stored.of(k);

    byte[] signature = stored.keyset().active().sign(e.signingInputBytes());

    assertThat(Base64Url.encode(signature)).isEqualTo(e.signature());
    assertThat(k.publicJwk()).contains("\"n\":\"" + e.n() + "\"", "\"e\":\"AQAB\"");
    assertThat(stored.verifies("RS256", e.signingInputBytes(), signature)).isTrue();
    byte[] changed = signature.clone();
    changed[100] ^= 1;
    assertThat(stored.verifies("RS256", e.signingInputBytes(), changed)).isFalse();
  }

  @Test
  void ed25519KeyPublishesTheRfc8037PublicKeyAndThumbprintAsItsKid() throws Exception {
    KeyMaterial k = rfcKey(JwsVectors.RFC8037_A4);

    assertThat(k.kid()).isEqualTo(JwsVectors.RFC8037_A3_THUMBPRINT);
    assertThat(k.publicJwk())
        .contains(
            "\"x\":\"" + JwsVectors.RFC8037_A4.x() + "\"",
            "\"kid\":\"" + JwsVectors.RFC8037_A3_THUMBPRINT + "\"");
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("RFC6979")
  void es256KeyStoredAndLoadedSignsExactlyTheRfc6979DeterministicSignature(Deterministic v)
      throws Exception {
    KeyMaterial k =
        KeyMaterial.fromPkcs8(
            SigningAlgorithm.ES256, p256Pkcs8(new BigInteger(JwsVectors.RFC6979_P256_X, 16)));
    Stored stored = Stored.of(k);

    byte[] signature =
        stored.keyset().active().sign(v.message().getBytes(StandardCharsets.US_ASCII));

    assertThat(HexFormat.of().withUpperCase().formatHex(signature)).isEqualTo(v.r() + v.s());
    assertThat(k.publicJwk())
        .contains(
            "\"x\":\""
                + Base64Url.encode(HexFormat.of().parseHex(JwsVectors.RFC6979_P256_UX))
                + "\"",
            "\"y\":\""
                + Base64Url.encode(HexFormat.of().parseHex(JwsVectors.RFC6979_P256_UY))
                + "\"");
    assertThat(stored.verifies("ES256", v.message().getBytes(StandardCharsets.US_ASCII), signature))
        .isTrue();
  }

  @Test
  void es256KeyOfRfc7515PublishesItsPublicKeyAndItsSignaturesVerifyAsTheRfcsDoes()
      throws Exception {
    Example e = JwsVectors.RFC7515_A3;
    KeyMaterial k = rfcKey(e);
    Stored stored = Stored.of(k);

    byte[] mine = stored.keyset().active().sign(e.signingInputBytes());

    assertThat(k.publicJwk()).contains("\"x\":\"" + e.x() + "\"", "\"y\":\"" + e.y() + "\"");
    assertThat(mine).hasSize(64);
    assertThat(stored.verifies("ES256", e.signingInputBytes(), mine)).isTrue();
    assertThat(stored.verifies("ES256", e.signingInputBytes(), Base64Url.decode(e.signature())))
        .isTrue();
    // and a verifier built from the RFC's own JWK, not Warden's, accepts Warden's signature
    assertThat(
            new com.nimbusds.jose.crypto.ECDSAVerifier(
                    com.nimbusds.jose.jwk.ECKey.parse(e.publicJwk()))
                .verify(
                    new JWSHeader(JWSAlgorithm.ES256),
                    e.signingInputBytes(),
                    Base64URL.encode(mine)))
        .isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("RFC_EXAMPLES")
  void ownTokenVerifierAcceptsThePublishedSignatureAndRefusesAnyChange(Example e) throws Exception {
    Stored stored = Stored.of(rfcKey(e));
    byte[] input = e.signingInputBytes();
    byte[] signature = Base64Url.decode(e.signature());

    assertThat(stored.verifies(e.alg(), input, signature)).as(e.source()).isTrue();

    byte[] changedInput = input.clone();
    changedInput[changedInput.length - 1] ^= 1;
    assertThat(stored.verifies(e.alg(), changedInput, signature)).as("changed payload").isFalse();
    for (int i : new int[] {0, 31, 32, 63}) {
      byte[] changed = signature.clone();
      changed[i] ^= 0x01;
      assertThat(stored.verifies(e.alg(), input, changed))
          .as("bit 0 of signature byte " + i + " changed")
          .isFalse();
    }
    assertThat(stored.verifies(e.alg(), input, Arrays.copyOf(signature, 63)))
        .as("truncated")
        .isFalse();
    assertThat(stored.verifies(e.alg(), input, Arrays.copyOf(signature, 65)))
        .as("extended")
        .isFalse();
  }
}
