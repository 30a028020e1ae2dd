package dev.warden.scan;

import java.util.Objects;

/**
 * What {@code warden scan --verify} found about one secret.
 *
 * @param status live, dead or unknown
 * @param detail how it was decided, e.g. {@code lease 7f3a… active} or {@code login to resource
 *     ledger refused}; never the secret
 */
public record Verification(Verified status, String detail) {
  public Verification {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(detail, "detail");
  }
}
