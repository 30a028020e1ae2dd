package dev.warden.store;

import dev.warden.core.lease.LeaseState;
import dev.warden.core.lease.TargetLease;
import dev.warden.core.lease.TargetLeaseStore;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Lease;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Leases of credentials that live at their target, in the {@code leases} table beside Warden's own
 * (see V10__target_leases.sql). Their activation happens in {@link JdbcAuditStore#append}, in the
 * transaction of the issuance event.
 *
 * <p>Why it is over 400 lines: one guarded statement per state transition of the {@code
 * TargetLeaseStore} contract over one table; its length is that contract's.
 */
final class JdbcTargetLeaseStore implements TargetLeaseStore {
  private static final String COLUMNS =
      "SELECT id, kind, workload, resource, issued_at, expires_at, revoked_at,"
          + " revoke_reason, fingerprint, state, target, removal_attempts, removal_due, removal_error, removed_at"
          + " FROM leases";

  /**
   * Only leases of these kinds live at a target, and each has one ({@link #recordIntent} refuses
   * other kinds). The reaper's periodic queries name them first, so the index on (kind, state,
   * expires_at) keeps Warden's own token leases out of their scans: those stay {@code active} once
   * expired and number millions, and filtering them by {@code target IS NOT NULL} read every one of
   * them each second (V22__target_lease_index.sql).
   */
  static final String TARGET_KINDS = targetKinds();

  /** Active target leases expired at ?, oldest first, at most ?: the reaper's every run. */
  static final String EXPIRED =
      COLUMNS
          + " WHERE "
          + TARGET_KINDS
          + " AND state = 'active' AND expires_at <= ?"
          + " AND target IS NOT NULL ORDER BY expires_at, id LIMIT ?";

  /** Target leases by state: after every reaper run, for metrics. */
  static final String COUNT_BY_STATE =
      "SELECT state, COUNT(*) FROM leases WHERE "
          + TARGET_KINDS
          + " AND target IS NOT NULL GROUP BY state";

  /** Targets that still hold users of Warden's: the orphan sweep's. */
  static final String OPEN_TARGETS =
      "SELECT DISTINCT target FROM leases WHERE "
          + TARGET_KINDS
          + " AND target IS NOT NULL"
          + " AND state IN ('issuing', 'active', 'revoking', 'irrevocable')";

  private final Db db;

  JdbcTargetLeaseStore(Db db) {
    this.db = db;
  }

  @Override
  public boolean recordIntent(Lease lease, String target, int maxLive, Instant now) {
    Objects.requireNonNull(target, "target");
    if (!lease.kind().livesAtTarget()) {
      throw new IllegalArgumentException(lease.kind().wire() + " does not live at a target");
    }
    Lease l = JdbcLeaseStore.normalized(lease);
    // Intents of one workload at one resource are recorded one at a time: counted and inserted in
    // one transaction under a lock of that pair, so exactly the first maxLive of a burst are
    // accepted. (Inserting first and counting after kept the quota but could refuse a whole burst:
    // each intent counted every other one, including those about to be refused.)
    return serialized(
        l.workload() + "\n" + l.resource(),
        () ->
            db.inTransaction(
                "record the intent of lease '" + l.id() + "'",
                c -> {
                  if (db.dialect() == Dialect.POSTGRESQL) {
                    try (PreparedStatement ps =
                        c.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
                      ps.setInt(1, QUOTA_LOCK_CLASS);
                      ps.setString(2, l.workload() + "\n" + l.resource());
                      ps.execute();
                    }
                  }
                  long others;
                  try (PreparedStatement ps =
                      c.prepareStatement(
                          "SELECT COUNT(*) FROM leases WHERE left(workload, 200) ="
                              + " left(?, 200) AND workload = ? AND resource = ? AND state IN ('issuing', 'active')"
                              + " AND revoked_at IS NULL AND expires_at > ?")) {
                    ps.setString(1, l.workload());
                    ps.setString(2, l.workload());
                    ps.setString(3, l.resource());
                    ps.setLong(4, Micros.of(now));
                    try (ResultSet rs = ps.executeQuery()) {
                      rs.next();
                      others = rs.getLong(1);
                    }
                  }
                  boolean accepted = others < maxLive;
                  try (PreparedStatement ps =
                      c.prepareStatement(
                          "INSERT INTO leases (id, kind, workload, resource, issued_at,"
                              + " expires_at, revoked_at, revoke_reason, fingerprint, state, target) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
                              + " 'issuing', ?)")) {
                    JdbcLeaseStore.bind(ps, l);
                    ps.setString(10, target);
                    ps.executeUpdate();
                  }
                  if (!accepted) {
                    // kept, refused, as the record of the attempt
                    try (PreparedStatement ps =
                        c.prepareStatement(
                            "UPDATE leases SET state = 'revoked', revoked_at = ?,"
                                + " revoke_reason = 'quota exceeded', removed_at = ? WHERE id = ? AND state = 'issuing'")) {
                      ps.setLong(1, Micros.of(now));
                      ps.setLong(2, Micros.of(now));
                      ps.setString(3, l.id());
                      ps.executeUpdate();
                    }
                  }
                  return accepted;
                }));
  }

  /** The first number of PostgreSQL's two-key advisory locks that Warden's quota locks use. */
  private static final int QUOTA_LOCK_CLASS = 0x57415244; // "WARD"

  /**
   * In-process stripes for the embedded store, whose one process is the only writer (the data
   * directory is locked).
   */
  private static final java.util.concurrent.locks.ReentrantLock[] STRIPES =
      new java.util.concurrent.locks.ReentrantLock[64];

  static {
    for (int i = 0; i < STRIPES.length; i++) {
      STRIPES[i] = new java.util.concurrent.locks.ReentrantLock();
    }
  }

  private <T> T serialized(String key, java.util.function.Supplier<T> work) {
    if (db.dialect() == Dialect.POSTGRESQL) {
      return work.get(); // the advisory lock, across nodes
    }
    java.util.concurrent.locks.ReentrantLock lock =
        STRIPES[Math.floorMod(key.hashCode(), STRIPES.length)];
    lock.lock();
    try {
      return work.get();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean abandon(String id, Instant at, String reason, boolean nothingCreated) {
    return db.write(
        "abandon lease '" + id + "'",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  nothingCreated
                      ? "UPDATE leases SET state = 'revoked', revoked_at = ?, revoke_reason = ?, removed_at = ? WHERE id = ?"
                          + " AND state = 'issuing'"
                      : "UPDATE leases SET state = 'revoking', revoked_at = ?, revoke_reason = ?, removal_due = ? WHERE id = ?"
                          + " AND state = 'issuing'")) {
            ps.setLong(1, Micros.of(at));
            Db.setText(ps, 2, reason);
            ps.setLong(3, Micros.of(at));
            ps.setString(4, id);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public Optional<TargetLease> get(String id) {
    List<TargetLease> l =
        select(
            "read lease '" + id + "'",
            COLUMNS + " WHERE id = ? AND target IS NOT NULL",
            ps -> ps.setString(1, id));
    return l.isEmpty() ? Optional.empty() : Optional.of(l.getFirst());
  }

  @Override
  public List<TargetLease> expired(Instant now, int limit) {
    return select(
        "list expired target leases",
        EXPIRED,
        ps -> {
          ps.setLong(1, Micros.of(now));
          ps.setInt(2, limit);
        });
  }

  @Override
  public List<TargetLease> staleIntents(Instant issuedBefore, int limit) {
    return select(
        "list stale lease intents",
        COLUMNS + " WHERE state = 'issuing' AND issued_at < ?" + " ORDER BY issued_at, id LIMIT ?",
        ps -> {
          ps.setLong(1, Micros.of(issuedBefore));
          ps.setInt(2, limit);
        });
  }

  @Override
  public List<TargetLease> dueForRemoval(Instant now, int limit) {
    return select(
        "list leases due for removal",
        COLUMNS
            + " WHERE "
            + TARGET_KINDS
            + " AND state IN ('revoking', 'irrevocable')"
            + " AND removal_due <= ? ORDER BY removal_due, id LIMIT ?",
        ps -> {
          ps.setLong(1, Micros.of(now));
          ps.setInt(2, limit);
        });
  }

  private static final String CLAIM =
      "UPDATE leases SET removal_due = ? WHERE id = ? AND removal_due = ?"
          + " AND state IN ('revoking', 'irrevocable')";
  private static final String REMOVED =
      "UPDATE leases SET state = 'revoked', removed_at = ?, removal_due = NULL,"
          + " removal_error = NULL WHERE id = ? AND state IN ('revoking', 'irrevocable')";

  @Override
  public boolean claimRemoval(String id, Instant due, Instant until) {
    return db.write(
        "claim the removal of lease '" + id + "'",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
            ps.setLong(1, Micros.of(until));
            ps.setString(2, id);
            ps.setLong(3, Micros.of(due));
            return ps.executeUpdate() == 1;
          }
        });
  }

  /**
   * One transaction, its updates sent as one JDBC batch, in id order so that two nodes claiming
   * overlapping batches wait for each other instead of deadlocking; the row lock makes the later
   * one see the earlier's new {@code removal_due} and skip that lease.
   */
  @Override
  public Set<String> claimRemovals(Collection<Claim> claims, Instant until) {
    List<Claim> sorted = claims.stream().sorted(Comparator.comparing(Claim::id)).toList();
    if (sorted.isEmpty()) {
      return Set.of();
    }
    return db.inTransaction(
        "claim the removal of " + sorted.size() + " leases",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
            for (Claim cl : sorted) {
              ps.setLong(1, Micros.of(until));
              ps.setString(2, cl.id());
              ps.setLong(3, Micros.of(cl.due()));
              ps.addBatch();
            }
            return JdbcLeaseStore.moved(sorted.stream().map(Claim::id).toList(), ps.executeBatch());
          }
        });
  }

  @Override
  public void removed(String id, Instant at) {
    db.write(
        "mark lease '" + id + "' removed",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(REMOVED)) {
            ps.setLong(1, Micros.of(at));
            ps.setString(2, id);
            return ps.executeUpdate();
          }
        });
  }

  @Override
  public void removedAll(Collection<String> ids, Instant at) {
    List<String> sorted = ids.stream().distinct().sorted().toList();
    if (sorted.isEmpty()) {
      return;
    }
    db.inTransaction(
        "mark " + sorted.size() + " leases removed",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(REMOVED)) {
            for (String id : sorted) {
              ps.setLong(1, Micros.of(at));
              ps.setString(2, id);
              ps.addBatch();
            }
            return ps.executeBatch();
          }
        });
  }

  @Override
  public void removalFailed(
      String id, int attempts, Instant nextDue, String error, boolean irrevocable) {
    db.write(
        "record a failed removal of lease '" + id + "'",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE leases SET state = ?, removal_attempts = ?,"
                      + " removal_due = ?, removal_error = ? WHERE id = ? AND state IN ('revoking', 'irrevocable')")) {
            ps.setString(1, irrevocable ? "irrevocable" : "revoking");
            ps.setInt(2, attempts);
            ps.setLong(3, Micros.of(nextDue));
            Db.setText(
                ps,
                4,
                error == null ? null : error.length() > 1000 ? error.substring(0, 1000) : error);
            ps.setString(5, id);
            return ps.executeUpdate();
          }
        });
  }

  @Override
  public boolean forget(String id, String note) {
    return db.write(
        "forget lease '" + id + "'",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE leases SET state = 'revoked', removal_due = NULL,"
                      + " removal_error = ? WHERE id = ? AND state = 'irrevocable'")) {
            Db.setText(ps, 1, note.length() > 1000 ? note.substring(0, 1000) : note);
            ps.setString(2, id);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public List<TargetLease> list(@Nullable LeaseState state, int limit) {
    return select(
        "list target leases",
        COLUMNS
            + " WHERE "
            + TARGET_KINDS
            + " AND target IS NOT NULL"
            + (state == null ? "" : " AND state = ?")
            + " ORDER BY issued_at DESC, id LIMIT ?",
        ps -> {
          int i = 1;
          if (state != null) {
            ps.setString(i++, state.wire());
          }
          ps.setInt(i, limit);
        });
  }

  @Override
  public Map<LeaseState, Long> countByState() {
    return db.run(
        "count target leases by state",
        c -> {
          Map<LeaseState, Long> out = new EnumMap<>(LeaseState.class);
          for (LeaseState s : LeaseState.values()) {
            out.put(s, 0L);
          }
          try (PreparedStatement ps = c.prepareStatement(COUNT_BY_STATE);
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.put(LeaseState.fromWire(rs.getString(1)), rs.getLong(2));
            }
          }
          return out;
        });
  }

  @Override
  public List<String> openTargets() {
    return db.run(
        "list the targets of open leases",
        c -> {
          List<String> out = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(OPEN_TARGETS);
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(rs.getString(1));
            }
          }
          return out;
        });
  }

  /**
   * Moves an ISSUING lease to ACTIVE, inside the transaction that appends its issuance event: a
   * target lease is active exactly when its allow event is durable.
   *
   * @throws SQLException when it is no longer ISSUING (revoked or abandoned meanwhile): the append
   *     then fails and the credential is not handed out
   */
  static void activate(Connection c, List<Lease> leases) throws SQLException {
    if (leases.isEmpty()) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE leases SET state = 'active' WHERE id = ? AND state = 'issuing' AND revoked_at IS NULL")) {
      for (Lease l : leases) {
        ps.setString(1, l.id());
        if (ps.executeUpdate() != 1) {
          throw new SQLException(
              "lease '" + l.id() + "' is no longer issuing; its credential is not handed out",
              "55000");
        }
      }
    }
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private List<TargetLease> select(String what, String sql, Binder binder) {
    return db.run(
        what,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
              List<TargetLease> out = new ArrayList<>();
              while (rs.next()) {
                Lease l = JdbcLeaseStore.lease(rs);
                out.add(
                    new TargetLease(
                        l,
                        LeaseState.fromWire(rs.getString(10)),
                        rs.getString(11),
                        rs.getInt(12),
                        Db.getMicros(rs, 13),
                        rs.getString(14),
                        Db.getMicros(rs, 15)));
              }
              return out;
            }
          }
        });
  }

  private static String targetKinds() {
    List<String> kinds = new ArrayList<>();
    for (CredentialKind k : CredentialKind.values()) {
      if (k.livesAtTarget()) {
        // wire names are fixed lower-case words (enum constants), never input
        kinds.add("'" + k.wire() + "'");
      }
    }
    // one kind as "=", so an ORDER BY expires_at comes straight from the index
    return kinds.size() == 1
        ? "kind = " + kinds.getFirst()
        : "kind IN (" + String.join(", ", kinds) + ")";
  }
}
