package dev.warden.server.database;

import dev.warden.core.crypto.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The SHA-256 of a password, where a target or a cache needs it without the password itself. */
final class PasswordDigest {
  private PasswordDigest() {}

  /**
   * The SHA-256 of the password's UTF-8 bytes in lower-case hex: the form Redis's {@code ACL
   * SETUSER ... #hash} takes, and the key admin connections are kept under.
   */
  static String sha256Hex(Secret password) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(password.reveal().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
