package dev.warden.core.oauth;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.lease.LeaseService;
import dev.warden.core.lease.LeaseStore;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Lease;
import dev.warden.core.model.McpUris;
import dev.warden.core.token.AccessTokenMinter;
import dev.warden.core.token.Actor;
import dev.warden.core.token.KeyBinding;
import dev.warden.core.token.KeyManager;
import dev.warden.core.token.KeyMaterial;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The token request of the authorization code grant (RFC 6749 section 4.1.3 with RFC 7636 and RFC
 * 8707): redeems a code once, checks that the request repeats the authorization request (client,
 * redirect URI, resource) and proves PKCE, and issues an access token naming the user as {@code
 * sub} and the MCP client as the actor ({@code act.sub}) and {@code client_id}, for exactly the MCP
 * server's canonical URI. The token has a lease, like every access token, so introspection and
 * revocation work; its issuance event carries the lease and is durable before the token is
 * returned.
 *
 * <p>A code is redeemed before its other checks, so a failed attempt also uses it up (a stolen code
 * cannot be tried against many verifiers). A second redemption is refused and revokes the token
 * issued from the first (RFC 6749 section 4.1.2); because the token's id is fixed at authorization
 * time and the redeeming request looks again for a reuse once its lease is durable, the token is
 * revoked whichever request gets there first.
 */
public final class CodeGrant {
  private final AuthorizationCodeStore codes;
  private final LeaseStore leases;
  private final KeyManager keys;
  private final String issuer;
  private final String tokenType;
  private final AuditWriter audit;
  private final Fingerprinter fingerprinter;
  private final Clock clock;

  public CodeGrant(
      AuthorizationCodeStore codes,
      LeaseStore leases,
      KeyManager keys,
      String issuer,
      String tokenType,
      AuditWriter audit,
      Fingerprinter fingerprinter,
      Clock clock) {
    this.codes = codes;
    this.leases = leases;
    this.keys = keys;
    this.issuer = issuer;
    this.tokenType = tokenType;
    this.audit = audit;
    this.fingerprinter = fingerprinter;
    this.clock = clock;
  }

  /**
   * A parsed token request.
   *
   * @param resource the {@code resource} parameter, or null when the client left it out
   */
  public record Request(
      String code,
      String codeVerifier,
      String redirectUri,
      String clientId,
      @Nullable String resource,
      String sourceAddress) {}

  /** An issued token. */
  public record Issued(Secret accessToken, long expiresInSeconds, @Nullable String scope) {}

  /**
   * Redeems the code.
   *
   * @throws DeniedException {@code invalid_code}, {@code code_reused}, {@code
   *     redirect_uri_mismatch}, {@code pkce_mismatch} (all {@code invalid_grant}) or {@code
   *     invalid_target}; already audited
   * @throws dev.warden.core.error.UnavailableException when the audit log cannot be written; the
   *     token was not returned and its lease, if written, is revoked
   */
  public Issued exchange(Request req) {
    Instant now = clock.instant();
    AuthorizationCode c = null;
    try {
      if (req.code() == null || req.code().isEmpty() || req.code().length() > 512) {
        throw new DeniedException(Reason.INVALID_CODE, "code is missing or malformed");
      }
      byte[] hash = Authorizations.hash(req.code());
      Optional<AuthorizationCode> found = codes.get(hash);
      if (found.isEmpty() || !found.get().clientId().equals(req.clientId())) {
        throw new DeniedException(
            Reason.INVALID_CODE,
            "the authorization code is unknown, expired or was issued to"
                + " another client; start the authorization again");
      }
      c = found.get();
      if (!codes.redeem(hash, now)) {
        codes.markReused(hash, now);
        revokeIssued(c, now, "authorization code used twice");
        throw new DeniedException(
            Reason.CODE_REUSED,
            "the authorization code was already used; the token issued"
                + " from it is revoked; start the authorization again");
      }
      if (!now.isBefore(c.expiresAt())) {
        throw new DeniedException(
            Reason.INVALID_CODE,
            "the authorization code expired; codes live "
                + Authorizations.CODE_TTL.toSeconds()
                + " s; start the authorization again");
      }
      if (!c.redirectUri().equals(req.redirectUri())) {
        throw new DeniedException(
            Reason.REDIRECT_URI_MISMATCH,
            "redirect_uri must be the one of the authorization"
                + " request (RFC 6749 section 4.1.3)");
      }
      String resource = req.resource() == null ? null : McpUris.canonical(req.resource());
      if (resource == null || !resource.equals(c.audience())) {
        throw new DeniedException(
            Reason.INVALID_TARGET,
            "resource must be the MCP server the code was issued for,"
                + " "
                + c.audience()
                + " (RFC 8707)");
      }
      Pkce.verify(req.codeVerifier(), c.codeChallenge());
      return issue(c, hash, now, req);
    } catch (DeniedException e) {
      Map<String, String> d = details(req, c);
      d.put("message", e.getMessage());
      try {
        audit.write(
            AuditEvent.of(
                AuditType.TOKEN_DENIED,
                AuditOutcome.DENY,
                e.reason(),
                now,
                c == null ? "unauthenticated" : c.subject(),
                null,
                c == null ? null : c.resource(),
                d));
      } catch (RuntimeException auditFailure) {
        e.addSuppressed(auditFailure);
      }
      throw e;
    }
  }

  private Issued issue(AuthorizationCode c, byte[] hash, Instant now, Request req) {
    Instant iat = Instant.ofEpochSecond(now.getEpochSecond());
    Instant exp = iat.plus(c.tokenTtl());
    KeyMaterial key = keys.keyset().active();
    Secret token =
        AccessTokenMinter.mint(
            key,
            new AccessTokenMinter.Claims(
                issuer,
                c.subject(),
                c.audience(),
                c.clientId(),
                c.scope(),
                c.tokenId(),
                iat,
                exp,
                KeyBinding.BEARER,
                Actor.of(c.clientId()),
                null,
                null),
            tokenType);
    Lease lease =
        new Lease(
            c.tokenId(),
            CredentialKind.ACCESS_TOKEN,
            c.subject(),
            c.resource(),
            iat,
            exp,
            null,
            null,
            fingerprinter.fingerprint(token));
    Map<String, String> d = details(req, c);
    d.put("policy", c.policy());
    d.put("jti", c.tokenId());
    d.put("kid", key.kid());
    d.put("expiresAt", exp.toString());
    d.put("fingerprint", lease.fingerprint());
    d.put("credentialKind", CredentialKind.ACCESS_TOKEN.wire());
    d.put("actor", c.clientId());
    if (c.scope() != null) {
      d.put("scope", c.scope());
    }
    try {
      audit.write(
          AuditEvent.withId(
              c.tokenId(),
              AuditType.TOKEN_ISSUED,
              AuditOutcome.ALLOW,
              Reason.ALLOWED,
              now,
              c.subject(),
              null,
              c.resource(),
              d,
              lease));
    } catch (RuntimeException e) {
      revokeIssued(c, now, "issuance could not be audited");
      throw e;
    }
    // a reuse that came while the lease was being written could not revoke it: look again
    if (codes.get(hash).map(AuthorizationCode::reusedAt).isPresent()) {
      revokeIssued(c, clock.instant(), "authorization code used twice");
      throw new DeniedException(
          Reason.CODE_REUSED,
          "the authorization code was used twice; the token issued from it"
              + " is revoked; start the authorization again");
    }
    return new Issued(token, exp.getEpochSecond() - iat.getEpochSecond(), c.scope());
  }

  private void revokeIssued(AuthorizationCode c, Instant at, String why) {
    Optional<Lease> l = leases.get(c.tokenId());
    if (l.isPresent() && leases.revoke(c.tokenId(), at, why)) {
      try {
        audit.write(LeaseService.revokedEvent(l.get(), "warden:authorization-code-reuse", at));
      } catch (RuntimeException ignored) {
        // the revocation holds; the writer logs the failure
      }
    }
  }

  private static Map<String, String> details(Request req, @Nullable AuthorizationCode c) {
    Map<String, String> d = new HashMap<>();
    d.put("grantType", "authorization_code");
    d.put("sourceAddress", req.sourceAddress() == null ? "" : req.sourceAddress());
    if (req.clientId() != null) {
      d.put("clientId", Authorizations.cut(req.clientId()));
    }
    if (c != null) {
      d.put("subject", Authorizations.cut(c.subject()));
    }
    return d;
  }
}
