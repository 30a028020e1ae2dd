package dev.warden.scan.internal.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.junit.jupiter.api.Test;

/**
 * The public half of a found private key, hashed the way the server hashes its keys and
 * certificates (SHA-256 of the DER SubjectPublicKeyInfo the JDK encodes).
 */
class PrivateKeysTest {

  static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  static String expected(KeyPair kp) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(kp.getPublic().getEncoded()));
  }

  static KeyPair generate(String alg, Object spec) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance(alg);
    if (spec instanceof ECGenParameterSpec ec) {
      g.initialize(ec);
    } else if (spec instanceof Integer bits) {
      g.initialize(bits);
    }
    return g.generateKeyPair();
  }

  @Test
  void pkcs8KeysOfEveryCommonAlgorithmGiveTheirPublicKeyHash() throws Exception {
    for (KeyPair kp :
        new KeyPair[] {
          generate("RSA", 2048),
          generate("EC", new ECGenParameterSpec("secp256r1")),
          generate("EC", new ECGenParameterSpec("secp384r1")),
          generate("Ed25519", null)
        }) {
      assertThat(PrivateKeys.publicKeySha256(pem("PRIVATE KEY", kp.getPrivate().getEncoded())))
          .as(kp.getPublic().getAlgorithm())
          .contains(expected(kp));
    }
  }

  @Test
  void traditionalRsaAndSec1EcKeysToo() throws Exception {
    KeyPair rsa = generate("RSA", 2048);
    byte[] pkcs1 =
        PrivateKeyInfo.getInstance(rsa.getPrivate().getEncoded())
            .parsePrivateKey()
            .toASN1Primitive()
            .getEncoded();
    assertThat(PrivateKeys.publicKeySha256(pem("RSA PRIVATE KEY", pkcs1))).contains(expected(rsa));

    KeyPair ec = generate("EC", new ECGenParameterSpec("secp256r1"));
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(ec.getPrivate().getEncoded());
    org.bouncycastle.asn1.sec.ECPrivateKey inner =
        org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
    // SEC1 as OpenSSL writes it: the curve OID in [0] (the JDK's PKCS#8 keeps it outside)
    byte[] sec1 =
        new org.bouncycastle.asn1.sec.ECPrivateKey(
                256, inner.getKey(), null, info.getPrivateKeyAlgorithm().getParameters())
            .getEncoded();
    assertThat(PrivateKeys.publicKeySha256(pem("EC PRIVATE KEY", sec1))).contains(expected(ec));
  }

  @Test
  void encryptedTruncatedAndPlaceholderKeysGiveNothing() throws Exception {
    assertThat(PrivateKeys.publicKeySha256(pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3})))
        .isEmpty();
    String good =
        pem(
            "PRIVATE KEY",
            generate("EC", new ECGenParameterSpec("secp256r1")).getPrivate().getEncoded());
    assertThat(PrivateKeys.publicKeySha256(good.substring(0, 60) + "\n-----END PRIVATE KEY-----"))
        .isEmpty();
    assertThat(
            PrivateKeys.publicKeySha256(
                "-----BEGIN PRIVATE KEY-----\n" + "A".repeat(80) + "\n-----END PRIVATE KEY-----"))
        .isEmpty();
    assertThat(
            PrivateKeys.publicKeySha256(
                "-----BEGIN RSA PRIVATE KEY-----\nxxxx...\n-----END RSA PRIVATE KEY-----"))
        .isEmpty();
    assertThat(PrivateKeys.publicKeySha256("")).isEmpty();
  }
}
