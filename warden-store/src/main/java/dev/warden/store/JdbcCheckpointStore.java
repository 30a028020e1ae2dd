package dev.warden.store;

import dev.warden.core.checkpoint.Checkpoint;
import dev.warden.core.checkpoint.CheckpointStore;
import dev.warden.core.checkpoint.SignedCheckpoint;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The newest signed audit checkpoints. The primary key (seq, hash) makes two nodes that signed the
 * same head store it once. Newest means stored last (an identity column): checkpoint times are
 * whole seconds, and a head moved back and signed again within the same second must still come
 * first.
 */
final class JdbcCheckpointStore implements CheckpointStore {
  private static final String SELECT =
      "SELECT seq, hash, signed_at, issuer, chain, kid, jws FROM audit_checkpoints";

  private final Db db;

  JdbcCheckpointStore(Db db) {
    this.db = db;
  }

  @Override
  public boolean add(SignedCheckpoint s) {
    Checkpoint c = s.checkpoint();
    return db.write(
        "store audit checkpoint " + c.seq(),
        conn -> {
          try (PreparedStatement ps =
              conn.prepareStatement(
                  "INSERT INTO audit_checkpoints (seq, hash, signed_at, issuer,"
                      + " chain, kid, jws) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, c.seq());
            ps.setBytes(2, c.hash());
            ps.setLong(3, Micros.of(c.time()));
            ps.setString(4, c.issuer());
            ps.setString(5, c.chain());
            ps.setString(6, s.kid());
            ps.setString(7, s.jws());
            ps.executeUpdate();
            return true;
          } catch (SQLException e) {
            if (Db.isUniqueViolation(e)) {
              return false;
            }
            throw e;
          }
        });
  }

  @Override
  public Optional<SignedCheckpoint> latest() {
    return list(1).stream().findFirst();
  }

  @Override
  public List<SignedCheckpoint> list(int limit) {
    if (limit <= 0) {
      return List.of();
    }
    return db.run(
        "read audit checkpoints",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(SELECT + " ORDER BY stored DESC LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
              List<SignedCheckpoint> out = new ArrayList<>();
              while (rs.next()) {
                out.add(
                    new SignedCheckpoint(
                        new Checkpoint(
                            rs.getString(4),
                            rs.getString(5),
                            rs.getLong(1),
                            rs.getBytes(2),
                            Micros.toInstant(rs.getLong(3))),
                        rs.getString(6),
                        rs.getString(7)));
              }
              return out;
            }
          }
        });
  }

  @Override
  public int prune(int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep at least one checkpoint, got " + keep);
    }
    return db.write(
        "prune audit checkpoints",
        c -> {
          long oldestKept;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT stored FROM audit_checkpoints ORDER BY stored DESC LIMIT 1 OFFSET ?")) {
            ps.setInt(1, keep - 1);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return 0;
              }
              oldestKept = rs.getLong(1);
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM audit_checkpoints WHERE stored < ?")) {
            ps.setLong(1, oldestKept);
            return ps.executeUpdate();
          }
        });
  }
}
