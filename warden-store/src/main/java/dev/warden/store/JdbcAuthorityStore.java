package dev.warden.store;

import dev.warden.core.error.ConflictException;
import dev.warden.core.keys.KeyState;
import dev.warden.core.pki.AuthorityRecord;
import dev.warden.core.pki.AuthorityStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Certificate authorities. As with signing keys, a state change is a compare-and-set on the state
 * column and bumps the {@code ca_authorities} counter in the same transaction.
 */
final class JdbcAuthorityStore implements AuthorityStore {
  private final Db db;

  JdbcAuthorityStore(Db db) {
    this.db = db;
  }

  @Override
  public List<AuthorityRecord> list() {
    return db.run(
        "list certificate authorities",
        c -> {
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT state, chain_der, roots_der, encrypted_private_key, not_before, not_after, created_at, activated_at,"
                          + " id FROM ca_authorities ORDER BY created_at, id");
              ResultSet rs = ps.executeQuery()) {
            List<AuthorityRecord> out = new ArrayList<>();
            while (rs.next()) {
              out.add(
                  new AuthorityRecord(
                      rs.getString(9),
                      KeyState.valueOf(rs.getString(1)),
                      rs.getBytes(2),
                      rs.getBytes(3),
                      rs.getBytes(4),
                      Micros.toInstant(rs.getLong(5)),
                      Micros.toInstant(rs.getLong(6)),
                      Micros.toInstant(rs.getLong(7)),
                      Db.getMicros(rs, 8)));
            }
            return out;
          }
        });
  }

  @Override
  public void insert(AuthorityRecord a) {
    db.inTransaction(
        "insert certificate authority",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO ca_authorities (state, chain_der, roots_der, encrypted_private_key, not_before, not_after,"
                      + " created_at, activated_at, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            bind(ps, a);
            ps.executeUpdate();
          } catch (SQLException e) {
            if (Db.isUniqueViolation(e)) {
              throw new ConflictException("certificate authority " + a.id() + " already exists");
            }
            throw e;
          }
          ChangeCounters.bump(c, ChangeCounters.CA_AUTHORITIES);
          return null;
        });
  }

  @Override
  public boolean update(AuthorityRecord a, KeyState expectedState) {
    Objects.requireNonNull(expectedState, "expectedState");
    return db.inTransaction(
        "update certificate authority",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE ca_authorities SET state = ?, chain_der = ?, roots_der = ?, encrypted_private_key = ?,"
                      + " not_before = ?, not_after = ?, created_at = ?, activated_at = ? WHERE id = ? AND state = ?")) {
            bind(ps, a);
            ps.setString(10, expectedState.name());
            if (ps.executeUpdate() != 1) {
              return false;
            }
          }
          ChangeCounters.bump(c, ChangeCounters.CA_AUTHORITIES);
          return true;
        });
  }

  @Override
  public long changeCounter() {
    return ChangeCounters.read(db, ChangeCounters.CA_AUTHORITIES);
  }

  private static void bind(PreparedStatement ps, AuthorityRecord a) throws SQLException {
    ps.setString(1, a.state().name());
    ps.setBytes(2, a.chainDer());
    ps.setBytes(3, a.rootsDer());
    ps.setBytes(4, a.encryptedPrivateKey());
    ps.setLong(5, Micros.of(a.notBefore()));
    ps.setLong(6, Micros.of(a.notAfter()));
    ps.setLong(7, Micros.of(a.createdAt()));
    Db.setMicros(ps, 8, a.activatedAt());
    ps.setString(9, a.id());
  }
}
