package dev.warden.core.grant;

import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.TargetException;
import dev.warden.core.lease.TargetLeaseStore;
import dev.warden.core.model.Lease;
import dev.warden.core.model.Resource;
import dev.warden.core.model.Workload;
import java.time.Clock;

/**
 * The lease of every issued credential, and intent before effect for credentials that live at a
 * target: the lease is durable as {@code issuing} before the credential exists there, so a crash
 * never leaves a credential nothing tracks.
 */
final class LeaseIntents {
  private final TargetLeaseStore intents;
  private final Fingerprinter fingerprinter;
  private final Clock clock;

  /**
   * @param intents null when no provider's credentials live at a target
   */
  LeaseIntents(TargetLeaseStore intents, Fingerprinter fingerprinter, Clock clock) {
    this.intents = intents;
    this.fingerprinter = fingerprinter;
    this.clock = clock;
  }

  /** The record of an issued credential: its HMAC fingerprint, never the credential. */
  Lease lease(IssuedCredential c, Workload workload, Resource resource) {
    return new Lease(
        c.id(),
        c.kind(),
        workload.name(),
        resource.name(),
        c.issuedAt(),
        c.expiresAt(),
        null,
        null,
        fingerprinter.fingerprint(c.value()));
  }

  /**
   * Intent before effect: the lease is durable as {@code issuing} (and within the quota) before the
   * credential is created at its target. A creation that fails gives the intent up: revoked at once
   * when the target certainly holds nothing, else left for the reaper to remove.
   */
  void createAtTarget(
      TargetCredentialProvider t,
      Issuance issuance,
      TargetCredentialProvider.Prepared p,
      Lease lease,
      GrantContext ctx) {
    if (!intents.recordIntent(lease, p.target(), p.maxLive(), ctx.now())) {
      throw new DeniedException(
          Reason.QUOTA_EXCEEDED,
          "workload "
              + lease.workload()
              + " already holds "
              + p.maxLive()
              + " live credentials for resource '"
              + lease.resource()
              + "' (spec.database.maxLeasesPerWorkload); reuse one, or revoke some or let them expire");
    }
    try {
      t.create(issuance, p);
    } catch (TargetException e) {
      abandon(lease.id(), !e.maybeChanged(), "not issued: " + e.getMessage());
      throw new TargetFailed(e, lease.id(), lease.resource(), lease.kind());
    } catch (RuntimeException e) {
      abandon(lease.id(), false, "not issued: " + e.getClass().getSimpleName());
      throw e;
    }
  }

  /**
   * Best effort: if the store cannot take it now, the stale intent is found by the reaper's sweep.
   */
  void abandon(String leaseId, boolean nothingCreated, String reason) {
    try {
      intents.abandon(
          leaseId,
          clock.instant(),
          reason.length() > 500 ? reason.substring(0, 500) : reason,
          nothingCreated);
    } catch (RuntimeException ignored) {
      // the intent stays issuing; the reaper's sweep removes what it may have created
    }
  }
}
