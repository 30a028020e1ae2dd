package dev.warden.core.oauth;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One issued authorization code, as stored: never the code itself, only its SHA-256, with
 * everything the token request must repeat (client, redirect URI, resource) or prove (the PKCE
 * challenge), and what the access token will say. The token's {@code jti} is fixed when the code is
 * issued, so a reused code can revoke the token issued from it (RFC 6749 section 4.1.2) even while
 * that token is being issued.
 *
 * @param codeHash SHA-256 of the code
 * @param subject the user, as the token's {@code sub} names them ({@link UserPrincipal#subject})
 * @param resource the resource's name; {@code audience} its canonical URI, the token's {@code aud}
 * @param scope space-separated granted scopes, or null
 * @param policy the policy that allowed it
 * @param tokenTtl how long the access token lives
 * @param tokenId the access token's {@code jti} (and lease id)
 * @param usedAt when the code was redeemed, or null
 * @param reusedAt when a second redemption was attempted, or null
 */
public record AuthorizationCode(
    byte[] codeHash,
    String clientId,
    String redirectUri,
    String resource,
    String audience,
    @Nullable String scope,
    String codeChallenge,
    String subject,
    String policy,
    Instant issuedAt,
    Instant expiresAt,
    Duration tokenTtl,
    String tokenId,
    @Nullable Instant usedAt,
    @Nullable Instant reusedAt) {
  public AuthorizationCode {
    Objects.requireNonNull(codeHash, "codeHash");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(redirectUri, "redirectUri");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(audience, "audience");
    Objects.requireNonNull(codeChallenge, "codeChallenge");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(tokenTtl, "tokenTtl");
    Objects.requireNonNull(tokenId, "tokenId");
    codeHash = codeHash.clone();
  }

  @Override
  public byte[] codeHash() {
    return codeHash.clone();
  }
}
