package dev.warden.server.console;

import dev.warden.core.crypto.Hashes;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Console sessions, in this node's memory: a random 256-bit id (the cookie) maps to the admin
 * token's id, never the token itself (or, for a human signed in through the identity provider, to
 * who they are and the scopes their ID token mapped to), and to the session's CSRF token. A session
 * ends when unused for {@code idle} or {@code max} after sign-in, whichever comes first; a restart
 * ends them all.
 *
 * <p>Design note: sessions are per node on purpose. A console user is pinned to one node by the
 * load balancer or signs in again; nothing secret is shared through the database, and a stolen
 * database backup holds no live session.
 */
final class Sessions {
  /**
   * One signed-in admin. For a token only its id is kept: scopes are read again on every request. A
   * human signed in through the identity provider keeps the scopes of that sign-in until the
   * session ends.
   */
  static final class Session {
    final String id;

    /** The admin token's id; null for a human. */
    final @Nullable String tokenId;

    /** The human signed in through the identity provider; null for a token. */
    final dev.warden.server.admin.@Nullable AdminPrincipal user;

    final String csrf;
    final Instant created;
    volatile Instant lastSeen;

    /** A one-shot message for the next page (what an action did). */
    volatile @Nullable String flash;

    volatile boolean ended;

    Session(
        String id,
        @Nullable String tokenId,
        dev.warden.server.admin.@Nullable AdminPrincipal user,
        String csrf,
        Instant created) {
      this.id = id;
      this.tokenId = tokenId;
      this.user = user;
      this.csrf = csrf;
      this.created = created;
      this.lastSeen = created;
    }

    @Nullable String takeFlash() {
      String f = flash;
      flash = null;
      return f;
    }

    /** Constant-time check of a CSRF token sent with a POST. */
    /**
     * The admin this session acts for: its signed-in user, else its admin token while that is
     * usable (a session is made with one or the other).
     */
    Optional<dev.warden.server.admin.AdminPrincipal> admin(
        dev.warden.server.admin.AdminTokens tokens) {
      dev.warden.server.admin.AdminPrincipal u = user;
      if (u != null) {
        return Optional.of(u);
      }
      String t = tokenId;
      return t == null ? Optional.empty() : tokens.current(t);
    }

    boolean csrfMatches(@Nullable String sent) {
      return sent != null
          && Hashes.constantTimeEquals(
              sent.getBytes(StandardCharsets.UTF_8), csrf.getBytes(StandardCharsets.UTF_8));
    }
  }

  private final Map<String, Session> byId = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final Clock clock;
  private final Duration idle;
  private final Duration max;

  Sessions(Clock clock, Duration idle, Duration max) {
    this.clock = clock;
    this.idle = idle;
    this.max = max;
  }

  Session create(String tokenId) {
    return put(new Session(randomToken(), tokenId, null, randomToken(), clock.instant()));
  }

  /** A session of a human signed in through the identity provider. */
  Session create(dev.warden.server.admin.AdminPrincipal user) {
    return put(new Session(randomToken(), null, user, randomToken(), clock.instant()));
  }

  private Session put(Session s) {
    sweep();
    byId.put(s.id, s);
    return s;
  }

  /** The live session with this id, touched; empty (and forgotten) when unknown or timed out. */
  Optional<Session> find(@Nullable String id) {
    if (id == null || id.length() != 43) {
      return Optional.empty();
    }
    Session s = byId.get(id);
    if (s == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (!now.isBefore(s.lastSeen.plus(idle)) || !now.isBefore(s.created.plus(max))) {
      byId.remove(id);
      return Optional.empty();
    }
    s.lastSeen = now;
    return Optional.of(s);
  }

  void end(String id) {
    if (id != null) {
      Session s = byId.remove(id);
      if (s != null) {
        s.ended = true;
      }
    }
  }

  Duration idle() {
    return idle;
  }

  /** 256 random bits, base64url without padding (43 characters). */
  String randomToken() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private void sweep() {
    Instant now = clock.instant();
    byId.values()
        .removeIf(s -> !now.isBefore(s.lastSeen.plus(idle)) || !now.isBefore(s.created.plus(max)));
  }
}
