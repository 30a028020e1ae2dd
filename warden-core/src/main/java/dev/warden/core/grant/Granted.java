package dev.warden.core.grant;

import dev.warden.core.crypto.Secret;
import java.time.Instant;

/** A credential that has been audited and may now be returned to the caller. */
public record Granted(Secret accessToken, String jti, Instant expiresAt, long expiresInSeconds, String scope,
    String spiffeId, String resource, String policy) {}
