package dev.warden.store;

import dev.warden.core.error.ConflictException;
import dev.warden.core.oauth.AuthorizationCode;
import dev.warden.core.oauth.AuthorizationCodeStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** Authorization codes by the SHA-256 of the code; single use through a conditional UPDATE. */
final class JdbcAuthorizationCodeStore implements AuthorizationCodeStore {
  private static final String COLUMNS =
      "SELECT code_hash, client_id, redirect_uri, resource, audience, scope,"
          + " code_challenge, subject, policy, issued_at, expires_at, token_ttl_s, token_id, used_at, reused_at"
          + " FROM authorization_codes";

  private final Db db;

  JdbcAuthorizationCodeStore(Db db) {
    this.db = db;
  }

  @Override
  public void insert(AuthorizationCode c) {
    Objects.requireNonNull(c, "code");
    db.write(
        "store an authorization code",
        conn -> {
          try (PreparedStatement ps =
              conn.prepareStatement(
                  "INSERT INTO authorization_codes (code_hash, client_id,"
                      + " redirect_uri, resource, audience, scope, code_challenge, subject, policy, issued_at, expires_at,"
                      + " token_ttl_s, token_id, used_at, reused_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setBytes(1, c.codeHash());
            ps.setString(2, c.clientId());
            ps.setString(3, c.redirectUri());
            ps.setString(4, c.resource());
            ps.setString(5, c.audience());
            Db.setText(ps, 6, c.scope());
            ps.setString(7, c.codeChallenge());
            ps.setString(8, c.subject());
            ps.setString(9, c.policy());
            ps.setLong(10, Micros.of(c.issuedAt()));
            ps.setLong(11, Micros.of(c.expiresAt()));
            ps.setLong(12, c.tokenTtl().toSeconds());
            ps.setString(13, c.tokenId());
            Db.setMicros(ps, 14, c.usedAt());
            Db.setMicros(ps, 15, c.reusedAt());
            ps.executeUpdate();
            return null;
          } catch (SQLException e) {
            if (Db.isUniqueViolation(e)) {
              throw new ConflictException(
                  "an authorization code with this hash exists; issue a new code");
            }
            throw e;
          }
        });
  }

  @Override
  public Optional<AuthorizationCode> get(byte[] codeHash) {
    Objects.requireNonNull(codeHash, "codeHash");
    return db.run(
        "read an authorization code",
        conn -> {
          try (PreparedStatement ps = conn.prepareStatement(COLUMNS + " WHERE code_hash = ?")) {
            ps.setBytes(1, codeHash);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return Optional.empty();
              }
              return Optional.of(
                  new AuthorizationCode(
                      rs.getBytes(1),
                      rs.getString(2),
                      rs.getString(3),
                      rs.getString(4),
                      rs.getString(5),
                      rs.getString(6),
                      rs.getString(7),
                      rs.getString(8),
                      rs.getString(9),
                      Micros.toInstant(rs.getLong(10)),
                      Micros.toInstant(rs.getLong(11)),
                      Duration.ofSeconds(rs.getLong(12)),
                      rs.getString(13),
                      Db.getMicros(rs, 14),
                      Db.getMicros(rs, 15)));
            }
          }
        });
  }

  @Override
  public boolean redeem(byte[] codeHash, Instant at) {
    return update(
        "redeem an authorization code",
        "UPDATE authorization_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL",
        codeHash,
        at);
  }

  @Override
  public boolean markReused(byte[] codeHash, Instant at) {
    update(
        "mark an authorization code reused",
        "UPDATE authorization_codes SET reused_at = ? WHERE code_hash = ? AND reused_at IS NULL",
        codeHash,
        at);
    return get(codeHash).isPresent();
  }

  @Override
  public int deleteExpired(Instant before) {
    return db.write(
        "delete expired authorization codes",
        conn -> {
          try (PreparedStatement ps =
              conn.prepareStatement("DELETE FROM authorization_codes WHERE expires_at < ?")) {
            ps.setLong(1, Micros.of(before));
            return ps.executeUpdate();
          }
        });
  }

  private boolean update(String what, String sql, byte[] codeHash, Instant at) {
    Objects.requireNonNull(codeHash, "codeHash");
    Objects.requireNonNull(at, "at");
    return db.write(
        what,
        conn -> {
          try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setLong(1, Micros.of(at));
            ps.setBytes(2, codeHash);
            return ps.executeUpdate() == 1;
          }
        });
  }
}
