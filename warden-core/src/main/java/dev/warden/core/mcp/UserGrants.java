package dev.warden.core.mcp;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.oauth.UserGrant;
import dev.warden.core.oauth.UserGrantStore;
import dev.warden.core.token.Actor;
import dev.warden.core.token.VerifiedWardenToken;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The signed-in user behind a token an MCP client presents (decision 661): the record the
 * authorization endpoint stored under the token's {@code jti}, read once per token and then kept
 * until it expires. A record never changes while it lives, and taking a token away is the lease's
 * job ({@code tokens.verify} reads the lease on every call), so keeping it costs no revocation.
 */
final class UserGrants {
  /** Most records kept; beyond it the cache starts over (one indexed read to get one back). */
  static final int MAX_GRANTS = 50_000;

  private final UserGrantStore store;
  private final Map<String, UserGrant> grants = new ConcurrentHashMap<>();

  UserGrants(UserGrantStore store) {
    this.store = store;
  }

  /**
   * The user the token's client acts for, as attested at sign-in.
   *
   * @throws DeniedException {@code user_grant_missing} when there is no live record for this token,
   *     or the record names another user or client than the token does
   */
  UserGrant of(VerifiedWardenToken t, Instant now) {
    UserGrant g = grants.get(t.jti());
    if (g == null) {
      Optional<UserGrant> stored = store.get(t.jti());
      if (stored.isEmpty()) {
        throw missing(
            "no record of the user's sign-in behind this token is left (it expired, or the token"
                + " was issued before Warden kept one); the client must authorize again");
      }
      g = stored.get();
      if (grants.size() >= MAX_GRANTS) {
        grants.clear();
      }
      grants.put(t.jti(), g);
    }
    if (!now.isBefore(g.expiresAt())) {
      grants.remove(t.jti());
      throw missing("the record of the user's sign-in expired; the client must authorize again");
    }
    Actor act = t.actor();
    if (!g.subject().equals(t.subject())
        || !g.clientId().equals(t.clientId())
        || act == null
        || act.prior() != null
        || !act.subject().equals(g.clientId())) {
      throw missing(
          "the record of the user's sign-in names another user or client than this token; the"
              + " client must authorize again");
    }
    return g;
  }

  private static DeniedException missing(String why) {
    return new DeniedException(Reason.USER_GRANT_MISSING, why);
  }
}
