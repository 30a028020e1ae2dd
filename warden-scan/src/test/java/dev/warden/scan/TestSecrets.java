package dev.warden.scan;

import dev.warden.scan.internal.detect.Checksums;
import java.security.SecureRandom;

/** Generated test secrets in real formats (never real credentials). */
public final class TestSecrets {
  private static final String ALNUM =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  private TestSecrets() {}

  /** A GitHub classic PAT with a valid CRC32 checksum. */
  public static String githubPat() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      sb.append(ALNUM.charAt(RANDOM.nextInt(ALNUM.length())));
    }
    return "ghp_" + sb + Checksums.base62Crc(Checksums.crc32(sb.toString()));
  }

  /** A Slack bot token. */
  public static String slackBot() {
    StringBuilder sb = new StringBuilder("xoxb-");
    for (int i = 0; i < 12; i++) {
      sb.append((char) ('1' + RANDOM.nextInt(9)));
    }
    sb.append('-');
    for (int i = 0; i < 13; i++) {
      sb.append((char) ('1' + RANDOM.nextInt(9)));
    }
    sb.append('-');
    for (int i = 0; i < 24; i++) {
      sb.append(ALNUM.charAt(RANDOM.nextInt(ALNUM.length())));
    }
    return sb.toString();
  }

  public static FingerprintKey key() {
    return FingerprintKey.generate(RANDOM);
  }
}
