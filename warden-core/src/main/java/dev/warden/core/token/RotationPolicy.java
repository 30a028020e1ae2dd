package dev.warden.core.token;

import dev.warden.core.error.ValidationException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * When signing keys rotate.
 *
 * @param rotateEvery how long a key signs before the next takes over; null for manual rotation
 * @param publishLead how long a new key is published before it signs, so relying parties that cache
 *     the JWKS already know it when the first token arrives
 * @param retainAfterRetire how long a retired key stays published: at least the longest token
 *     lifetime plus clock skew, so every token it signed can still be verified
 */
public record RotationPolicy(
    @Nullable Duration rotateEvery, Duration publishLead, Duration retainAfterRetire) {
  public RotationPolicy {
    if (publishLead == null || publishLead.isNegative()) {
      throw new ValidationException("keys.publishLead", "must be zero or positive");
    }
    if (retainAfterRetire == null || retainAfterRetire.compareTo(Duration.ofHours(24)) < 0) {
      throw new ValidationException(
          "keys.retainAfterRetire",
          "must be at least 24h (the longest token lifetime a policy may grant)");
    }
    if (rotateEvery != null && rotateEvery.compareTo(publishLead.multipliedBy(2)) < 0) {
      throw new ValidationException("keys.rotateEvery", "must be at least twice keys.publishLead");
    }
  }

  public static RotationPolicy defaults() {
    return new RotationPolicy(Duration.ofDays(30), Duration.ofMinutes(10), Duration.ofHours(25));
  }
}
