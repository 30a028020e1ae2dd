package dev.warden.store;

import dev.warden.core.auditstream.AuditSinkStore;
import dev.warden.core.auditstream.SinkState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Cursors and drain leases of the audit stream's sinks, one row each. The lease is a conditional
 * UPDATE (free, expired or already ours), so of two nodes asking at once exactly one row update
 * succeeds; the cursor moves only forward and only for the lease holder.
 */
final class JdbcAuditSinkStore implements AuditSinkStore {
  private static final String SELECT =
      "SELECT name, acked_seq, holder, held_until FROM audit_sinks";

  private final Db db;

  JdbcAuditSinkStore(Db db) {
    this.db = db;
  }

  @Override
  public SinkState state(String sink) {
    SinkState s = db.run("read the audit sink '" + sink + "'", c -> read(c, sink));
    if (s != null) {
      return s;
    }
    return db.write(
        "create the audit sink '" + sink + "'",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO audit_sinks (name, acked_seq, holder, held_until) VALUES (?, 0, NULL, 0)")) {
            ps.setString(1, sink);
            ps.executeUpdate();
          } catch (SQLException e) {
            // another node created it first
            if (!Db.isUniqueViolation(e)) {
              throw e;
            }
          }
          // the row exists now: this node or another just inserted it
          return Objects.requireNonNull(read(c, sink), "audit sink row");
        });
  }

  private static @Nullable SinkState read(Connection c, String sink) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE name = ?")) {
      ps.setString(1, sink);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? state(rs) : null;
      }
    }
  }

  private static SinkState state(ResultSet rs) throws SQLException {
    return new SinkState(
        rs.getString(1), rs.getLong(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)));
  }

  @Override
  public List<SinkState> list() {
    return db.run(
        "list audit sinks",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(SELECT + " ORDER BY name");
              ResultSet rs = ps.executeQuery()) {
            List<SinkState> out = new ArrayList<>();
            while (rs.next()) {
              out.add(state(rs));
            }
            return out;
          }
        });
  }

  @Override
  public boolean lease(String sink, String holder, Instant now, Instant until) {
    if (tryLease(sink, holder, now, until)) {
      return true;
    }
    // a sink seen for the first time has no row yet
    return state(sink).holder() == null && tryLease(sink, holder, now, until);
  }

  private boolean tryLease(String sink, String holder, Instant now, Instant until) {
    return db.write(
        "take the lease of audit sink '" + sink + "'",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE audit_sinks SET holder = ?, held_until = ? WHERE name = ?"
                      + " AND (holder IS NULL OR holder = ? OR held_until < ?)")) {
            ps.setString(1, holder);
            ps.setLong(2, until.toEpochMilli());
            ps.setString(3, sink);
            ps.setString(4, holder);
            ps.setLong(5, now.toEpochMilli());
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public boolean advance(String sink, String holder, long ackedSeq) {
    return db.write(
        "move the cursor of audit sink '" + sink + "'",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE audit_sinks SET acked_seq = CASE WHEN acked_seq < ? THEN ?"
                      + " ELSE acked_seq END WHERE name = ? AND holder = ?")) {
            ps.setLong(1, ackedSeq);
            ps.setLong(2, ackedSeq);
            ps.setString(3, sink);
            ps.setString(4, holder);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public void release(String sink, String holder) {
    db.write(
        "give up the lease of audit sink '" + sink + "'",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE audit_sinks SET holder = NULL, held_until = 0 WHERE name = ? AND holder = ?")) {
            ps.setString(1, sink);
            ps.setString(2, holder);
            ps.executeUpdate();
            return null;
          }
        });
  }
}
