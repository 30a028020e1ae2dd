package dev.warden.store;

import dev.warden.core.lease.LeaseRow;
import dev.warden.core.lease.LeaseSearch;
import dev.warden.core.lease.LeaseState;
import dev.warden.core.lease.LeaseStore;
import dev.warden.core.model.Lease;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Leases. Warden's own are inserted only by {@link JdbcAuditStore#append}, with their issuance
 * event; those whose credential lives at a target are recorded first by {@link
 * JdbcTargetLeaseStore#recordIntent} and activated by that append.
 */
final class JdbcLeaseStore implements LeaseStore {
  static final String INSERT =
      "INSERT INTO leases (id, kind, workload, resource, issued_at, expires_at, revoked_at, revoke_reason, fingerprint)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String COLUMNS =
      "SELECT id, kind, workload, resource, issued_at, expires_at, revoked_at, revoke_reason, fingerprint FROM leases";

  private final Db db;
  private final Runnable revoked;

  /**
   * @param revoked runs after this node committed a revocation, before {@link #revoke} returns: it
   *     drops what the node caches of active leases (other nodes hear of it through the {@code
   *     leases} change counter bumped in the same transaction)
   */
  JdbcLeaseStore(Db db, Runnable revoked) {
    this.db = db;
    this.revoked = revoked;
  }

  /** Binds one lease to {@link #INSERT}. */
  static void bind(PreparedStatement ps, Lease l) throws SQLException {
    ps.setString(1, l.id());
    ps.setString(2, l.kind().wire());
    Db.setText(ps, 3, l.workload());
    Db.setText(ps, 4, l.resource());
    ps.setLong(5, Micros.of(l.issuedAt()));
    ps.setLong(6, Micros.of(l.expiresAt()));
    Db.setMicros(ps, 7, l.revokedAt());
    Db.setText(ps, 8, l.revokeReason());
    ps.setString(9, l.fingerprint());
  }

  /** The lease as it reads back: times at microsecond precision. */
  static Lease normalized(Lease l) {
    if (l.issuedAt().getNano() % 1_000 == 0
        && l.expiresAt().getNano() % 1_000 == 0
        && (l.revokedAt() == null || l.revokedAt().getNano() % 1_000 == 0)) {
      return l;
    }
    return new Lease(
        l.id(),
        l.kind(),
        l.workload(),
        l.resource(),
        Micros.truncate(l.issuedAt()),
        Micros.truncate(l.expiresAt()),
        Micros.truncateNullable(l.revokedAt()),
        l.revokeReason(),
        l.fingerprint());
  }

  @Override
  public Optional<Lease> get(String id) {
    Objects.requireNonNull(id, "id");
    List<Lease> found = select("read lease '" + id + "'", COLUMNS + " WHERE id = ?", id);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
  }

  @Override
  public List<Lease> findByFingerprint(String fingerprint) {
    Objects.requireNonNull(fingerprint, "fingerprint");
    return select(
        "find leases by fingerprint",
        COLUMNS + " WHERE fingerprint = ? ORDER BY issued_at, id",
        fingerprint);
  }

  @Override
  public List<Lease> listActive(String workload, Instant now) {
    Objects.requireNonNull(workload, "workload");
    long at = Micros.of(now);
    return db.run(
        "list active leases of '" + workload + "'",
        c -> {
          // left(...) matches the PostgreSQL prefix index (see V2__indexes.sql); H2 uses workload =
          // ?
          try (PreparedStatement ps =
              c.prepareStatement(
                  COLUMNS
                      + " WHERE left(workload, 200) = left(?, 200) AND workload = ? AND revoked_at IS NULL AND expires_at > ?"
                      + " ORDER BY issued_at, id")) {
            ps.setString(1, workload);
            ps.setString(2, workload);
            ps.setLong(3, at);
            return read(ps);
          }
        });
  }

  @Override
  public List<LeaseRow> search(LeaseSearch q) {
    StringBuilder sql =
        new StringBuilder(
            "SELECT id, kind, workload, resource, issued_at, expires_at, revoked_at,"
                + " revoke_reason, fingerprint, state, target, removal_attempts, removal_error FROM leases");
    List<Object> args = new ArrayList<>();
    List<String> where = new ArrayList<>();
    if (q.workload() != null) {
      where.add(db.equalsLong("workload", q.workload(), args));
    }
    if (q.resource() != null) {
      where.add(db.equalsLong("resource", q.resource(), args));
    }
    if (q.kind() != null) {
      where.add("kind = ?");
      args.add(q.kind().wire());
    }
    if (q.state() != null) {
      switch (q.state()) {
        case "active" -> {
          where.add("state = 'active' AND revoked_at IS NULL AND expires_at > ?");
          args.add(Micros.of(q.now()));
        }
        case "expired" -> {
          where.add("state = 'active' AND revoked_at IS NULL AND expires_at <= ?");
          args.add(Micros.of(q.now()));
        }
        default -> {
          where.add("state = ?");
          args.add(q.state());
        }
      }
    }
    if (q.before() != null) {
      long at = Micros.of(q.before().issuedAt());
      // the first term bounds the index range scan; "(a < x OR (a = x AND b < y))" alone is not
      // an index condition, and a deep page walked the index from the newest lease
      where.add("issued_at <= ? AND (issued_at < ? OR id < ?)");
      args.add(at);
      args.add(at);
      args.add(q.before().id());
    }
    if (!where.isEmpty()) {
      sql.append(" WHERE ").append(String.join(" AND ", where));
    }
    sql.append(" ORDER BY issued_at DESC, id DESC LIMIT ?");
    args.add(q.limit());
    return db.run(
        "list leases",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
              ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
              List<LeaseRow> out = new ArrayList<>();
              while (rs.next()) {
                Lease l = lease(rs);
                out.add(
                    new LeaseRow(
                        l,
                        LeaseState.fromWire(rs.getString(10)),
                        rs.getString(11) != null,
                        rs.getInt(12),
                        rs.getString(13)));
              }
              return out;
            }
          }
        });
  }

  /**
   * "active" here means not yet revoked: an expired lease can still be revoked, so a reaper that
   * revokes what expired gets true exactly once, however late it runs. A credential that lives at
   * its target is not gone until it is removed there: REVOKING, which the reaper picks up (see
   * JdbcTargetLeaseStore); Warden's own tokens end here.
   */
  private static final String REVOKE =
      "UPDATE leases SET revoked_at = ?, revoke_reason = ?,"
          + " state = CASE WHEN target IS NULL THEN 'revoked' ELSE 'revoking' END,"
          + " removal_due = CASE WHEN target IS NULL THEN NULL ELSE ? END WHERE id = ? AND revoked_at IS NULL";

  @Override
  public boolean revoke(String id, Instant at, String reason) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(at, "at");
    // one transaction with the counter: a revocation committed without it would never reach the
    // other nodes' caches
    boolean moved =
        db.inTransaction(
            "revoke lease '" + id + "'",
            c -> {
              try (PreparedStatement ps = c.prepareStatement(REVOKE)) {
                bindRevoke(ps, id, at, reason);
                if (ps.executeUpdate() != 1) {
                  return false;
                }
              }
              ChangeCounters.bump(c, ChangeCounters.LEASES);
              return true;
            });
    if (moved) {
      revoked.run();
    }
    return moved;
  }

  @Override
  public Set<String> revokeAll(Collection<String> ids, Instant at, String reason) {
    Objects.requireNonNull(at, "at");
    List<String> sorted =
        ids.stream().distinct().sorted().toList(); // one lock order: no deadlock between nodes
    if (sorted.isEmpty()) {
      return Set.of();
    }
    Set<String> out =
        db.inTransaction(
            "revoke " + sorted.size() + " leases",
            c -> {
              Set<String> done;
              try (PreparedStatement ps = c.prepareStatement(REVOKE)) {
                for (String id : sorted) {
                  bindRevoke(ps, id, at, reason);
                  ps.addBatch();
                }
                done = moved(sorted, ps.executeBatch());
              }
              if (!done.isEmpty()) {
                // last, so the counter row is locked only for the commit
                ChangeCounters.bump(c, ChangeCounters.LEASES);
              }
              return done;
            });
    if (!out.isEmpty()) {
      revoked.run();
    }
    return out;
  }

  /** The {@code leases} change counter: it moves with every committed revocation. */
  long revocations() {
    return ChangeCounters.read(db, ChangeCounters.LEASES);
  }

  private static void bindRevoke(PreparedStatement ps, String id, Instant at, String reason)
      throws SQLException {
    ps.setLong(1, Micros.of(at));
    Db.setText(ps, 2, reason);
    ps.setLong(3, Micros.of(at));
    ps.setString(4, id);
  }

  /** The ids whose statement in a batch changed a row, by the batch's update counts. */
  static Set<String> moved(List<String> ids, int[] counts) throws SQLException {
    if (counts.length != ids.size()) {
      throw new SQLException(
          "a batch of " + ids.size() + " updates returned " + counts.length + " counts");
    }
    Set<String> out = new LinkedHashSet<>();
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] == java.sql.Statement.SUCCESS_NO_INFO) {
        throw new SQLException("the driver did not report which updates of a batch changed a row");
      }
      if (counts[i] > 0) {
        out.add(ids.get(i));
      }
    }
    return out;
  }

  @Override
  public boolean extend(String id, Instant expiresAt, Instant now) {
    Objects.requireNonNull(id, "id");
    return db.write(
        "extend lease '" + id + "'",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE leases SET expires_at = ? WHERE id = ? AND state = 'active'"
                      + " AND revoked_at IS NULL AND expires_at > ? AND expires_at < ?")) {
            long to = Micros.of(Micros.truncate(expiresAt));
            ps.setLong(1, to);
            ps.setString(2, id);
            ps.setLong(3, Micros.of(now));
            ps.setLong(4, to);
            return ps.executeUpdate() == 1;
          }
        });
  }

  private List<Lease> select(String what, String sql, String arg) {
    return db.run(
        what,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            return read(ps);
          }
        });
  }

  /**
   * The lease in columns 1 to 9 of a row read with the columns of {@code leases} in their order
   * (id, kind, workload, resource, issued_at, expires_at, revoked_at, revoke_reason, fingerprint).
   */
  static Lease lease(ResultSet rs) throws SQLException {
    return new Lease(
        rs.getString(1),
        dev.warden.core.model.CredentialKind.fromWire(rs.getString(2)),
        rs.getString(3),
        rs.getString(4),
        Micros.toInstant(rs.getLong(5)),
        Micros.toInstant(rs.getLong(6)),
        Db.getMicros(rs, 7),
        rs.getString(8),
        rs.getString(9));
  }

  private static List<Lease> read(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      List<Lease> out = new ArrayList<>();
      while (rs.next()) {
        out.add(lease(rs));
      }
      return out;
    }
  }

  static void insertAll(Connection c, List<Lease> leases) throws SQLException {
    if (leases.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      for (Lease l : leases) {
        bind(ps, l);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }
}
