package dev.warden.core.grant;

import dev.warden.core.crypto.Secret;
import java.time.Instant;

/**
 * A credential that has been audited and may now be returned to the caller.
 *
 * @param accessToken the credential: the token, or a database user's password
 * @param jti the lease id: the token's {@code jti}, or the database user's name
 * @param connection how to use a credential served at {@code /v1/credentials} (a database's JDBC
 *     URL, host, port and user name; a secret's version); empty for tokens
 * @param kind what the credential is
 * @param dpopThumbprint the RFC 9449 {@code jkt} the token is bound to (its {@code token_type} is
 *     then {@code DPoP}), or null
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
    String dpopThumbprint) {
  public Granted {
    connection = java.util.Map.copyOf(connection);
    java.util.Objects.requireNonNull(kind, "kind");
  }

  public Granted(
      Secret accessToken,
      String jti,
      Instant expiresAt,
      long expiresInSeconds,
      String scope,
      String spiffeId,
      String resource,
      String policy,
      java.util.Map<String, String> connection,
      dev.warden.core.model.CredentialKind kind) {
    this(
        accessToken,
        jti,
        expiresAt,
        expiresInSeconds,
        scope,
        spiffeId,
        resource,
        policy,
        connection,
        kind,
        null);
  }

  public Granted(
      Secret accessToken,
      String jti,
      Instant expiresAt,
      long expiresInSeconds,
      String scope,
      String spiffeId,
      String resource,
      String policy) {
    this(
        accessToken,
        jti,
        expiresAt,
        expiresInSeconds,
        scope,
        spiffeId,
        resource,
        policy,
        java.util.Map.of(),
        dev.warden.core.model.CredentialKind.ACCESS_TOKEN);
  }
}
