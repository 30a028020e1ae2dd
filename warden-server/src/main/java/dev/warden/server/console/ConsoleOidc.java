package dev.warden.server.console;

import dev.warden.core.crypto.Hashes;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.ProviderType;
import dev.warden.core.model.TrustProviderSpec;
import dev.warden.core.trust.AttestedIdentity;
import dev.warden.core.trust.DocumentFetcher;
import dev.warden.core.trust.TrustOptions;
import dev.warden.core.trust.TrustProviders;
import dev.warden.server.admin.AdminPrincipal;
import dev.warden.server.admin.Scopes;
import dev.warden.server.config.ServerConfig;
import dev.warden.server.config.ServerKeys;
import dev.warden.server.oauth.UpstreamLogin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Sign-in of human administrators through an upstream OpenID Connect provider ({@code
 * console.oidc.*}): the authorization code flow with PKCE (S256), {@code state} and {@code nonce},
 * run by {@link UpstreamLogin} (the relying party of the MCP authorization server's user sign-in).
 * The provider is compiled as a trust provider of its own, never stored: its ID tokens are verified
 * by the same code as every platform token (algorithm allow-list, key by {@code kid} from its JWKS,
 * exact issuer, the console's client id as audience, times), and they can never attest a workload
 * at the token endpoint. The values of one claim ({@code console.oidc.scopesClaim}, e.g. groups)
 * map to admin scopes through {@code console.oidc.scopeMap}; no scope, no session.
 *
 * <p>Design note: a sign-in in progress lives in this node's memory, keyed by its random {@code
 * state} and bound to the browser that started it by an HttpOnly cookie (SameSite=Lax, or the
 * provider's redirect back would not carry it), single use, for {@value #PENDING_SECONDS} s; like
 * console sessions, a sign-in finishes on the node it started on.
 */
final class ConsoleOidc {
  static final String START = "/oidc/start";
  static final String CALLBACK = "/oidc/callback";
  static final String COOKIE = "warden-oidc";
  static final long PENDING_SECONDS = 600;

  /** At most this many sign-ins in progress: the start page is open to anyone. */
  static final int MAX_PENDING = 10_000;

  private static final String PROVIDER = "console-sign-in";

  /** A sign-in waiting for the provider's answer. */
  private record Pending(
      String verifier, String nonce, String browserHash, String next, Instant expires) {}

  /** The end of a sign-in: an administrator, or why not (a reason code and a message). */
  record Outcome(
      @Nullable AdminPrincipal admin,
      @Nullable AttestedIdentity user,
      @Nullable String reason,
      @Nullable String message) {
    static Outcome refused(String reason, String message) {
      return new Outcome(null, null, reason, message);
    }
  }

  private final UpstreamLogin login;
  private final String issuer;
  private final String scopesClaim;
  private final Map<String, Set<String>> scopeMap;
  private final Clock clock;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();

  private ConsoleOidc(
      UpstreamLogin login,
      String issuer,
      String scopesClaim,
      Map<String, Set<String>> scopeMap,
      Clock clock) {
    this.login = login;
    this.issuer = issuer;
    this.scopesClaim = scopesClaim;
    this.scopeMap = scopeMap;
    this.clock = clock;
  }

  /**
   * The sign-in configured by {@code console.oidc.*}, or null when {@code console.oidc.issuer} is
   * unset.
   *
   * @throws ValidationException naming the key when the configuration cannot work
   */
  static @Nullable ConsoleOidc fromConfig(ServerConfig cfg, Clock clock, DocumentFetcher fetcher) {
    String iss = cfg.get(ServerKeys.CONSOLE_OIDC_ISSUER);
    if (iss == null) {
      return null;
    }
    String clientId = cfg.get(ServerKeys.CONSOLE_OIDC_CLIENT_ID);
    if (clientId == null) {
      throw new ValidationException(
          ServerKeys.CONSOLE_OIDC_CLIENT_ID.name(),
          "is required with console.oidc.issuer:"
              + " the console's client id at the identity provider");
    }
    String scopes = cfg.get(ServerKeys.CONSOLE_OIDC_SCOPES);
    if (!Arrays.asList(scopes.trim().split(" +")).contains("openid")) {
      throw new ValidationException(
          ServerKeys.CONSOLE_OIDC_SCOPES.name(),
          "must include openid, or no ID token comes" + " back");
    }
    Secret literal = cfg.get(ServerKeys.CONSOLE_OIDC_CLIENT_SECRET);
    Path file = cfg.get(ServerKeys.CONSOLE_OIDC_CLIENT_SECRET_FILE);
    if (literal != null && file != null) {
      throw new ValidationException(
          ServerKeys.CONSOLE_OIDC_CLIENT_SECRET_FILE.name(),
          "set console.oidc.clientSecret" + " or console.oidc.clientSecretFile, not both");
    }
    if (file != null) {
      readSecret(file); // refuse to start with a file that cannot be read
    }
    Supplier<@Nullable Secret> secret = file == null ? () -> literal : () -> readSecret(file);
    Map<String, Set<String>> map = scopeMap(cfg.get(ServerKeys.CONSOLE_OIDC_SCOPE_MAP));
    TrustProviderSpec spec;
    try {
      spec =
          new TrustProviderSpec(
              PROVIDER,
              ProviderType.OIDC,
              iss,
              null,
              null,
              List.of(clientId),
              cfg.get(ServerKeys.CONSOLE_OIDC_ALGORITHMS),
              TrustProviderSpec.DEFAULT_MAX_TOKEN_AGE,
              TrustProviderSpec.DEFAULT_CLOCK_SKEW,
              Map.of(),
              List.of("nonce"),
              false);
    } catch (ValidationException e) {
      // the spec's fields are issuer and algorithms: say which key set them
      String key =
          "algorithms".equals(e.field())
              ? ServerKeys.CONSOLE_OIDC_ALGORITHMS.name()
              : ServerKeys.CONSOLE_OIDC_ISSUER.name();
      String m = e.getMessage();
      throw new ValidationException(
          key,
          e.field() != null && m.startsWith(e.field() + ": ")
              ? m.substring(e.field().length() + 2)
              : m);
    }
    TrustProviders trust =
        TrustProviders.build(List.of(spec), fetcher, clock, TrustOptions.defaults());
    UpstreamLogin login =
        new UpstreamLogin(
            PROVIDER,
            clientId,
            secret,
            scopes,
            cfg.issuer() + Console.PREFIX + CALLBACK,
            name -> PROVIDER.equals(name) ? spec : null,
            () -> trust,
            fetcher);
    return new ConsoleOidc(login, iss, cfg.get(ServerKeys.CONSOLE_OIDC_SCOPES_CLAIM), map, clock);
  }

  /** {@code value=scope scope} entries, each scope one Warden knows. */
  static Map<String, Set<String>> scopeMap(List<String> entries) {
    String key = ServerKeys.CONSOLE_OIDC_SCOPE_MAP.name();
    Map<String, Set<String>> m = new LinkedHashMap<>();
    for (String e : entries) {
      int eq = e.indexOf('=');
      if (eq < 1 || eq == e.length() - 1) {
        throw new ValidationException(
            key, "each entry is value=scope [scope…], e.g. warden-admins=admin; got '" + e + "'");
      }
      Set<String> scopes = new TreeSet<>(Arrays.asList(e.substring(eq + 1).trim().split(" +")));
      for (String s : scopes) {
        if (!Scopes.ALL.contains(s)) {
          throw new ValidationException(
              key, "'" + s + "' is not an admin scope; one of " + new TreeSet<>(Scopes.ALL));
        }
      }
      m.merge(
          e.substring(0, eq).trim(),
          scopes,
          (a, b) -> {
            Set<String> u = new TreeSet<>(a);
            u.addAll(b);
            return u;
          });
    }
    if (m.isEmpty()) {
      throw new ValidationException(
          key,
          "is required with console.oidc.issuer: map at least one value of "
              + "console.oidc.scopesClaim to admin scopes, or nobody can sign in");
    }
    return Map.copyOf(m);
  }

  private static Secret readSecret(Path file) {
    try {
      String s =
          Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
      if (s.isEmpty()) {
        throw new ValidationException(
            ServerKeys.CONSOLE_OIDC_CLIENT_SECRET_FILE.name(), file + " is empty");
      }
      return Secret.of(s);
    } catch (IOException e) {
      throw new ValidationException(
          ServerKeys.CONSOLE_OIDC_CLIENT_SECRET_FILE.name(),
          "cannot read " + file + ": " + e.getClass().getSimpleName());
    }
  }

  /** The provider's issuer, for the sign-in button. */
  String issuer() {
    return issuer;
  }

  /**
   * Starts a sign-in: remembers it under a fresh {@code state} bound to {@code browser} (the value
   * of the cookie the caller sets) and answers where to send the browser.
   *
   * @throws DeniedException {@code login_failed} when the provider cannot be used (discovery), or
   *     too many sign-ins are in progress
   */
  String start(String state, String nonce, String verifier, String browser, String next) {
    Instant now = clock.instant();
    pending.values().removeIf(p -> !now.isBefore(p.expires()));
    if (pending.size() >= MAX_PENDING) {
      throw new DeniedException(
          Reason.LOGIN_FAILED, "too many sign-ins are in progress; try again in a few minutes");
    }
    String url = login.authorizationUrl(state, nonce, verifier);
    pending.put(
        state, new Pending(verifier, nonce, hash(browser), next, now.plusSeconds(PENDING_SECONDS)));
    return url;
  }

  /**
   * Where a finished sign-in goes: the page asked for when it started, or null when the state is
   * unknown.
   */
  @Nullable String next(@Nullable String state) {
    Pending p = state == null ? null : pending.get(state);
    return p == null ? null : p.next();
  }

  /**
   * Finishes a sign-in with the provider's answer: takes the pending sign-in (once), checks it came
   * back to the browser that started it, redeems the code, verifies the ID token and maps its claim
   * to admin scopes.
   */
  Outcome finish(
      @Nullable String state,
      @Nullable String code,
      @Nullable String error,
      @Nullable String browser) {
    Pending p = state == null ? null : pending.remove(state);
    if (p == null || !clock.instant().isBefore(p.expires())) {
      return Outcome.refused(
          "login_expired", "this sign-in expired or was already used; sign in again");
    }
    if (browser == null
        || !Hashes.constantTimeEquals(
            hash(browser).getBytes(StandardCharsets.UTF_8),
            p.browserHash().getBytes(StandardCharsets.UTF_8))) {
      return Outcome.refused(
          "login_other_browser", "this sign-in was started in another browser; sign in again here");
    }
    if (error != null) {
      return Outcome.refused(
          "login_refused", "the identity provider did not sign you in: " + cut(error));
    }
    if (code == null) {
      return Outcome.refused(
          Reason.LOGIN_FAILED.code(), "the identity provider answered without a code");
    }
    AttestedIdentity user;
    try {
      user = login.redeem(code, p.verifier(), p.nonce());
    } catch (DeniedException e) {
      return Outcome.refused(e.reason().code(), e.getMessage());
    }
    Set<String> scopes = new TreeSet<>();
    for (String v : values(user.claims().get(scopesClaim))) {
      scopes.addAll(scopeMap.getOrDefault(v, Set.of()));
    }
    String name =
        user.claims().get("email") instanceof String email && !email.isBlank()
            ? email
            : user.subject();
    if (scopes.isEmpty()) {
      return new Outcome(
          null,
          user,
          "no_admin_scopes",
          "signed in at the identity provider as "
              + cut(name)
              + ", but no value of its '"
              + scopesClaim
              + "' claim maps to a Warden admin scope (console.oidc.scopeMap);"
              + " ask an administrator");
    }
    return new Outcome(AdminPrincipal.signedInUser(user, cut(name), scopes), user, null, null);
  }

  private static Collection<String> values(@Nullable Object claim) {
    if (claim instanceof String s) {
      return List.of(s);
    }
    if (claim instanceof Collection<?> c) {
      return c.stream().filter(String.class::isInstance).map(String.class::cast).toList();
    }
    return List.of();
  }

  private static String hash(String v) {
    return java.util.HexFormat.of().formatHex(Hashes.sha256(v));
  }

  private static String cut(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "…" : s;
  }
}
