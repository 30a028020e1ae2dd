package dev.warden.agent.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.agent.workloadapi.IdentityException;
import dev.warden.core.model.SpiffeId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The JWT-SVIDs the agent minted for its workloads, by workload and audience set: one is served
 * again until half its life has passed, and, while the server cannot be reached, until it expires;
 * one the server refuses by policy is dropped at once. Apart from {@link AgentRuntime} because its
 * rules (which token may still be served) are the part worth reading alone.
 */
final class JwtSvids {
  private record Jwt(String token, Instant issuedAt, Instant expiresAt) {}

  private final Map<String, Jwt> jwts = new ConcurrentHashMap<>();
  private final ServerClient server;
  private final Clock clock;
  private final Supplier<AgentRuntime.@Nullable Session> session;

  JwtSvids(ServerClient server, Clock clock, Supplier<AgentRuntime.@Nullable Session> session) {
    this.server = server;
    this.clock = clock;
    this.session = session;
  }

  /** A JWT-SVID for {@code id} and {@code audience}: the cached one, or a new one. */
  String get(SpiffeId id, List<String> audience) throws IdentityException {
    String key = key(id.toString(), audience);
    Instant now = clock.instant();
    Jwt cached = jwts.get(key);
    if (cached != null && now.isBefore(halfLife(cached.issuedAt(), cached.expiresAt()))) {
      return cached.token();
    }
    AgentRuntime.Session s = session.get();
    try {
      if (s == null) {
        throw AgentRuntime.noSession();
      }
      JsonNode r = server.jwtSvid(s.token(), id.toString(), audience);
      String token = r.path("token").asText();
      Instant exp = expiry(token);
      jwts.put(key, new Jwt(token, now, exp));
      return token;
    } catch (ServerException e) {
      if (e.status() == 403) {
        // refused by policy now: never fall back to a token minted before the policy changed
        jwts.remove(key);
        throw new IdentityException(
            "the server refused a JWT-SVID for " + id + " (" + e.error() + "): " + e.getMessage(),
            true);
      }
      if (cached != null && now.isBefore(cached.expiresAt())) {
        return cached.token(); // server unreachable: an unexpired cached token is still valid
      }
      throw new IdentityException("cannot get a JWT-SVID for " + id + ": " + e.getMessage());
    }
  }

  /** The cached JWT-SVID if it is still served without asking the server; else null. */
  @Nullable String cached(SpiffeId id, List<String> audience) {
    Jwt cached = jwts.get(key(id.toString(), audience));
    return cached != null
            && clock.instant().isBefore(halfLife(cached.issuedAt(), cached.expiresAt()))
        ? cached.token()
        : null;
  }

  /** Whether the JWT-SVID of {@code id} for {@code audience} alone is missing or past half-life. */
  boolean due(String id, String audience, Instant now) {
    Jwt j = jwts.get(key(id, List.of(audience)));
    return j == null || !now.isBefore(halfLife(j.issuedAt(), j.expiresAt()));
  }

  /** Drops every JWT-SVID of a registration this agent no longer serves. */
  void forget(String id) {
    jwts.keySet().removeIf(k -> k.startsWith(id + "\n"));
  }

  private static String key(String id, List<String> audience) {
    List<String> a = new ArrayList<>(new LinkedHashSet<>(audience));
    a.sort(null);
    return id + "\n" + String.join("\n", a);
  }

  static Instant halfLife(Instant from, Instant to) {
    return from.plus(Duration.between(from, to).dividedBy(2));
  }

  /** The {@code exp} of a JWT-SVID the server just returned, read by the one JWS parser. */
  private static Instant expiry(String jwt) {
    try {
      Object exp = dev.warden.core.trust.UnverifiedJws.parse(jwt).claims().get("exp");
      return Instant.ofEpochSecond(exp instanceof Number n ? n.longValue() : 0);
    } catch (RuntimeException e) {
      throw new IllegalStateException("the server returned a JWT-SVID that cannot be read", e);
    }
  }
}
