package dev.warden.core.database;

import static dev.warden.core.database.ReaperEvents.revokedEvent;
import static dev.warden.core.database.ReaperTargets.key;
import static dev.warden.core.database.ReaperTargets.parse;
import static dev.warden.core.database.ReaperTargets.where;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.lease.LeaseStore;
import dev.warden.core.lease.TargetLease;
import dev.warden.core.lease.TargetLeaseStore;
import dev.warden.core.model.DatabaseTarget;
import dev.warden.core.model.Resource;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The orphan sweep: lists the users that carry a target's marker role and drops those no live lease
 * accounts for — the repair for a crash between the intent record and activation, and for anything
 * else that left a tagged user behind. Targets are those of the current resources and of every
 * lease not yet removed. Warden only ever removes what it tagged.
 */
final class OrphanSweep {
  private static final System.Logger LOG = System.getLogger(LeaseReaper.class.getName());

  private final TargetLeaseStore targetLeases;
  private final LeaseStore leases;
  private final DatabaseTargets targets;
  private final Supplier<List<Resource>> resources;
  private final AuditWriter audit;
  private final Clock clock;
  private final LeaseReaper.Settings settings;
  private final ReaperStats stats;

  OrphanSweep(
      TargetLeaseStore targetLeases,
      LeaseStore leases,
      DatabaseTargets targets,
      Supplier<List<Resource>> resources,
      AuditWriter audit,
      Clock clock,
      LeaseReaper.Settings settings,
      ReaperStats stats) {
    this.targetLeases = targetLeases;
    this.leases = leases;
    this.targets = targets;
    this.resources = resources;
    this.audit = audit;
    this.clock = clock;
    this.settings = settings;
    this.stats = stats;
  }

  /**
   * Drops what no live lease accounts for at every target, and ends the leases the sweep finds
   * overdue; the caller reaps afterwards.
   */
  LeaseReaper.Outcome sweep() {
    Instant now = clock.instant();
    Map<String, DatabaseTarget> all = new LinkedHashMap<>();
    for (Resource r : resources.get()) {
      if (r.database() != null) {
        all.putIfAbsent(key(r.database()), r.database());
      }
    }
    for (String json : targetLeases.openTargets()) {
      parse(json).ifPresent(t -> all.putIfAbsent(key(t), t));
    }
    int orphans = 0;
    int failed = 0;
    for (DatabaseTarget t : all.values()) {
      List<String> users;
      try {
        users = targets.database().markedUsers(t, targets.adminPassword(t));
      } catch (RuntimeException e) {
        LOG.log(
            System.Logger.Level.WARNING,
            "orphan sweep skipped " + where(t) + ": " + e.getMessage());
        failed++;
        continue;
      }
      for (String user : users) {
        if (!t.usernameTemplate().pattern().matcher(user).matches()) {
          continue; // carries the marker but could not be a name Warden gave: not touched
        }
        Optional<TargetLease> l = targetLeases.get(user);
        if (l.isEmpty()) {
          switch (dropOrphan(t, user, now)) {
            case DROPPED -> orphans++;
            case FAILED -> failed++;
            default -> {}
          }
          continue;
        }
        TargetLease lease = l.get();
        switch (lease.state()) {
          case ISSUING -> {
            if (lease.lease().issuedAt().isBefore(now.minus(settings.staleIntent()))
                && targetLeases.abandon(user, now, "issuance did not complete", false)) {
              audit.write(revokedEvent(lease, "incomplete_issuance", now));
            }
          }
          case ACTIVE -> {
            if (!now.isBefore(lease.lease().expiresAt()) && leases.revoke(user, now, "expired")) {
              audit.write(revokedEvent(lease, "expired", now));
            }
          }
          case REVOKED -> {
            // marked removed, yet there: remove again
            switch (dropOrphan(t, user, now)) {
              case DROPPED -> orphans++;
              case FAILED -> failed++;
              default -> {}
            }
          }
          default -> {
            // REVOKING, IRREVOCABLE: the removal queue has it
          }
        }
      }
    }
    stats.count("orphan", orphans);
    return new LeaseReaper.Outcome(0, 0, 0, failed, 0, orphans);
  }

  private enum Sweep {
    DROPPED,
    GONE,
    FAILED
  }

  private Sweep dropOrphan(DatabaseTarget t, String user, Instant now) {
    try {
      UserDatabase.Removal r = targets.database().removeUser(t, targets.adminPassword(t), user);
      if (r == UserDatabase.Removal.ABSENT) {
        return Sweep.GONE; // another node's sweep dropped it first, and audited it
      }
      Map<String, String> d = new HashMap<>();
      d.put("username", user);
      d.put("database", where(t));
      d.put("result", r.name().toLowerCase(Locale.ROOT));
      d.put("why", "no live lease accounts for this tagged user");
      audit.write(
          AuditEvent.of(
              AuditType.CREDENTIAL_REMOVED,
              AuditOutcome.SUCCESS,
              null,
              now,
              "system",
              null,
              null,
              d));
      return Sweep.DROPPED;
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "orphan sweep could not drop " + user + " on " + where(t) + ": " + e.getMessage());
      return Sweep.FAILED;
    }
  }
}
