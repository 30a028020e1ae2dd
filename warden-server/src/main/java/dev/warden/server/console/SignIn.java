package dev.warden.server.console;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.crypto.Hashes;
import dev.warden.server.admin.AdminPrincipal;
import dev.warden.server.admin.AuthException;
import dev.warden.server.http.BadRequestException;
import dev.warden.server.http.Bodies;
import dev.warden.server.http.Errors;
import dev.warden.server.http.FormBody;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Signing in to the console and out of it: with an admin token through the sign-in form (bound to
 * the browser by a single-use cookie), or with the identity provider (state, nonce and PKCE, the
 * browser bound the same way); each attempt audited, success or failure. Apart from {@link Console}
 * because it is the one part of the console that runs without a session.
 */
final class SignIn {
  private static final String LOGIN_COOKIE = "warden-login";
  private static final Duration LOGIN_FORM_LIFETIME = Duration.ofMinutes(10);
  private static final String LOGIN = Console.LOGIN;

  private final ConsoleServices services;
  private final Sessions sessions;
  private final Assets assets;
  private final ConsoleCookies cookies;
  private final @Nullable ConsoleOidc oidc;
  private final Estate estate;

  SignIn(
      ConsoleServices services,
      Sessions sessions,
      Assets assets,
      ConsoleCookies cookies,
      @Nullable ConsoleOidc oidc,
      Estate estate) {
    this.services = services;
    this.sessions = sessions;
    this.assets = assets;
    this.cookies = cookies;
    this.oidc = oidc;
    this.estate = estate;
  }

  void login(ServerRequest req, ServerResponse res) {
    if (req.prologue().method() == Method.GET) {
      // the overview is the first page after signing in: start its aggregates now, off this request
      estate.warm();
      loginForm(res, req.query().first("next").orElse(null), null, 200);
      return;
    }
    if (req.prologue().method() != Method.POST) {
      throw new BadRequestException(405, "use GET or POST on " + LOGIN);
    }
    Console.sameOrigin(req);
    FormBody form = FormBody.parse(Bodies.read(req, ConsoleCall.MAX_FORM));
    String nonce = ConsoleCookies.read(req, LOGIN_COOKIE);
    String sent = form.get("_login");
    if (nonce == null
        || sent == null
        || !Hashes.constantTimeEquals(
            nonce.getBytes(StandardCharsets.UTF_8), sent.getBytes(StandardCharsets.UTF_8))) {
      loginForm(res, form.optional("next"), "The sign-in form expired; try again.", 403);
      return;
    }
    String token = form.optional("token");
    AdminPrincipal who;
    try {
      who = services.adminTokens().authenticate(token == null ? null : "Bearer " + token.trim());
    } catch (AuthException e) {
      auditSignIn(null, AuditOutcome.FAILURE, "admin_token_invalid", e.getMessage());
      loginForm(
          res, form.optional("next"), "That admin token was not accepted: " + e.getMessage(), 401);
      return;
    }
    // a principal authenticated by its admin token names that token
    Sessions.Session s =
        sessions.create(Objects.requireNonNull(who.tokenId(), "a token principal's token id"));
    auditSignIn(who, AuditOutcome.SUCCESS, "", null);
    ConsoleCookies.set(res, cookies.session(s.id));
    ConsoleCookies.set(res, cookies.expired(LOGIN_COOKIE, LOGIN));
    ConsoleCookies.redirect(res, Console.safeNext(form.optional("next")));
  }

  private void loginForm(
      ServerResponse res, @Nullable String next, @Nullable String error, int status) {
    String nonce = sessions.randomToken();
    ConsoleCookies.set(
        res,
        LOGIN_COOKIE
            + "="
            + nonce
            + "; Path="
            + LOGIN
            + "; HttpOnly; SameSite=Strict; Max-Age="
            + LOGIN_FORM_LIFETIME.toSeconds()
            + cookies.secure());
    String sso =
        oidc == null
            ? null
            : Console.PREFIX + ConsoleOidc.START + "?next=" + Fmt.q(Console.safeNext(next));
    byte[] html =
        ConsoleCall.render(
            o ->
                JteloginGenerated.render(
                    o,
                    null,
                    assets,
                    nonce,
                    Console.safeNext(next),
                    error,
                    sso,
                    oidc == null ? null : hostOf(oidc.issuer())));
    res.status(status);
    res.header("Content-Type", "text/html; charset=utf-8");
    res.send(html);
  }

  void logout(ServerRequest req, ServerResponse res) {
    if (req.prologue().method() != Method.POST) {
      throw new BadRequestException(405, "sign out with POST (the button in the console)");
    }
    Sessions.Session s = sessions.find(ConsoleCookies.read(req, cookies.session())).orElse(null);
    if (s != null) {
      Console.checkPost(req, s, () -> FormBody.parse(Bodies.read(req, ConsoleCall.MAX_FORM)));
      sessions.end(s.id);
      s.admin(services.adminTokens())
          .ifPresent(
              who ->
                  services
                      .audit()
                      .write(
                          AuditEvent.of(
                              AuditType.CONSOLE_SIGNED_OUT,
                              AuditOutcome.SUCCESS,
                              null,
                              services.clock().instant(),
                              who.actor(),
                              null,
                              null,
                              Map.of("via", "console"))));
    }
    ConsoleCookies.set(res, cookies.expired(cookies.session(), "/"));
    ConsoleCookies.redirect(res, LOGIN);
  }

  /**
   * Single sign-on, step one: a fresh {@code state}, {@code nonce} and PKCE verifier, the browser
   * bound by a cookie, and off to the identity provider.
   */
  void oidcStart(ConsoleOidc oidc, ServerRequest req, ServerResponse res) {
    if (req.prologue().method() != Method.GET) {
      throw new BadRequestException(405, "use GET on " + Console.PREFIX + ConsoleOidc.START);
    }
    String browser = sessions.randomToken();
    String url;
    try {
      url =
          oidc.start(
              sessions.randomToken(),
              sessions.randomToken(),
              sessions.randomToken() + sessions.randomToken(),
              browser,
              Console.safeNext(req.query().first("next").orElse(null)));
    } catch (dev.warden.core.error.DeniedException e) {
      loginForm(
          res,
          req.query().first("next").orElse(null),
          "Single sign-on is not available: " + e.getMessage(),
          502);
      return;
    }
    // Lax, not Strict: the identity provider's redirect back is a cross-site navigation
    ConsoleCookies.set(
        res,
        ConsoleOidc.COOKIE
            + "="
            + browser
            + "; Path="
            + Console.PREFIX
            + "/oidc; HttpOnly; SameSite=Lax; Max-Age="
            + ConsoleOidc.PENDING_SECONDS
            + cookies.secure());
    res.status(303);
    res.header("Location", url);
    res.send();
  }

  /**
   * Single sign-on, step two: the provider's answer. The session cookie is SameSite=Strict, so the
   * way on is a page of ours that refreshes to the page asked for: a navigation started on this
   * site carries it, the provider's cross-site redirect would not.
   */
  void oidcCallback(ConsoleOidc oidc, ServerRequest req, ServerResponse res) {
    if (req.prologue().method() != Method.GET) {
      throw new BadRequestException(405, "use GET on " + Console.PREFIX + ConsoleOidc.CALLBACK);
    }
    String state = req.query().first("state").orElse(null);
    String next = oidc.next(state);
    ConsoleOidc.Outcome o =
        oidc.finish(
            state,
            req.query().first("code").orElse(null),
            req.query().first("error").orElse(null),
            ConsoleCookies.read(req, ConsoleOidc.COOKIE));
    ConsoleCookies.set(res, cookies.expired(ConsoleOidc.COOKIE, Console.PREFIX + "/oidc"));
    AdminPrincipal admin = o.admin();
    if (admin == null) {
      // a refused outcome has its reason and message (ConsoleOidc.finish)
      String reason = Objects.requireNonNull(o.reason(), "a refusal's reason");
      String message = Objects.requireNonNull(o.message(), "a refusal's message");
      Map<String, String> details = new HashMap<>();
      details.put("via", "oidc");
      details.put("message", Errors.printable(message));
      if (o.user() != null) {
        details.put("subject", dev.warden.core.oauth.UserPrincipal.subject(o.user()));
      }
      writeSignIn("console", AuditOutcome.FAILURE, reason, details);
      loginForm(
          res,
          next,
          "Single sign-on failed: " + message,
          reason.equals("no_admin_scopes") ? 403 : 401);
      return;
    }
    AdminPrincipal who = admin;
    Sessions.Session s = sessions.create(who);
    services
        .audit()
        .write(
            AuditEvent.of(
                AuditType.CONSOLE_SIGNED_IN,
                AuditOutcome.SUCCESS,
                null,
                services.clock().instant(),
                who.actor(),
                null,
                null,
                Map.of(
                    "via",
                    "oidc",
                    "name",
                    who.name(),
                    "scopes",
                    String.join(" ", new java.util.TreeSet<>(who.scopes())))));
    ConsoleCookies.set(res, cookies.session(s.id));
    String to = Console.safeNext(next);
    byte[] html =
        ConsoleCall.render(out -> JtesignedinGenerated.render(out, null, assets, to, who.name()));
    res.status(200);
    res.header("Content-Type", "text/html; charset=utf-8");
    res.send(html);
  }

  private static String hostOf(String url) {
    try {
      String h = java.net.URI.create(url).getHost();
      return h == null ? url : h;
    } catch (IllegalArgumentException e) {
      return url;
    }
  }

  private void auditSignIn(
      @Nullable AdminPrincipal who, AuditOutcome outcome, String reason, @Nullable String message) {
    Map<String, String> details = new HashMap<>();
    details.put("via", "console");
    if (who != null) {
      details.put("tokenName", who.name());
    }
    if (message != null) {
      details.put("message", message);
    }
    writeSignIn(who == null ? "console" : who.actor(), outcome, reason, details);
  }

  /** A sign-in attempt's audit event, with the reason code of a refusal ("" on success). */
  private void writeSignIn(
      String actor, AuditOutcome outcome, String reason, Map<String, String> details) {
    services
        .audit()
        .write(
            new AuditEvent(
                UUID.randomUUID().toString(),
                services.clock().instant(),
                AuditType.CONSOLE_SIGNED_IN.wire(),
                outcome.wire(),
                reason,
                actor,
                null,
                null,
                details,
                null));
  }
}
