package dev.warden.core.model;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The record of one issued credential. Holds its HMAC fingerprint, never the credential.
 *
 * <p>A model value rather than part of {@code core.lease}: an audit event carries (and hashes) the
 * lease it records, and the lease services write audit events, so beside its store it would close
 * the package cycle audit ↔ lease.
 *
 * @param id the credential's identifier ({@code jti} for tokens, serial for certificates)
 * @param kind what was issued
 * @param fingerprint lowercase hex HMAC-SHA256 of the credential under the installation key
 */
public record Lease(
    String id,
    CredentialKind kind,
    @Nullable String workload,
    @Nullable String resource,
    Instant issuedAt,
    Instant expiresAt,
    @Nullable Instant revokedAt,
    @Nullable String revokeReason,
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
