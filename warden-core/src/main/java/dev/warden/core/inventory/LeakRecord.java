package dev.warden.core.inventory;

import java.time.Instant;

/**
 * A credential reported leaked through {@code /v1/leaks}: a Warden-issued one (from its {@code
 * lease.revoked}/{@code leaked} audit event, with its lease) or a secret Warden did not issue (from
 * {@code secret.leaked}; {@code leaseId} null). Only the fingerprint, never the value.
 */
public record LeakRecord(
    String leaseId,
    String workload,
    String resource,
    String fingerprint,
    Instant reportedAt,
    String source,
    String path) {

  /** True when Warden issued the credential (and revoked its lease). */
  public boolean issued() {
    return leaseId != null;
  }

  /** The inventory id of the leak. */
  public String itemId() {
    return issued()
        ? "leak:" + leaseId
        : "leak:fp:" + fingerprint.substring(0, Math.min(24, fingerprint.length()));
  }
}
