package dev.warden.core.grant;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.TargetException;
import dev.warden.core.error.UnavailableException;
import dev.warden.core.lease.LeaseService;
import dev.warden.core.lease.LeaseStore;
import dev.warden.core.lease.TargetLease;
import dev.warden.core.lease.TargetLeaseStore;
import dev.warden.core.model.Lease;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import dev.warden.core.policy.Decision;
import dev.warden.core.policy.PolicySnapshot;
import dev.warden.core.policy.RequestContext;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A workload renewing or revoking its own leases, authenticated exactly as it was when it got them
 * (its platform token or X.509-SVID). A workload never learns whether a lease that is not its own
 * exists: both are {@link Reason#UNKNOWN_LEASE}.
 *
 * <p>Renewal is a new decision, not a formality: the workload is attested again and the policy must
 * still grant it this resource and kind; the new end is the earliest of now plus the policy's
 * {@code maxTtl}, the issuance plus the target's longest lifetime, and the workload's own expiry.
 * Only credentials that live at a target (database users) renew — a signed token's expiry is in its
 * signature, so a workload asks for a new one. Every request is audited once.
 */
public final class OwnLeases {
  /**
   * What a request did at {@code at}: the lease's end now, and whether this request changed
   * anything.
   */
  public record Result(String leaseId, Instant expiresAt, boolean changed, Instant at) {}

  private final TokenService tokens;
  private final LeaseStore leases;
  private final TargetLeaseStore targetLeases;

  public OwnLeases(TokenService tokens, LeaseStore leases, TargetLeaseStore targetLeases) {
    this.tokens = tokens;
    this.leases = leases;
    this.targetLeases = targetLeases;
  }

  /**
   * Renews a lease of the caller's.
   *
   * @throws DeniedException audited: evidence, identity or policy refuse, or the lease is not the
   *     caller's
   * @throws UnavailableException audited: the target cannot move the credential's end now
   */
  public Result renew(Evidence evidence, String clientId, String sourceAddress, String leaseId) {
    GrantContext ctx = context(evidence, clientId, sourceAddress);
    try {
      Workload w = tokens.identify(ctx);
      Lease l = own(w, leaseId, ctx.now());
      TargetLease tl = targetLeases.get(leaseId).orElse(null);
      TargetCredentialProvider provider = tokens.targetProvider(l.kind());
      if (tl == null || provider == null) {
        throw new DeniedException(
            Reason.CREDENTIAL_KIND_UNSUPPORTED,
            "a "
                + l.kind().wire()
                + " is not renewed: its"
                + " expiry is part of it; request a new one");
      }
      PolicySnapshot snap = tokens.policies();
      Resource r = snap.resource(l.resource());
      if (r == null) {
        throw new DeniedException(
            Reason.UNKNOWN_RESOURCE, "resource '" + l.resource() + "' no longer exists");
      }
      ctx.resource(r);
      Decision d =
          snap.decide(
              w,
              r,
              new RequestContext(ctx.now(), sourceAddress, ctx.claims(), List.of(), List.of()));
      ctx.decision(d);
      if (!d.allowed()) {
        throw new DeniedException(d.reason(), d.message());
      }
      if (d.credentialKind() != l.kind()) {
        throw new DeniedException(
            Reason.CREDENTIAL_KIND_UNSUPPORTED,
            "the policy now grants a "
                + d.credentialKind().wire()
                + " for this resource, not a "
                + l.kind().wire());
      }
      Instant end =
          earliest(
              ctx.now().plus(d.maxTtl()),
              l.issuedAt().plus(provider.maxLifetime(tl.target())),
              w.expiresAt());
      end = Instant.ofEpochSecond(end.getEpochSecond());
      boolean changed = false;
      if (end.isAfter(l.expiresAt())) {
        try {
          provider.extend(tl.target(), leaseId, end);
        } catch (TargetException e) {
          audit(
              ctx,
              w,
              l,
              AuditOutcome.FAILURE,
              Reason.TARGET_UNAVAILABLE,
              l.expiresAt(),
              e.getMessage());
          throw new UnavailableException(
              Reason.TARGET_UNAVAILABLE,
              "the target of lease "
                  + leaseId
                  + " cannot extend it now; it still ends at "
                  + l.expiresAt()
                  + "; retry later",
              e);
        }
        changed = leases.extend(leaseId, end, ctx.now());
      }
      Instant now = changed ? end : l.expiresAt();
      audit(
          ctx,
          w,
          l,
          AuditOutcome.ALLOW,
          Reason.ALLOWED,
          now,
          changed
              ? "renewed"
              : "already at its longest: issued "
                  + l.issuedAt()
                  + ", the target allows "
                  + provider.maxLifetime(tl.target()));
      return new Result(leaseId, now, changed, ctx.now());
    } catch (DeniedException e) {
      deny(ctx, e);
      throw e;
    }
  }

  /**
   * Revokes a lease of the caller's: ended at once for tokens, removed at the target within seconds
   * for database users (the reaper).
   *
   * @throws DeniedException audited: evidence or identity refuse, or the lease is not the caller's
   */
  public Result revoke(Evidence evidence, String clientId, String sourceAddress, String leaseId) {
    GrantContext ctx = context(evidence, clientId, sourceAddress);
    try {
      Workload w = tokens.identify(ctx);
      Lease l = own(w, leaseId, ctx.now());
      boolean revoked = leases.revoke(leaseId, ctx.now(), "revoked by its workload " + w.name());
      if (revoked) {
        tokens.audit().write(LeaseService.revokedEvent(l, w.name(), ctx.now()));
      }
      return new Result(leaseId, l.expiresAt(), revoked, ctx.now());
    } catch (DeniedException e) {
      deny(ctx, e);
      throw e;
    }
  }

  private GrantContext context(Evidence evidence, String clientId, String sourceAddress) {
    return new GrantContext(
        new GrantRequest(
            GrantType.CLIENT_CREDENTIALS,
            evidence,
            null,
            null,
            clientId,
            sourceAddress,
            dev.warden.core.model.CredentialKind.Endpoint.CREDENTIALS,
            null,
            null,
            GrantRequest.Hop.NONE,
            null),
        tokens.clock().instant());
  }

  /** The caller's live lease, or the same refusal whether it is someone else's or no one's. */
  private Lease own(Workload w, String leaseId, Instant now) {
    Lease l =
        leaseId == null || leaseId.isEmpty() || leaseId.length() > 512
            ? null
            : leases.get(leaseId).orElse(null);
    if (l == null || !w.name().equals(l.workload()) || !l.isActive(now)) {
      throw new DeniedException(
          Reason.UNKNOWN_LEASE,
          "workload "
              + w.name()
              + " holds no live lease '"
              + (leaseId == null
                  ? ""
                  : leaseId.length() > 128 ? leaseId.substring(0, 128) : leaseId)
              + "'");
    }
    return l;
  }

  private void audit(
      GrantContext ctx,
      Workload w,
      Lease l,
      AuditOutcome outcome,
      Reason reason,
      Instant expiresAt,
      String message) {
    Map<String, String> d = new HashMap<>();
    d.put("leaseId", l.id());
    d.put("credentialKind", l.kind().wire());
    d.put("expiresAt", expiresAt.toString());
    d.put("message", message.length() > 256 ? message.substring(0, 256) : message);
    tokens
        .audit()
        .write(
            AuditEvent.of(
                AuditType.LEASE_RENEWED,
                outcome,
                reason,
                ctx.now(),
                w.name(),
                w.name(),
                l.resource(),
                d));
  }

  private void deny(GrantContext ctx, DeniedException e) {
    try {
      tokens.audit().write(ctx.denied(e));
    } catch (RuntimeException auditFailure) {
      e.addSuppressed(auditFailure);
    }
  }

  private static Instant earliest(Instant a, Instant b, Instant c) {
    Instant m = a.isBefore(b) ? a : b;
    return c != null && c.isBefore(m) ? c : m;
  }
}
