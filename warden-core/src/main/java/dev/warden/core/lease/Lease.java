package dev.warden.core.lease;

import java.time.Instant;
import java.util.Objects;

/**
 * The record of one issued credential. Holds its HMAC fingerprint, never the credential.
 *
 * @param id the credential's identifier ({@code jti} for tokens, serial for certificates)
 * @param kind what was issued
 * @param fingerprint lowercase hex HMAC-SHA256 of the credential under the installation key
 */
public record Lease(
    String id,
    dev.warden.core.model.CredentialKind kind,
    String workload,
    String resource,
    Instant issuedAt,
    Instant expiresAt,
    Instant revokedAt,
    String revokeReason,
    String fingerprint) {

  public Lease {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(fingerprint, "fingerprint");
  }

  public boolean isActive(Instant now) {
    return revokedAt == null && now.isBefore(expiresAt);
  }
}
