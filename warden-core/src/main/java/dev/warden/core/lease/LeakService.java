package dev.warden.core.lease;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.model.Lease;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Leak response: matches reported fingerprints against the leases of credentials Warden issued,
 * revokes every live match and audits both the report and each revocation. The report carries only
 * fingerprints and metadata, never the secret.
 */
public final class LeakService {
  /** One reported finding. */
  public record Finding(
      String fingerprint,
      @Nullable String ruleId,
      @Nullable String path,
      @Nullable Integer line,
      @Nullable String commit) {}

  /** A fingerprint that matched a lease. */
  /**
   * @param revoked the lease is revoked now (by this report, or before it)
   * @param active the lease was live when the report arrived: what a dry run would revoke
   */
  public record Match(
      String fingerprint,
      String leaseId,
      boolean revoked,
      @Nullable String workload,
      boolean active) {}

  /** What a report did. */
  public record Result(int received, List<Match> matched, int unmatched) {}

  /**
   * What must happen besides revoking the lease when a credential that exists outside Warden's
   * control leaked: an upstream OAuth token is forgotten and revoked at its upstream.
   */
  public interface FollowUp {
    /**
     * @param lease one leaked lease of that credential (called once per fingerprint and report)
     * @return one outcome per place it acted on, none when there is nothing to do
     */
    List<Outcome> leaked(Lease lease);
  }

  /**
   * @param done the credential no longer works where it is used
   * @param details what was done, for the audit event; never the credential
   */
  public record Outcome(boolean done, String resource, Map<String, String> details) {}

  private final LeaseStore leases;
  private final AuditWriter audit;
  private final Clock clock;
  private final FollowUp followUp;

  public LeakService(LeaseStore leases, AuditWriter audit, Clock clock) {
    this(leases, audit, clock, l -> List.of());
  }

  public LeakService(LeaseStore leases, AuditWriter audit, Clock clock, FollowUp followUp) {
    this.leases = leases;
    this.audit = audit;
    this.clock = clock;
    this.followUp = followUp;
  }

  public Result report(@Nullable String source, List<Finding> findings, String actor) {
    return report(source, findings, actor, false);
  }

  /**
   * @param dryRun match only: nothing is revoked and no leak is recorded except the report itself
   *     (audited as {@code leak.reported} with {@code dryRun=true}), so a team can see what a
   *     report would revoke before sending it
   */
  public Result report(
      @Nullable String source, List<Finding> findings, String actor, boolean dryRun) {
    Instant now = clock.instant();
    List<Match> matched = new ArrayList<>();
    int unmatched = 0;
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Finding f : findings) {
      List<Lease> hits = leases.findByFingerprint(f.fingerprint());
      if (hits.isEmpty()) {
        unmatched++;
        if (dryRun) {
          continue;
        }
        // not Warden's to revoke, but it is an NHI in the open: the inventory and posture must see
        // it
        if (seen.add(f.fingerprint())) {
          Map<String, String> d = new HashMap<>();
          d.put("fingerprint", f.fingerprint());
          d.put("source", source == null ? "" : source);
          d.put("ruleId", f.ruleId() == null ? "" : f.ruleId());
          d.put("path", f.path() == null ? "" : f.path());
          if (f.commit() != null) {
            d.put("commit", f.commit());
          }
          audit.write(
              new AuditEvent(
                  UUID.randomUUID().toString(),
                  now,
                  AuditType.SECRET_LEAKED.wire(),
                  AuditOutcome.SUCCESS.wire(),
                  "leaked",
                  actor,
                  null,
                  null,
                  d,
                  null));
        }
        continue;
      }
      if (!dryRun && seen.add(f.fingerprint())) {
        followUp(hits.get(0), f, actor, now);
      }
      for (Lease l : hits) {
        boolean active = l.isActive(now);
        if (dryRun) {
          matched.add(
              new Match(f.fingerprint(), l.id(), l.revokedAt() != null, l.workload(), active));
          continue;
        }
        boolean revoked = l.revokedAt() == null && leases.revoke(l.id(), now, "leaked");
        matched.add(
            new Match(
                f.fingerprint(), l.id(), revoked || l.revokedAt() != null, l.workload(), active));
        Map<String, String> d = new HashMap<>();
        d.put("leaseId", l.id());
        d.put("fingerprint", f.fingerprint());
        d.put("source", source == null ? "" : source);
        d.put("ruleId", f.ruleId() == null ? "" : f.ruleId());
        d.put("path", f.path() == null ? "" : f.path());
        if (f.commit() != null) {
          d.put("commit", f.commit());
        }
        d.put("alreadyRevoked", Boolean.toString(!revoked));
        audit.write(
            new AuditEvent(
                UUID.randomUUID().toString(),
                now,
                AuditType.LEASE_REVOKED.wire(),
                AuditOutcome.SUCCESS.wire(),
                "leaked",
                actor,
                l.workload(),
                l.resource(),
                d,
                null));
      }
    }
    Map<String, String> d = new HashMap<>();
    d.put("source", source == null ? "" : source);
    d.put("received", Integer.toString(findings.size()));
    d.put("matched", Integer.toString(matched.size()));
    if (dryRun) {
      d.put("dryRun", "true");
    }
    audit.write(
        AuditEvent.of(
            AuditType.LEAK_REPORTED, AuditOutcome.SUCCESS, null, now, actor, null, null, d));
    return new Result(findings.size(), List.copyOf(matched), unmatched);
  }

  /**
   * Audits what the follow-up did: {@code credential.removed} when it no longer works, else {@code
   * credential.irrevocable} (it may work until it expires: an operator must look).
   */
  private void followUp(Lease l, Finding f, String actor, Instant now) {
    for (Outcome o : followUp.leaked(l)) {
      Map<String, String> d = new HashMap<>(o.details());
      d.put("leaseId", l.id());
      d.put("fingerprint", f.fingerprint());
      d.put("cause", "leaked");
      audit.write(
          new AuditEvent(
              UUID.randomUUID().toString(),
              now,
              (o.done() ? AuditType.CREDENTIAL_REMOVED : AuditType.CREDENTIAL_IRREVOCABLE).wire(),
              (o.done() ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE).wire(),
              "leaked",
              actor,
              l.workload(),
              o.resource(),
              d,
              null));
    }
  }
}
