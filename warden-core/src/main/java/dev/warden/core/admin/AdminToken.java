package dev.warden.core.admin;

import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An admin API credential as stored: only the SHA-256 of its secret part, never the secret.
 *
 * @param scopes what the token may do, e.g. {@code admin}, {@code policy:write}, {@code audit:read}
 */
public record AdminToken(
    String id,
    String name,
    byte[] secretHash,
    Set<String> scopes,
    Instant createdAt,
    @Nullable Instant expiresAt,
    @Nullable Instant revokedAt,
    String createdBy) {

  public AdminToken {
    scopes = Set.copyOf(scopes);
  }

  public boolean isUsable(Instant now) {
    return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
  }
}
