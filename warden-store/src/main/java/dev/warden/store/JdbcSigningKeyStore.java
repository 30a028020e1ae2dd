package dev.warden.store;

import dev.warden.core.error.ConflictException;
import dev.warden.core.keys.KeyPurpose;
import dev.warden.core.keys.KeyState;
import dev.warden.core.keys.SigningKeyRecord;
import dev.warden.core.keys.SigningKeyStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Signing keys. A state change is a compare-and-set on the state column, so of two nodes rotating
 * at once exactly one moves the key; every change bumps the {@code signing_keys} counter in the
 * same transaction. A key's purpose is written once, at insert, and is part of the compare-and-set,
 * so no update can move a key to another purpose.
 */
final class JdbcSigningKeyStore implements SigningKeyStore {
  private final Db db;

  JdbcSigningKeyStore(Db db) {
    this.db = db;
  }

  @Override
  public List<SigningKeyRecord> list() {
    return db.run(
        "list signing keys",
        c -> {
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT kid, algorithm, state, public_jwk, encrypted_private_key, created_at, activated_at, retired_at,"
                          + " destroy_after, purpose FROM signing_keys ORDER BY created_at, kid");
              ResultSet rs = ps.executeQuery()) {
            List<SigningKeyRecord> out = new ArrayList<>();
            while (rs.next()) {
              out.add(
                  new SigningKeyRecord(
                      rs.getString(1),
                      KeyPurpose.valueOf(rs.getString(10)),
                      rs.getString(2),
                      KeyState.valueOf(rs.getString(3)),
                      rs.getString(4),
                      rs.getBytes(5),
                      Micros.toInstant(rs.getLong(6)),
                      Db.getMicros(rs, 7),
                      Db.getMicros(rs, 8),
                      Db.getMicros(rs, 9)));
            }
            return out;
          }
        });
  }

  @Override
  public void insert(SigningKeyRecord k) {
    db.inTransaction(
        "insert signing key '" + k.kid() + "'",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO signing_keys (algorithm, state, public_jwk, encrypted_private_key, created_at, activated_at,"
                      + " retired_at, destroy_after, kid, purpose) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            bind(ps, k);
            ps.setString(10, k.purpose().name());
            ps.executeUpdate();
          } catch (SQLException e) {
            if (Db.isUniqueViolation(e)) {
              throw new ConflictException(
                  "signing key '" + k.kid() + "' already exists; generate a new kid");
            }
            throw e;
          }
          ChangeCounters.bump(c, ChangeCounters.SIGNING_KEYS);
          return null;
        });
  }

  @Override
  public boolean update(SigningKeyRecord k, KeyState expectedState) {
    Objects.requireNonNull(expectedState, "expectedState");
    return db.inTransaction(
        "update signing key '" + k.kid() + "'",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE signing_keys SET algorithm = ?, state = ?, public_jwk = ?, encrypted_private_key = ?, created_at = ?,"
                      + " activated_at = ?, retired_at = ?, destroy_after = ? WHERE kid = ? AND state = ? AND purpose = ?")) {
            bind(ps, k);
            ps.setString(10, expectedState.name());
            ps.setString(11, k.purpose().name());
            if (ps.executeUpdate() != 1) {
              return false;
            }
          }
          ChangeCounters.bump(c, ChangeCounters.SIGNING_KEYS);
          return true;
        });
  }

  @Override
  public long changeCounter() {
    return ChangeCounters.read(db, ChangeCounters.SIGNING_KEYS);
  }

  /** Binds parameters 1–9 in the order both statements above share, kid last. */
  private static void bind(PreparedStatement ps, SigningKeyRecord k) throws SQLException {
    ps.setString(1, k.algorithm());
    ps.setString(2, k.state().name());
    ps.setString(3, k.publicJwk());
    ps.setBytes(4, k.encryptedPrivateKey());
    ps.setLong(5, Micros.of(k.createdAt()));
    Db.setMicros(ps, 6, k.activatedAt());
    Db.setMicros(ps, 7, k.retiredAt());
    Db.setMicros(ps, 8, k.destroyAfter());
    ps.setString(9, k.kid());
  }
}
