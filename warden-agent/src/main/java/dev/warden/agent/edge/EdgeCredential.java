package dev.warden.agent.edge;

import dev.warden.core.crypto.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A credential the server issued to one workload for one target, held by the agent so the
 * application never sees it: where the target is, the user, the password (never logged: {@link
 * Secret}), and the lease it belongs to.
 *
 * @param leaseId the lease the server issued it under; null when it named none
 * @param database the database to log in to; null: the target's default
 * @param engine the server's name for the target's kind ({@code postgres}, {@code mariadb}, {@code
 *     redis}), or null when it did not say: a proxy refuses a credential for another engine rather
 *     than send its password in a protocol the target does not speak
 */
public record EdgeCredential(
    @Nullable String leaseId,
    String username,
    Secret password,
    String host,
    int port,
    @Nullable String database,
    Instant issuedAt,
    Instant expiresAt,
    @Nullable String engine) {
  public EdgeCredential {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(host, "host");
    if (!expiresAt.isAfter(issuedAt)) {
      throw new IllegalArgumentException("a credential must expire after it was issued");
    }
  }

  /** When to fetch the next one: at 80 % of its life, so a handshake never waits for the server. */
  public Instant refreshAt() {
    return issuedAt.plus(Duration.between(issuedAt, expiresAt).multipliedBy(4).dividedBy(5));
  }

  public boolean usableAt(Instant now) {
    return now.isBefore(expiresAt);
  }
}
