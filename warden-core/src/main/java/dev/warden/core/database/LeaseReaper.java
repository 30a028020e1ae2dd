package dev.warden.core.database;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.document.Documents;
import dev.warden.core.error.TargetException;
import dev.warden.core.lease.LeaseState;
import dev.warden.core.lease.LeaseStore;
import dev.warden.core.lease.TargetLease;
import dev.warden.core.lease.TargetLeaseStore;
import dev.warden.core.model.DatabaseTarget;
import dev.warden.core.model.Resource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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

  /** Fewer users than this per target are not split further to run side by side. */
  static final int MIN_SHARE = 4;

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
  private final DatabaseTargets targets;
  private final Supplier<List<Resource>> resources;
  private final AuditWriter audit;
  private final Clock clock;
  private final Settings settings;
  private final AtomicReference<Map<LeaseState, Long>> counts = new AtomicReference<>(Map.of());
  private final Map<String, AtomicLong> totals = new LinkedHashMap<>();

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
    this.targets = targets;
    this.resources = resources;
    this.audit = audit;
    this.clock = clock;
    this.settings = settings;
    for (String k : List.of("removed", "failed", "irrevocable", "orphan", "expired", "abandoned")) {
      totals.put(k, new AtomicLong());
    }
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
      Outcome r = removeDue(now);
      o = o.plus(r);
      if (r.removed() + r.failed() < settings.batch()) {
        break;
      }
    }
    count("expired", expired);
    count("abandoned", abandoned);
    refreshCounts();
    return o;
  }

  /**
   * Runs {@code action} for every item (a target's share of a batch), {@link
   * Settings#parallelism()} at a time: each one waits on its target, so running them side by side
   * multiplies throughput. Returns when all are done.
   */
  private <T> void each(List<T> items, java.util.function.Consumer<T> action) {
    if (items.size() <= 1 || settings.parallelism() == 1) {
      for (T item : items) {
        run(item, action);
      }
      return;
    }
    java.util.concurrent.Semaphore slots =
        new java.util.concurrent.Semaphore(settings.parallelism());
    try (java.util.concurrent.ExecutorService ex =
        java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
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

  private static <T> void run(T item, java.util.function.Consumer<T> action) {
    try {
      action.accept(item);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "reaper: " + e.getMessage());
    }
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
    count("orphan", orphans);
    return new Outcome(0, 0, 0, failed, 0, orphans).plus(reap());
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
    refreshCounts();
    return l;
  }

  /** How many database leases are in each state, as of the last run. */
  public Map<LeaseState, Long> counts() {
    return counts.get();
  }

  /** Totals since start: removed, failed, irrevocable, orphan, expired, abandoned. */
  public Map<String, Long> totals() {
    Map<String, Long> out = new LinkedHashMap<>();
    totals.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** Some of one target's claimed leases, removed together. */
  private record Share(Optional<DatabaseTarget> target, List<TargetLease> leases) {}

  /**
   * One batch: claimed with one commit, grouped by target, each target's share removed with {@link
   * UserDatabase#removeUsers} (split so that {@link Settings#parallelism()} run at once), recorded
   * with one commit and its events in the audit log's group commits. A share that fails as a whole
   * is retried one user at a time, so one bad user does not hold up the others; every lease still
   * fails, backs off and becomes irrevocable on its own.
   */
  private Outcome removeDue(Instant now) {
    List<TargetLease> due = targetLeases.dueForRemoval(now, settings.batch());
    if (due.isEmpty()) {
      return new Outcome(0, 0, 0, 0, 0, 0);
    }
    // the claim lasts as long as an intent may (a connect timeout plus statements): if this node
    // dies holding it, another node, or this one restarted, removes the user that soon after —
    // not after maxRetry, which would leave a revoked credential working for minutes
    java.util.Set<String> claimed =
        targetLeases.claimRemovals(
            due.stream().map(l -> new TargetLeaseStore.Claim(l.id(), l.removalDue())).toList(),
            now.plus(settings.staleIntent()));
    Map<String, List<TargetLease>> byTarget = new LinkedHashMap<>();
    for (TargetLease l : due) {
      if (claimed.contains(l.id())) { // the others, another node has
        byTarget.computeIfAbsent(l.target(), k -> new java.util.ArrayList<>()).add(l);
      }
    }
    List<Share> shares = new java.util.ArrayList<>();
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
    Map<TargetLease, UserDatabase.Removal> done = new java.util.concurrent.ConcurrentHashMap<>();
    Map<TargetLease, RuntimeException> failures = new java.util.concurrent.ConcurrentHashMap<>();
    Map<String, RuntimeException> down = new java.util.concurrent.ConcurrentHashMap<>();
    each(shares, s -> remove(s, down, done, failures));

    List<TargetLease> removedLeases = due.stream().filter(done::containsKey).toList();
    targetLeases.removedAll(removedLeases.stream().map(TargetLease::id).toList(), clock.instant());
    writeAll(
        removedLeases.stream().map(l -> removedEvent(l, done.get(l), "revoked", now)).toList());
    int irrevocable = 0;
    for (TargetLease l : due) {
      RuntimeException failure = failures.get(l);
      if (failure != null && failed(l, failure, now)) {
        irrevocable++;
      }
    }
    count("removed", removedLeases.size());
    count("failed", failures.size());
    count("irrevocable", irrevocable);
    return new Outcome(0, 0, removedLeases.size(), failures.size(), irrevocable, 0);
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
      d.put("result", r.name().toLowerCase(java.util.Locale.ROOT));
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

  private static AuditEvent revokedEvent(TargetLease l, String reason, Instant now) {
    Map<String, String> d = new HashMap<>();
    d.put("leaseId", l.id());
    d.put("fingerprint", l.lease().fingerprint());
    d.put("credentialKind", l.lease().kind().wire());
    return new AuditEvent(
        java.util.UUID.randomUUID().toString(),
        now,
        AuditType.LEASE_REVOKED.wire(),
        AuditOutcome.SUCCESS.wire(),
        reason,
        "system",
        l.lease().workload(),
        l.lease().resource(),
        d,
        null);
  }

  private static AuditEvent removedEvent(
      TargetLease l, UserDatabase.Removal r, String why, Instant now) {
    Map<String, String> d = new HashMap<>();
    d.put("leaseId", l.id());
    d.put("username", l.id());
    d.put("fingerprint", l.lease().fingerprint());
    d.put("result", r.name().toLowerCase(java.util.Locale.ROOT));
    d.put("attempts", Integer.toString(l.removalAttempts() + 1));
    d.put("revokeReason", l.lease().revokeReason() == null ? why : l.lease().revokeReason());
    return AuditEvent.of(
        AuditType.CREDENTIAL_REMOVED,
        AuditOutcome.SUCCESS,
        null,
        now,
        "system",
        l.lease().workload(),
        l.lease().resource(),
        d);
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

  private void refreshCounts() {
    try {
      Map<LeaseState, Long> c = new EnumMap<>(LeaseState.class);
      c.putAll(targetLeases.countByState());
      counts.set(java.util.Collections.unmodifiableMap(c));
    } catch (RuntimeException e) {
      // keep the last counts; the next run retries
    }
  }

  private void count(String what, int n) {
    totals.get(what).addAndGet(n);
  }

  private static Optional<DatabaseTarget> parse(String json) {
    try {
      return Optional.of(
          Documents.databaseTarget(
              new com.fasterxml.jackson.databind.ObjectMapper().readTree(json)));
    } catch (Exception e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "a lease's target record cannot be read: " + e.getClass().getSimpleName());
      return Optional.empty();
    }
  }

  private static String key(DatabaseTarget t) {
    return t.url() + "|" + t.adminUser() + "|" + t.markerRole();
  }

  private static String where(DatabaseTarget t) {
    Map<String, String> c = DatabaseUserProvider.connection(t);
    return c.get("host") + ":" + c.get("port") + "/" + c.get("database");
  }
}
