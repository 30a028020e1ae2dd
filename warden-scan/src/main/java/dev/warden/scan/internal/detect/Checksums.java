package dev.warden.scan.internal.detect;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Checksums embedded in token formats. GitHub's (and npm's) tokens end with six base62 characters
 * that encode the CRC32 of the random part: a candidate with a wrong checksum is not a token, which
 * removes nearly all false positives of those rules.
 */
public final class Checksums {
  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  private Checksums() {}

  /** Base62 of an unsigned 32-bit value, left-padded with '0' to six characters. */
  public static String base62Crc(long value) {
    char[] out = new char[6];
    long v = value & 0xffffffffL;
    for (int i = 5; i >= 0; i--) {
      out[i] = BASE62.charAt((int) (v % 62));
      v /= 62;
    }
    return new String(out);
  }

  /** CRC32 of the ASCII bytes of {@code s}. */
  public static long crc32(String s) {
    CRC32 crc = new CRC32();
    crc.update(s.getBytes(StandardCharsets.ISO_8859_1));
    return crc.getValue();
  }

  /**
   * Validates a token of the form {@code <prefix>_<random><checksum6>}: the last six characters
   * must be the base62 CRC32 of the characters between the prefix's underscore and them.
   */
  public static boolean prefixedCrc32(String token) {
    int us = token.indexOf('_');
    if (us < 0 || token.length() - us - 1 <= 6) {
      return false;
    }
    String random = token.substring(us + 1, token.length() - 6);
    String check = token.substring(token.length() - 6);
    return base62Crc(crc32(random)).equals(check);
  }
}
