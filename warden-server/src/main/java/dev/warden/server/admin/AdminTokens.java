package dev.warden.server.admin;

import dev.warden.core.admin.AdminToken;
import dev.warden.core.admin.AdminTokenStore;
import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.crypto.Hashes;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Names;
import dev.warden.core.store.SettingsStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Admin API tokens: {@code wdn_<id>_<secret>}. Only SHA-256 of the secret is stored (the secret has
 * 256 bits of entropy, so a slow hash adds nothing); lookup is by id and the hash comparison is
 * constant time.
 */
public final class AdminTokens {
  private static final String PREFIX = "wdn_";
  private static final String BOOTSTRAP_KEY = "bootstrap.admin-token";

  /** A newly created token: the only time its secret exists outside the caller's hands. */
  public record Issued(AdminToken token, Secret secret) {}

  private final AdminTokenStore store;
  private final SettingsStore settings;
  private final AuditWriter audit;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public AdminTokens(
      AdminTokenStore store, SettingsStore settings, AuditWriter audit, Clock clock) {
    this.store = store;
    this.settings = settings;
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * Creates the bootstrap admin token exactly once per installation (across all nodes).
   *
   * @return the token to print once, or empty if it was created before
   */
  public Optional<Issued> bootstrapOnce() {
    if (settings.get(BOOTSTRAP_KEY).isPresent()) {
      return Optional.empty();
    }
    Issued issued = build("bootstrap", Set.of(Scopes.ADMIN), null, "system");
    if (!settings.putIfAbsent(
        BOOTSTRAP_KEY, issued.token().id().getBytes(StandardCharsets.UTF_8))) {
      return Optional.empty();
    }
    store.insert(issued.token());
    auditTokenChange(AuditType.ADMIN_TOKEN_CREATED, issued.token(), "system");
    return Optional.of(issued);
  }

  /** Creates a token; the secret is returned once and never stored. */
  public Issued create(
      @Nullable String name, Set<String> scopes, @Nullable Duration ttl, String actor) {
    String checkedName = Names.check("name", name);
    Set<String> checked = Scopes.check(scopes);
    if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
      throw new ValidationException("ttl", "must be positive");
    }
    Issued issued = build(checkedName, checked, ttl, actor);
    store.insert(issued.token());
    auditTokenChange(AuditType.ADMIN_TOKEN_CREATED, issued.token(), actor);
    return issued;
  }

  public List<AdminToken> list() {
    return store.list();
  }

  /**
   * @return true if the token existed and is now revoked
   */
  public boolean revoke(String id, String actor) {
    boolean revoked = store.revoke(id, clock.instant());
    if (revoked) {
      audit.write(
          AuditEvent.of(
              AuditType.ADMIN_TOKEN_REVOKED,
              AuditOutcome.SUCCESS,
              null,
              clock.instant(),
              actor,
              null,
              null,
              Map.of("tokenId", id)));
    }
    return revoked;
  }

  /**
   * Checks a bearer credential.
   *
   * @throws AuthException 401 with a reason when it is missing, malformed, unknown, revoked or
   *     expired
   */
  public AdminPrincipal authenticate(@Nullable String authorizationHeader) {
    if (authorizationHeader == null || authorizationHeader.isBlank()) {
      throw new AuthException(
          401,
          "an admin token is required: send 'Authorization: Bearer wdn_...' (see 'warden login')");
    }
    if (!authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new AuthException(401, "use the Bearer scheme: 'Authorization: Bearer wdn_...'");
    }
    String token = authorizationHeader.substring(7).trim();
    if (!token.startsWith(PREFIX) || token.length() > 200) {
      throw new AuthException(401, "the admin token is malformed");
    }
    int sep = token.indexOf('_', PREFIX.length());
    if (sep < 0) {
      throw new AuthException(401, "the admin token is malformed");
    }
    String id = token.substring(PREFIX.length(), sep);
    byte[] hash = Hashes.sha256(token.substring(sep + 1));
    Optional<AdminToken> stored = store.get(id);
    // compare against a dummy hash when the id is unknown, so timing does not reveal valid ids
    byte[] expected = stored.map(AdminToken::secretHash).orElse(new byte[32]);
    boolean ok = Hashes.constantTimeEquals(hash, expected) && stored.isPresent();
    if (!ok) {
      throw new AuthException(401, "the admin token is not valid");
    }
    AdminToken t = stored.get();
    if (!t.isUsable(clock.instant())) {
      throw new AuthException(
          401,
          t.revokedAt() != null ? "the admin token was revoked" : "the admin token has expired");
    }
    return new AdminPrincipal(t.id(), t.name(), t.scopes());
  }

  /**
   * The caller a console session stands for, read again from the store: a token revoked, expired or
   * re-scoped since sign-in takes effect on the session's next request.
   *
   * @return empty when the token is unknown, revoked or expired
   */
  public Optional<AdminPrincipal> current(String tokenId) {
    return store
        .get(tokenId)
        .filter(t -> t.isUsable(clock.instant()))
        .map(t -> new AdminPrincipal(t.id(), t.name(), t.scopes()));
  }

  private Issued build(String name, Set<String> scopes, @Nullable Duration ttl, String actor) {
    byte[] idBytes = new byte[8];
    random.nextBytes(idBytes);
    String id = HexFormat.of().formatHex(idBytes);
    byte[] secretBytes = new byte[32];
    random.nextBytes(secretBytes);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
    Instant now = clock.instant();
    AdminToken t =
        new AdminToken(
            id,
            name,
            Hashes.sha256(secret),
            scopes,
            now,
            ttl == null ? null : now.plus(ttl),
            null,
            actor);
    return new Issued(t, Secret.of(PREFIX + id + "_" + secret));
  }

  private void auditTokenChange(AuditType type, AdminToken t, String actor) {
    audit.write(
        AuditEvent.of(
            type,
            AuditOutcome.SUCCESS,
            null,
            clock.instant(),
            actor,
            null,
            null,
            Map.of(
                "tokenId",
                t.id(),
                "name",
                t.name(),
                "scopes",
                String.join(" ", new java.util.TreeSet<>(t.scopes())))));
  }
}
