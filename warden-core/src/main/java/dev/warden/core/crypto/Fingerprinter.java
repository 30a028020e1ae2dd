package dev.warden.core.crypto;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 fingerprints of credentials under the installation's fingerprint key: the same
 * credential always gets the same fingerprint (so a leak report can be matched to its lease) and
 * the fingerprint reveals nothing without the key. The scanner computes the same function.
 */
public final class Fingerprinter {
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs;

  public Fingerprinter(byte[] key) {
    if (key == null || key.length < 32) {
      throw new IllegalArgumentException("fingerprint key must be at least 32 bytes");
    }
    this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  /** Lowercase hex HMAC-SHA256 of the UTF-8 bytes of the secret. */
  public String fingerprint(Secret secret) {
    return fingerprint(secret.reveal());
  }

  /** Lowercase hex HMAC-SHA256 of the UTF-8 bytes of a credential value. */
  public String fingerprint(String credential) {
    byte[] mac = macs.get().doFinal(credential.getBytes(StandardCharsets.UTF_8));
    char[] out = new char[mac.length * 2];
    for (int i = 0; i < mac.length; i++) {
      out[2 * i] = HEX[(mac[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[mac[i] & 0xf];
    }
    return new String(out);
  }

  private Mac newMac() {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(key);
      return m;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is required by the Java platform", e);
    }
  }
}
