package dev.warden.store;

import dev.warden.core.agent.AgentRecord;
import dev.warden.core.agent.AgentStore;
import dev.warden.core.agent.JoinToken;
import dev.warden.core.agent.ProxyStatus;
import dev.warden.core.error.ConflictException;
import dev.warden.core.model.Selector;
import dev.warden.core.model.SpiffeId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Join tokens and agents; secrets only as SHA-256, selectors as a sorted JSON array. */
final class JdbcAgentStore implements AgentStore {
  private static final String TOKEN_COLUMNS =
      "SELECT id, secret_hash, selectors, created_at, expires_at, used_at, created_by FROM join_tokens";
  private static final String AGENT_COLUMNS =
      "SELECT spiffe_id, node_selectors, attestation, session_hash,"
          + " session_expires_at, attested_at, renewed_at, banned_at FROM agents";

  private final Db db;

  JdbcAgentStore(Db db) {
    this.db = db;
  }

  @Override
  public void insertJoinToken(JoinToken t) {
    db.write(
        "insert join token",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO join_tokens (id, secret_hash, selectors, created_at,"
                      + " expires_at, used_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, t.id());
            ps.setBytes(2, t.secretHash());
            ps.setString(3, selectorsJson(t.selectors()));
            ps.setLong(4, Micros.of(t.createdAt()));
            ps.setLong(5, Micros.of(t.expiresAt()));
            Db.setMicros(ps, 6, t.usedAt());
            Db.setText(ps, 7, t.createdBy());
            ps.executeUpdate();
            return null;
          } catch (SQLException e) {
            if (Db.isUniqueViolation(e)) {
              throw new ConflictException("join token " + t.id() + " already exists");
            }
            throw e;
          }
        });
  }

  @Override
  public Optional<JoinToken> consumeJoinToken(String id, Instant now) {
    return db.inTransaction(
        "use join token",
        c -> {
          Optional<JoinToken> t = readToken(c, id);
          if (t.isEmpty()) {
            return Optional.empty();
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE join_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?")) {
            ps.setLong(1, Micros.of(now));
            ps.setString(2, id);
            ps.setLong(3, Micros.of(now));
            return ps.executeUpdate() == 1 ? t : Optional.<JoinToken>empty();
          }
        });
  }

  @Override
  public Optional<JoinToken> joinToken(String id) {
    return db.run("read join token", c -> readToken(c, id));
  }

  private static Optional<JoinToken> readToken(java.sql.Connection c, String id)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(TOKEN_COLUMNS + " WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new JoinToken(
                rs.getString(1),
                rs.getBytes(2),
                selectors(rs.getString(3)),
                Micros.toInstant(rs.getLong(4)),
                Micros.toInstant(rs.getLong(5)),
                Db.getMicros(rs, 6),
                rs.getString(7)));
      }
    }
  }

  @Override
  public void putAgent(AgentRecord a) {
    db.inTransaction(
        "store agent " + a.id(),
        c -> {
          try (PreparedStatement del =
              c.prepareStatement("DELETE FROM agents WHERE spiffe_id = ?")) {
            del.setString(1, a.id().toString());
            del.executeUpdate();
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO agents (spiffe_id, node_selectors, attestation,"
                      + " session_hash, session_expires_at, attested_at, renewed_at, banned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, a.id().toString());
            ps.setString(2, selectorsJson(a.nodeSelectors()));
            ps.setString(3, a.attestation());
            ps.setBytes(4, a.sessionHash());
            ps.setLong(5, Micros.of(a.sessionExpiresAt()));
            ps.setLong(6, Micros.of(a.attestedAt()));
            Db.setMicros(ps, 7, a.renewedAt());
            Db.setMicros(ps, 8, a.bannedAt());
            ps.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public Optional<AgentRecord> agentBySession(byte[] sessionHash) {
    return db.run(
        "find agent session",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(AGENT_COLUMNS + " WHERE session_hash = ?")) {
            ps.setBytes(1, sessionHash);
            List<AgentRecord> l = readAgents(ps);
            return l.isEmpty() ? Optional.empty() : Optional.of(l.getFirst());
          }
        });
  }

  @Override
  public Optional<AgentRecord> agent(String spiffeId) {
    return db.run(
        "read agent",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(AGENT_COLUMNS + " WHERE spiffe_id = ?")) {
            ps.setString(1, spiffeId);
            List<AgentRecord> l = readAgents(ps);
            return l.isEmpty() ? Optional.empty() : Optional.of(l.getFirst());
          }
        });
  }

  @Override
  public List<AgentRecord> agents() {
    return db.run(
        "list agents",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(AGENT_COLUMNS + " ORDER BY spiffe_id")) {
            return readAgents(ps);
          }
        });
  }

  @Override
  public boolean renewSession(
      String spiffeId, byte[] expectedHash, byte[] newHash, Instant expiresAt, Instant now) {
    return db.write(
        "renew agent session",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE agents SET session_hash = ?, session_expires_at = ?,"
                      + " renewed_at = ? WHERE spiffe_id = ? AND session_hash = ? AND banned_at IS NULL")) {
            ps.setBytes(1, newHash);
            ps.setLong(2, Micros.of(expiresAt));
            ps.setLong(3, Micros.of(now));
            ps.setString(4, spiffeId);
            ps.setBytes(5, expectedHash);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public boolean ban(String spiffeId, Instant at) {
    return db.write(
        "ban agent",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE agents SET banned_at = ? WHERE spiffe_id = ? AND banned_at IS NULL")) {
            ps.setLong(1, Micros.of(at));
            ps.setString(2, spiffeId);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public void putProxyStatuses(String spiffeId, List<ProxyStatus> statuses, Instant at) {
    db.inTransaction(
        "store the proxy statuses of agent " + spiffeId,
        c -> {
          try (PreparedStatement del =
              c.prepareStatement("DELETE FROM agent_proxy_status WHERE agent_id = ?")) {
            del.setString(1, spiffeId);
            del.executeUpdate();
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO agent_proxy_status (agent_id, name, version, state,"
                      + " message, since, reported_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (ProxyStatus p : statuses) {
              ps.setString(1, spiffeId);
              ps.setString(2, p.name());
              ps.setString(3, p.version());
              ps.setString(4, p.state().wire());
              Db.setText(ps, 5, p.message());
              ps.setLong(6, Micros.of(p.since()));
              ps.setLong(7, Micros.of(at));
              ps.addBatch();
            }
            if (!statuses.isEmpty()) {
              ps.executeBatch();
            }
          }
          return null;
        });
  }

  @Override
  public List<ProxyStatus> proxyStatuses(String spiffeId) {
    return db.run(
        "read the proxy statuses of agent " + spiffeId,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT name, version, state, message, since"
                      + " FROM agent_proxy_status WHERE agent_id = ? ORDER BY name")) {
            ps.setString(1, spiffeId);
            try (ResultSet rs = ps.executeQuery()) {
              List<ProxyStatus> out = new ArrayList<>();
              while (rs.next()) {
                out.add(
                    new ProxyStatus(
                        rs.getString(1),
                        rs.getString(2),
                        ProxyStatus.State.parse(rs.getString(3)),
                        rs.getString(4),
                        Micros.toInstant(rs.getLong(5))));
              }
              return out;
            }
          }
        });
  }

  private static List<AgentRecord> readAgents(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      List<AgentRecord> out = new ArrayList<>();
      while (rs.next()) {
        out.add(
            new AgentRecord(
                SpiffeId.parse(rs.getString(1)),
                selectors(rs.getString(2)),
                rs.getString(3),
                rs.getBytes(4),
                Micros.toInstant(rs.getLong(5)),
                Micros.toInstant(rs.getLong(6)),
                Db.getMicros(rs, 7),
                Db.getMicros(rs, 8)));
      }
      return out;
    }
  }

  private static String selectorsJson(Set<Selector> s) {
    TreeSet<String> sorted = new TreeSet<>();
    s.forEach(x -> sorted.add(x.toString()));
    return JsonColumns.write(sorted);
  }

  private static Set<Selector> selectors(String json) {
    Set<Selector> out = new LinkedHashSet<>();
    for (String s : JsonColumns.stringSet(json)) {
      out.add(Selector.parse(s));
    }
    return out;
  }
}
