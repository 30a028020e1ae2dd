package dev.warden.scan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A secret value found by the scanner. {@link #toString()} is redacted so a finding can be logged
 * safely; the value itself is only available through {@link #reveal()}, which is easy to grep for.
 */
public final class FoundSecret {
  private final String value;

  private FoundSecret(String value) {
    this.value = value;
  }

  /**
   * Wraps a value.
   *
   * @throws IllegalArgumentException if the value is empty
   */
  public static FoundSecret of(String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("a secret value must not be empty");
    }
    return new FoundSecret(value);
  }

  /** The secret itself. Every call site is a place where a secret may leave the process. */
  public String reveal() {
    return value;
  }

  /** Length of the value in characters. */
  public int length() {
    return value.length();
  }

  /**
   * A display form that keeps a short, non-secret prefix (typically the provider's prefix such as
   * {@code ghp_}) and masks the rest, so a human can recognise the kind of credential.
   */
  public String redacted() {
    int keep = value.length() >= 16 ? Math.min(4, value.length() / 4) : 0;
    int stars = Math.min(12, Math.max(4, value.length() - keep));
    return value.substring(0, keep) + "*".repeat(stars);
  }

  @Override
  public String toString() {
    return redacted();
  }

  /** Constant-time comparison, so equality checks cannot be used as a timing oracle. */
  @Override
  public boolean equals(Object o) {
    return o instanceof FoundSecret other
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8), other.value.getBytes(StandardCharsets.UTF_8));
  }

  /** Deliberately uninformative: a hash of the value would leak information about it. */
  @Override
  public int hashCode() {
    return 0;
  }
}
