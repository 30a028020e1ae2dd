package dev.warden.core.database;

import static dev.warden.core.database.ReaperEvents.revokedEvent;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.lease.LeaseState;
import dev.warden.core.lease.LeaseStore;
import dev.warden.core.lease.TargetLease;
import dev.warden.core.lease.TargetLeaseStore;
import dev.warden.core.model.Resource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Ends database users off the request path. {@link #reap} (every few seconds) revokes expired
 * leases, gives up intents whose issuance never completed, and removes at their target the users of
 * every REVOKING lease — however it was revoked: the API, a leak report, a retirement, expiry —
 * with exponential backoff, and marks a lease IRREVOCABLE after {@link Settings#irrevocableAfter}
 * failed attempts (still retried, hourly, and reported). {@link #sweep} (every few minutes, and at
 * start) lists the users that carry a target's marker role and drops those with no live lease: the
 * repair for a crash between the intent record and activation, and for anything else that left a
 * tagged user behind. Every drop is audited.
 *
 * <p>Several nodes may run it at once: a removal is claimed in the store first, so one node
 * attempts it. A target that is down costs one connection timeout per run, not one per lease, and
 * never holds up another target's removals or any grant.
 *
 * <p>This class is the schedule's entry points (reap, sweep, force-forget); the removal queue is
 * {@link UserRemoval}, the sweep {@link OrphanSweep}, and the figures {@link ReaperStats}.
 */
public final class LeaseReaper {
  private static final System.Logger LOG = System.getLogger(LeaseReaper.class.getName());

  /**
   * @param staleIntent how long an issuing lease may wait for its activation before it counts as
   *     crashed (longer than any issuance takes: connect timeout plus statements); also how long a
   *     node's claim on a removal holds before another may retry it
   * @param firstRetry the wait after the first failed removal; doubled after each, up to maxRetry
   */
  public record Settings(
      Duration staleIntent,
      Duration firstRetry,
      Duration maxRetry,
      int irrevocableAfter,
      Duration irrevocableRetry,
      int batch,
      int parallelism) {
    /** How many shares of a batch's removals run at once: each waits on its target. */
    public static final int DEFAULT_PARALLELISM = 8;

    public static final Settings DEFAULTS =
        new Settings(
            Duration.ofMinutes(2),
            Duration.ofSeconds(5),
            Duration.ofMinutes(10),
            8,
            Duration.ofHours(1),
            200);

    public Settings {
      if (batch < 1 || parallelism < 1) {
        throw new IllegalArgumentException("batch and parallelism must be positive");
      }
    }

    /** With {@link #DEFAULT_PARALLELISM}. */
    public Settings(
        Duration staleIntent,
        Duration firstRetry,
        Duration maxRetry,
        int irrevocableAfter,
        Duration irrevocableRetry,
        int batch) {
      this(
          staleIntent,
          firstRetry,
          maxRetry,
          irrevocableAfter,
          irrevocableRetry,
          batch,
          DEFAULT_PARALLELISM);
    }
  }

  /**
   * How many batches one run works through at most before it yields to the next (and to the sweep).
   */
  static final int MAX_BATCHES_PER_RUN = 50;

  /** What one run did. */
  public record Outcome(
      int expired, int abandoned, int removed, int failed, int irrevocable, int orphans) {
    Outcome plus(Outcome o) {
      return new Outcome(
          expired + o.expired,
          abandoned + o.abandoned,
          removed + o.removed,
          failed + o.failed,
          irrevocable + o.irrevocable,
          orphans + o.orphans);
    }
  }

  private final TargetLeaseStore targetLeases;
  private final LeaseStore leases;
  private final AuditWriter audit;
  private final Clock clock;
  private final Settings settings;
  private final ReaperStats stats;
  private final UserRemoval removal;
  private final OrphanSweep orphans;

  public LeaseReaper(
      TargetLeaseStore targetLeases,
      LeaseStore leases,
      DatabaseTargets targets,
      Supplier<List<Resource>> resources,
      AuditWriter audit,
      Clock clock,
      Settings settings) {
    this.targetLeases = targetLeases;
    this.leases = leases;
    this.audit = audit;
    this.clock = clock;
    this.settings = settings;
    this.stats = new ReaperStats(targetLeases);
    this.removal =
        new UserRemoval(targetLeases, targets, audit, clock, settings, stats, this::writeAll);
    this.orphans =
        new OrphanSweep(targetLeases, leases, targets, resources, audit, clock, settings, stats);
  }

  /**
   * Revokes what expired, gives up stale intents, and attempts every removal that is due.
   *
   * @throws dev.warden.core.error.StoreException when Warden's own database fails (next run
   *     retries)
   */
  public Outcome reap() {
    Instant now = clock.instant();
    // drain: a backlog (10,000 leases that expired together) is worked through batch after batch in
    // this run, not one batch per interval
    int expired = 0;
    for (int b = 0; b < MAX_BATCHES_PER_RUN; b++) {
      List<TargetLease> due = targetLeases.expired(now, settings.batch());
      // one commit for the batch, then its events together in the audit log's group commits
      java.util.Set<String> moved =
          leases.revokeAll(due.stream().map(TargetLease::id).toList(), now, "expired");
      expired += moved.size();
      writeAll(
          due.stream()
              .filter(l -> moved.contains(l.id()))
              .map(l -> revokedEvent(l, "expired", now))
              .toList());
      if (due.size() < settings.batch()) {
        break;
      }
    }
    int abandoned = 0;
    for (TargetLease l :
        targetLeases.staleIntents(now.minus(settings.staleIntent()), settings.batch())) {
      if (targetLeases.abandon(l.id(), now, "issuance did not complete", false)) {
        abandoned++;
        audit.write(revokedEvent(l, "incomplete_issuance", now));
      }
    }
    Outcome o = new Outcome(expired, abandoned, 0, 0, 0, 0);
    for (int b = 0; b < MAX_BATCHES_PER_RUN; b++) {
      Outcome r = removal.removeDue(now);
      o = o.plus(r);
      if (r.removed() + r.failed() < settings.batch()) {
        break;
      }
    }
    stats.count("expired", expired);
    stats.count("abandoned", abandoned);
    stats.refreshCounts();
    return o;
  }

  /** Writes events of leases already changed; a failure is logged, and the run goes on. */
  private void writeAll(List<AuditEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    try {
      audit.writeAll(events);
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "reaper: " + events.size() + " audit events not written: " + e.getMessage());
    }
  }

  /**
   * Drops every user carrying a target's marker that no live lease accounts for, then reaps.
   * Targets are those of the current resources and of every lease not yet removed.
   */
  public Outcome sweep() {
    return orphans.sweep().plus(reap());
  }

  /** Longest reason an administrator may give for a force-forget. */
  public static final int MAX_FORGET_REASON = 500;

  /**
   * Force-forget: stops trying to remove an IRREVOCABLE lease's credential, because an
   * administrator removed it at the target by hand, or the target is gone for good. The lease ends
   * REVOKED (never marked removed: Warden did not see it go) and {@code credential.forgotten} is
   * audited with the administrator and their reason. The orphan sweep still drops the user if it
   * finds it tagged at a target it can reach.
   *
   * @param reason why, in the administrator's words: required
   * @param actor who, e.g. {@code admin:<token id>}
   * @return the lease as it was before
   * @throws dev.warden.core.error.ValidationException when the reason is missing or too long
   * @throws dev.warden.core.error.NotFoundException when no credential lease at a target has this
   *     id
   * @throws dev.warden.core.error.ConflictException when the lease is not irrevocable (Warden is
   *     still removing it, or it is live: revoke it instead)
   */
  public TargetLease forget(String id, String reason, String actor) {
    String why = reason == null ? "" : reason.strip().replaceAll("\\p{Cntrl}+", " ");
    if (why.isEmpty()) {
      throw new dev.warden.core.error.ValidationException(
          "reason",
          "is required: say why Warden may stop trying to"
              + " remove this credential (for example, who dropped it at the target by hand)");
    }
    if (why.length() > MAX_FORGET_REASON) {
      throw new dev.warden.core.error.ValidationException(
          "reason", "must be at most " + MAX_FORGET_REASON + " characters");
    }
    TargetLease l =
        targetLeases
            .get(id)
            .orElseThrow(
                () ->
                    new dev.warden.core.error.NotFoundException(
                        "credential lease at a target", id));
    if (l.state() != LeaseState.IRREVOCABLE
        || !targetLeases.forget(id, "forgotten by " + actor + ": " + why)) {
      throw new dev.warden.core.error.ConflictException(
          "lease "
              + id
              + " is "
              + l.state().wire()
              + ", not irrevocable: only a credential Warden gave up removing can be forgotten"
              + (l.state() == LeaseState.ACTIVE ? "; revoke it instead" : ""));
    }
    Map<String, String> d = new HashMap<>();
    d.put("leaseId", l.id());
    d.put("username", l.id());
    d.put("fingerprint", l.lease().fingerprint());
    d.put("attempts", Integer.toString(l.removalAttempts()));
    if (l.removalError() != null) {
      d.put(
          "lastError",
          l.removalError().length() > 500 ? l.removalError().substring(0, 500) : l.removalError());
    }
    d.put("reason", why);
    audit.write(
        AuditEvent.of(
            AuditType.CREDENTIAL_FORGOTTEN,
            AuditOutcome.SUCCESS,
            null,
            clock.instant(),
            actor,
            l.lease().workload(),
            l.lease().resource(),
            d));
    stats.refreshCounts();
    return l;
  }

  /** How many database leases are in each state, as of the last run. */
  public Map<LeaseState, Long> counts() {
    return stats.counts();
  }

  /** Totals since start: removed, failed, irrevocable, orphan, expired, abandoned. */
  public Map<String, Long> totals() {
    return stats.totals();
  }
}
