package dev.warden.core.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A secret value (token, key, password). {@code toString} is redacted, {@code equals} is constant
 * time, and the only way to the value is {@link #reveal()}, so every place a secret leaves the type
 * can be found with grep.
 */
public final class Secret {
  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  public static Secret of(String value) {
    if (value == null) {
      throw new IllegalArgumentException("secret value must not be null");
    }
    return new Secret(value);
  }

  /** The secret itself. Never log or audit what this returns. */
  public String reveal() {
    return value;
  }

  public int length() {
    return value.length();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8), s.value.getBytes(StandardCharsets.UTF_8));
  }

  /** Constant, so hashing cannot leak anything about the value; secrets are not map keys. */
  @Override
  public int hashCode() {
    return 0;
  }

  @Override
  public String toString() {
    return "Secret[redacted]";
  }
}
