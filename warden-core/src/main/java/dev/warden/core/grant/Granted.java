package dev.warden.core.grant;

import dev.warden.core.crypto.Secret;
import java.time.Instant;

/**
 * A credential that has been audited and may now be returned to the caller.
 *
 * @param accessToken the credential: the token, or a database user's password
 * @param jti the lease id: the token's {@code jti}, or the database user's name
 * @param connection how to use a credential that lives at a target (JDBC URL, host, port,
 *     database); empty for tokens
 */
public record Granted(Secret accessToken, String jti, Instant expiresAt, long expiresInSeconds, String scope,
    String spiffeId, String resource, String policy, java.util.Map<String, String> connection) {
  public Granted {
    connection = java.util.Map.copyOf(connection);
  }

  public Granted(Secret accessToken, String jti, Instant expiresAt, long expiresInSeconds, String scope,
      String spiffeId, String resource, String policy) {
    this(accessToken, jti, expiresAt, expiresInSeconds, scope, spiffeId, resource, policy, java.util.Map.of());
  }
}
