package dev.warden.core.grant;

import dev.warden.core.crypto.Secret;
import dev.warden.core.token.KeyBinding;
import java.time.Instant;

/**
 * A credential that has been audited and may now be returned to the caller.
 *
 * @param accessToken the credential: the token, or a database user's password
 * @param jti the lease id: the token's {@code jti}, or the database user's name
 * @param connection how to use a credential served at {@code /v1/credentials} (a database's JDBC
 *     URL, host, port and user name; a secret's version); empty for tokens
 * @param kind what the credential is
 * @param binding the key the access token is bound to (a DPoP-bound token's {@code token_type} is
 *     {@code DPoP}); {@link KeyBinding#BEARER} for an unbound token and for every other credential
 */
public record Granted(
    Secret accessToken,
    String jti,
    Instant expiresAt,
    long expiresInSeconds,
    String scope,
    String spiffeId,
    String resource,
    String policy,
    java.util.Map<String, String> connection,
    dev.warden.core.model.CredentialKind kind,
    KeyBinding binding) {
  public Granted {
    connection = java.util.Map.copyOf(connection);
    java.util.Objects.requireNonNull(kind, "kind");
    java.util.Objects.requireNonNull(binding, "binding");
  }
}
