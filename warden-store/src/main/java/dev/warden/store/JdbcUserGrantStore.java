package dev.warden.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.error.ConflictException;
import dev.warden.core.model.Selector;
import dev.warden.core.oauth.UserGrant;
import dev.warden.core.oauth.UserGrantStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The user behind each authorization-code token, by the token's jti; selectors and claims as JSON.
 */
final class JdbcUserGrantStore implements UserGrantStore {
  // numbers come back as the verifier gave them: Long (not Integer), BigInteger, Double
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);
  private static final TypeReference<LinkedHashMap<String, Object>> CLAIMS =
      new TypeReference<>() {};

  private final Db db;

  JdbcUserGrantStore(Db db) {
    this.db = db;
  }

  @Override
  public void insert(UserGrant g) {
    Objects.requireNonNull(g, "grant");
    List<String> selectors = g.selectors().stream().map(Selector::toString).sorted().toList();
    String claims = JsonColumns.write(g.claims());
    db.write(
        "store the user behind a token",
        conn -> {
          try (PreparedStatement ps =
              conn.prepareStatement(
                  "INSERT INTO user_grants (token_id, subject, provider, client_id, selectors,"
                      + " claims, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, g.tokenId());
            ps.setString(2, g.subject());
            ps.setString(3, g.provider());
            ps.setString(4, g.clientId());
            ps.setString(5, JsonColumns.write(selectors));
            ps.setString(6, claims);
            ps.setLong(7, Micros.of(g.expiresAt()));
            ps.executeUpdate();
            return null;
          } catch (SQLException e) {
            if (Db.isUniqueViolation(e)) {
              throw new ConflictException("the user behind token " + g.tokenId() + " is recorded");
            }
            throw e;
          }
        });
  }

  @Override
  public Optional<UserGrant> get(String tokenId) {
    Objects.requireNonNull(tokenId, "tokenId");
    return db.run(
        "read the user behind a token",
        conn -> {
          try (PreparedStatement ps =
              conn.prepareStatement(
                  "SELECT token_id, subject, provider, client_id, selectors, claims, expires_at"
                      + " FROM user_grants WHERE token_id = ?")) {
            ps.setString(1, tokenId);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return Optional.empty();
              }
              Set<Selector> selectors = new HashSet<>();
              for (String s : JsonColumns.stringSet(rs.getString(5))) {
                selectors.add(Selector.parse(s));
              }
              return Optional.of(
                  new UserGrant(
                      rs.getString(1),
                      rs.getString(2),
                      rs.getString(3),
                      rs.getString(4),
                      selectors,
                      claims(rs.getString(6)),
                      Micros.toInstant(rs.getLong(7))));
            }
          }
        });
  }

  @Override
  public int deleteExpired(Instant before) {
    Objects.requireNonNull(before, "before");
    return db.write(
        "delete expired user records",
        conn -> {
          try (PreparedStatement ps =
              conn.prepareStatement("DELETE FROM user_grants WHERE expires_at < ?")) {
            ps.setLong(1, Micros.of(before));
            return ps.executeUpdate();
          }
        });
  }

  private static Map<String, Object> claims(String json) {
    try {
      return MAPPER.readValue(json, CLAIMS);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON is corrupt: " + e.getOriginalMessage(), e);
    }
  }
}
