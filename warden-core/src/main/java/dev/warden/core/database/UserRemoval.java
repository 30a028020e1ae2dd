package dev.warden.core.database;

import static dev.warden.core.database.ReaperEvents.removedEvent;
import static dev.warden.core.database.ReaperTargets.key;
import static dev.warden.core.database.ReaperTargets.parse;
import static dev.warden.core.database.ReaperTargets.where;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.error.TargetException;
import dev.warden.core.lease.LeaseState;
import dev.warden.core.lease.TargetLease;
import dev.warden.core.lease.TargetLeaseStore;
import dev.warden.core.model.DatabaseTarget;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * The removal queue: the users of REVOKING leases removed at their targets, in batches claimed in
 * the store (so of several nodes one attempts each), grouped by target and run side by side, with
 * exponential backoff and IRREVOCABLE after {@link LeaseReaper.Settings#irrevocableAfter} failed
 * attempts. A target that is down costs one timeout per run, not one per lease.
 */
final class UserRemoval {
  private static final System.Logger LOG = System.getLogger(LeaseReaper.class.getName());

  private final TargetLeaseStore targetLeases;
  private final DatabaseTargets targets;
  private final AuditWriter audit;
  private final Clock clock;
  private final LeaseReaper.Settings settings;
  private final ReaperStats stats;
  private final Consumer<List<AuditEvent>> writeAll;

  /**
   * @param writeAll writes the events of leases already changed, logging a failure
   */
  UserRemoval(
      TargetLeaseStore targetLeases,
      DatabaseTargets targets,
      AuditWriter audit,
      Clock clock,
      LeaseReaper.Settings settings,
      ReaperStats stats,
      Consumer<List<AuditEvent>> writeAll) {
    this.targetLeases = targetLeases;
    this.targets = targets;
    this.audit = audit;
    this.clock = clock;
    this.settings = settings;
    this.stats = stats;
    this.writeAll = writeAll;
  }

  /** Fewer users than this per target are not split further to run side by side. */
  static final int MIN_SHARE = 4;

  /** Some of one target's claimed leases, removed together. */
  private record Share(Optional<DatabaseTarget> target, List<TargetLease> leases) {}

  /**
   * One batch: claimed with one commit, grouped by target, each target's share removed with {@link
   * UserDatabase#removeUsers} (split so that {@link LeaseReaper.Settings#parallelism()} run at
   * once), recorded with one commit and its events in the audit log's group commits. A share that
   * fails as a whole is retried one user at a time, so one bad user does not hold up the others;
   * every lease still fails, backs off and becomes irrevocable on its own.
   */
  LeaseReaper.Outcome removeDue(Instant now) {
    List<TargetLease> due = targetLeases.dueForRemoval(now, settings.batch());
    if (due.isEmpty()) {
      return new LeaseReaper.Outcome(0, 0, 0, 0, 0, 0);
    }
    // the claim lasts as long as an intent may (a connect timeout plus statements): if this node
    // dies holding it, another node, or this one restarted, removes the user that soon after —
    // not after maxRetry, which would leave a revoked credential working for minutes
    Set<String> claimed =
        targetLeases.claimRemovals(
            due.stream().map(l -> new TargetLeaseStore.Claim(l.id(), l.removalDue())).toList(),
            now.plus(settings.staleIntent()));
    Map<String, List<TargetLease>> byTarget = new LinkedHashMap<>();
    for (TargetLease l : due) {
      if (claimed.contains(l.id())) { // the others, another node has
        byTarget.computeIfAbsent(l.target(), k -> new ArrayList<>()).add(l);
      }
    }
    List<Share> shares = new ArrayList<>();
    for (Map.Entry<String, List<TargetLease>> e : byTarget.entrySet()) {
      Optional<DatabaseTarget> t = parse(e.getKey());
      List<TargetLease> ls = e.getValue();
      // nearly equal shares of at least MIN_SHARE users, up to parallelism of them
      int n = Math.max(1, Math.min(settings.parallelism(), ls.size() / MIN_SHARE));
      for (int i = 0, from = 0; i < n; i++) {
        int to = from + ls.size() / n + (i < ls.size() % n ? 1 : 0);
        shares.add(new Share(t, ls.subList(from, to)));
        from = to;
      }
    }
    Map<TargetLease, UserDatabase.Removal> done = new ConcurrentHashMap<>();
    Map<TargetLease, RuntimeException> failures = new ConcurrentHashMap<>();
    Map<String, RuntimeException> down = new ConcurrentHashMap<>();
    each(shares, s -> remove(s, down, done, failures));

    List<TargetLease> removedLeases = due.stream().filter(done::containsKey).toList();
    targetLeases.removedAll(removedLeases.stream().map(TargetLease::id).toList(), clock.instant());
    writeAll.accept(
        removedLeases.stream().map(l -> removedEvent(l, done.get(l), "revoked", now)).toList());
    int irrevocable = 0;
    for (TargetLease l : due) {
      RuntimeException failure = failures.get(l);
      if (failure != null && failed(l, failure, now)) {
        irrevocable++;
      }
    }
    stats.count("removed", removedLeases.size());
    stats.count("failed", failures.size());
    stats.count("irrevocable", irrevocable);
    return new LeaseReaper.Outcome(0, 0, removedLeases.size(), failures.size(), irrevocable, 0);
  }

  /**
   * Runs {@code action} for every item (a target's share of a batch), {@link
   * Settings#parallelism()} at a time: each one waits on its target, so running them side by side
   * multiplies throughput. Returns when all are done.
   */
  private <T> void each(List<T> items, Consumer<T> action) {
    if (items.size() <= 1 || settings.parallelism() == 1) {
      for (T item : items) {
        run(item, action);
      }
      return;
    }
    Semaphore slots = new Semaphore(settings.parallelism());
    try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
      for (T item : items) {
        slots.acquireUninterruptibly();
        ex.execute(
            () -> {
              try {
                run(item, action);
              } finally {
                slots.release();
              }
            });
      }
    }
  }

  private static <T> void run(T item, Consumer<T> action) {
    try {
      action.accept(item);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "reaper: " + e.getMessage());
    }
  }

  private void remove(
      Share s,
      Map<String, RuntimeException> down,
      Map<TargetLease, UserDatabase.Removal> done,
      Map<TargetLease, RuntimeException> failures) {
    if (s.target().isEmpty()) {
      s.leases()
          .forEach(
              l ->
                  failures.put(
                      l,
                      new TargetException(
                          "the lease's target record cannot be read", false, null)));
      return;
    }
    DatabaseTarget t = s.target().get();
    Map<String, UserDatabase.Removal> batch = Map.of();
    if (s.leases().size() > 1 && !down.containsKey(key(t))) {
      try {
        batch =
            targets
                .database()
                .removeUsers(
                    t, targets.adminPassword(t), s.leases().stream().map(TargetLease::id).toList());
      } catch (TargetException e) {
        if (e.unreachable()) {
          down.put(key(t), e);
        } else {
          LOG.log(
              System.Logger.Level.WARNING,
              "removal of "
                  + s.leases().size()
                  + " users from "
                  + where(t)
                  + " failed as a whole, removing them one by one: "
                  + e.getMessage());
        }
      } catch (RuntimeException e) {
        LOG.log(
            System.Logger.Level.WARNING,
            "removal of "
                + s.leases().size()
                + " users from "
                + where(t)
                + " failed as a whole, removing them one by one: "
                + e.getMessage());
      }
    }
    for (TargetLease l : s.leases()) {
      UserDatabase.Removal r = batch.get(l.id());
      if (r != null) {
        done.put(l, r);
        continue;
      }
      RuntimeException known =
          down.get(key(t)); // a target that is down costs one timeout, not one per lease
      if (known != null) {
        failures.put(l, known);
        continue;
      }
      try {
        done.put(l, targets.database().removeUser(t, targets.adminPassword(t), l.id()));
      } catch (RuntimeException e) {
        failures.put(l, e);
        if (e instanceof TargetException te && te.unreachable()) {
          down.put(key(t), e);
        }
      }
    }
  }

  /**
   * Records a failed attempt, with its backoff; true when the lease has just become irrevocable.
   */
  private boolean failed(TargetLease l, RuntimeException failure, Instant now) {
    int attempts = l.removalAttempts() + 1;
    boolean nowIrrevocable = attempts >= settings.irrevocableAfter();
    Instant next = now.plus(nowIrrevocable ? settings.irrevocableRetry() : backoff(attempts));
    String error =
        failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    targetLeases.removalFailed(l.id(), attempts, next, error, nowIrrevocable);
    LOG.log(
        System.Logger.Level.WARNING,
        "removal of database user "
            + l.id()
            + " failed (attempt "
            + attempts
            + (nowIrrevocable ? ", irrevocable" : "")
            + "): "
            + error);
    if (nowIrrevocable && l.state() != LeaseState.IRREVOCABLE) {
      irrevocableEvent(l, attempts, error, now);
      return true;
    }
    return false;
  }

  private Duration backoff(int attempts) {
    Duration d = settings.firstRetry();
    for (int i = 1; i < attempts && d.compareTo(settings.maxRetry()) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(settings.maxRetry()) > 0 ? settings.maxRetry() : d;
  }

  private void irrevocableEvent(TargetLease l, int attempts, String error, Instant now) {
    Map<String, String> d = new HashMap<>();
    d.put("leaseId", l.id());
    d.put("username", l.id());
    d.put("fingerprint", l.lease().fingerprint());
    d.put("attempts", Integer.toString(attempts));
    d.put("error", error.length() > 500 ? error.substring(0, 500) : error);
    audit.write(
        AuditEvent.of(
            AuditType.CREDENTIAL_IRREVOCABLE,
            AuditOutcome.FAILURE,
            null,
            now,
            "system",
            l.lease().workload(),
            l.lease().resource(),
            d));
  }
}
