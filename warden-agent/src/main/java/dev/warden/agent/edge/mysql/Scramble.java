package dev.warden.agent.edge.mysql;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import javax.crypto.Cipher;

/** The password proofs of MySQL's two common authentication methods. */
final class Scramble {
  private Scramble() {}

  /** mysql_native_password: SHA1(pw) XOR SHA1(nonce + SHA1(SHA1(pw))). */
  static byte[] nativePassword(byte[] password, byte[] nonce) {
    byte[] h1 = digest("SHA-1", password);
    byte[] h2 = digest("SHA-1", h1);
    return xor(h1, digest("SHA-1", concat(nonce, h2)));
  }

  /** caching_sha2_password's fast path: SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + nonce). */
  static byte[] cachingSha2(byte[] password, byte[] nonce) {
    byte[] h1 = digest("SHA-256", password);
    byte[] h2 = digest("SHA-256", h1);
    return xor(h1, digest("SHA-256", concat(h2, nonce)));
  }

  /**
   * caching_sha2_password's full authentication without TLS: the password with its NUL, XORed with
   * the nonce (repeated), encrypted to the server's RSA key with OAEP (what servers since 8.0.5
   * decrypt).
   */
  static byte[] rsaPassword(byte[] password, byte[] nonce, String pemPublicKey) {
    byte[] pw = concat(password, new byte[] {0});
    for (int i = 0; i < pw.length; i++) {
      pw[i] ^= nonce[i % nonce.length];
    }
    try {
      Cipher c = Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding");
      c.init(Cipher.ENCRYPT_MODE, publicKey(pemPublicKey));
      return c.doFinal(pw);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new MysqlException(
          MysqlException.AUTH_MODE,
          "08004",
          "cannot encrypt the password to the target's RSA " + "key: " + e.getMessage());
    }
  }

  static PublicKey publicKey(String pem) throws GeneralSecurityException {
    String b64 =
        pem.replace("-----BEGIN PUBLIC KEY-----", "")
            .replace("-----END PUBLIC KEY-----", "")
            .replaceAll("\\s", "");
    return KeyFactory.getInstance("RSA")
        .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(b64)));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] digest(String alg, byte[] in) {
    try {
      return MessageDigest.getInstance(alg).digest(in);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(alg + " is part of every JDK", e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] xor(byte[] a, byte[] b) {
    byte[] out = new byte[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (byte) (a[i] ^ b[i]);
    }
    return out;
  }
}
