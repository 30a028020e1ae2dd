package dev.warden.core.config;

import dev.warden.core.error.ValidationException;
import java.time.Duration;

/**
 * The provisioning guardrail: what a workload must carry to be created. An identity without an
 * expiry is how NHIs outlive the reason they were made (OWASP NHI1, NHI7).
 *
 * @param requireExpiry a workload cannot be created, or have its expiry removed, without {@code
 *     expiresAt}
 * @param maxLifetime the furthest {@code expiresAt} may lie in the future when it is set or changed
 */
public record ProvisioningRules(boolean requireExpiry, Duration maxLifetime) {
  public static final ProvisioningRules DEFAULTS =
      new ProvisioningRules(false, Duration.ofDays(365));

  public ProvisioningRules {
    if (maxLifetime == null || maxLifetime.isNegative() || maxLifetime.isZero()) {
      throw new ValidationException(
          "workloads.maxLifetime", "must be a positive duration such as 365d");
    }
  }
}
