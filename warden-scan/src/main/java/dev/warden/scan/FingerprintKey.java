package dev.warden.scan;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The per-installation key under which secrets are fingerprinted: fingerprint = lowercase hex of
 * HMAC-SHA256(key, UTF-8 bytes of the exact secret). The same secret always gets the same
 * fingerprint under one key, so a fingerprint can be stored, compared with the server's lease
 * fingerprints and put in a baseline, while the secret never is.
 */
public final class FingerprintKey {
  /** Key length in bytes. */
  public static final int LENGTH = 32;

  private static final HexFormat HEX = HexFormat.of();
  private final byte[] key;
  private final String keyId;

  private FingerprintKey(byte[] key, String keyId) {
    this.key = key;
    this.keyId = keyId;
  }

  /**
   * A key from raw bytes, with a key id derived from the key itself.
   *
   * @throws IllegalArgumentException if the key is not {@value #LENGTH} bytes
   */
  public static FingerprintKey of(byte[] key) {
    return of(key, null);
  }

  /**
   * A key from raw bytes and the id the server gave it ({@code null} to derive one).
   *
   * @throws IllegalArgumentException if the key is not {@value #LENGTH} bytes
   */
  public static FingerprintKey of(byte[] key, @Nullable String keyId) {
    if (key == null || key.length != LENGTH) {
      throw new IllegalArgumentException(
          "a fingerprint key is " + LENGTH + " bytes, got " + (key == null ? 0 : key.length));
    }
    byte[] copy = key.clone();
    String id =
        keyId != null
            ? keyId
            : "local-"
                + HEX.formatHex(
                    hmac(copy, "warden-scan key id".getBytes(StandardCharsets.UTF_8)), 0, 6);
    return new FingerprintKey(copy, id);
  }

  /**
   * Parses a base64url (padding optional; standard base64 also accepted) key.
   *
   * @throws IllegalArgumentException if the text is not base64 or not {@value #LENGTH} bytes
   */
  public static FingerprintKey fromBase64(String text, @Nullable String keyId) {
    String t = text.strip().replace('+', '-').replace('/', '_');
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(t);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("fingerprint key is not base64url text");
    }
    try {
      return of(raw, keyId);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /** A fresh random key. */
  public static FingerprintKey generate(SecureRandom random) {
    byte[] raw = new byte[LENGTH];
    random.nextBytes(raw);
    return of(raw);
  }

  /** Identifies the key without revealing it: the server's key id, or {@code local-} + 12 hex. */
  public String keyId() {
    return keyId;
  }

  /** The key as unpadded base64url, for writing the key file. */
  public String toBase64Url() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(key);
  }

  /** Fingerprint of a secret given as text (hashed as UTF-8). */
  public String fingerprint(String secret) {
    return fingerprint(secret.getBytes(StandardCharsets.UTF_8));
  }

  /** Fingerprint of a secret given as its exact bytes. */
  public String fingerprint(byte[] secret) {
    return HEX.formatHex(hmac(key, secret));
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      // HmacSHA256 is mandatory in every Java SE implementation.
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  @Override
  public String toString() {
    return "FingerprintKey[" + keyId + "]";
  }
}
