package dev.warden.core.token;

import dev.warden.core.model.Lease;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A token Warden signed, verified by {@link WardenTokens}: only that class creates one, so holding
 * one means the signature, issuer, expiry and lease were checked.
 *
 * @param claims all claims, immutable
 * @param lease the token's lease, live when verified
 */
public final class VerifiedWardenToken {
  private final Map<String, Object> claims;
  private final String subject;
  private final List<String> audiences;
  private final String jti;
  private final Instant expiresAt;
  private final Lease lease;

  VerifiedWardenToken(
      Map<String, Object> claims,
      String subject,
      List<String> audiences,
      String jti,
      Instant expiresAt,
      Lease lease) {
    this.claims = Map.copyOf(claims);
    this.subject = subject;
    this.audiences = List.copyOf(audiences);
    this.jti = jti;
    this.expiresAt = expiresAt;
    this.lease = lease;
  }

  public Map<String, Object> claims() {
    return claims;
  }

  /** {@code sub}: a workload's SPIFFE ID, or a user named by the upstream identity provider. */
  public String subject() {
    return subject;
  }

  public List<String> audiences() {
    return audiences;
  }

  /** {@code jti}: also the id of the token's lease and of the audit event that issued it. */
  public String jti() {
    return jti;
  }

  public Instant expiresAt() {
    return expiresAt;
  }

  public Lease lease() {
    return lease;
  }

  /** The space-separated {@code scope}, split; empty when the token has none. */
  public List<String> scopes() {
    return claims.get("scope") instanceof String s && !s.isBlank()
        ? List.copyOf(Arrays.asList(s.trim().split(" +")))
        : List.of();
  }

  /** The {@code act} chain the token carries, or null; Warden wrote it, so it is trusted. */
  public @Nullable Actor actor() {
    return Actor.fromClaim(claims.get("act"));
  }

  /** {@code may_act.sub}, or null when the token does not restrict who may act for its subject. */
  public @Nullable String mayAct() {
    return claims.get("may_act") instanceof Map<?, ?> m && m.get("sub") instanceof String s
        ? s
        : null;
  }

  /** The RFC 8705 {@code cnf.x5t#S256} the token is bound to, or null for a bearer token. */
  public @Nullable String certificateThumbprint() {
    return claims.get("cnf") instanceof Map<?, ?> m && m.get("x5t#S256") instanceof String s
        ? s
        : null;
  }

  /** The RFC 9449 {@code cnf.jkt} (DPoP key thumbprint) the token is bound to, or null. */
  public @Nullable String dpopThumbprint() {
    return claims.get("cnf") instanceof Map<?, ?> m && m.get("jkt") instanceof String s ? s : null;
  }

  /** The {@code client_id} claim, or null. */
  public @Nullable String clientId() {
    return claims.get("client_id") instanceof String s ? s : null;
  }

  /** The {@code txn} claim, or null. */
  public @Nullable String txn() {
    return claims.get("txn") instanceof String s ? s : null;
  }
}
