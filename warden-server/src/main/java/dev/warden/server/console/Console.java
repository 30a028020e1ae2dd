package dev.warden.server.console;

import dev.warden.core.error.ConflictException;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.error.ValidationException;
import dev.warden.server.admin.AdminPrincipal;
import dev.warden.server.admin.AuthException;
import dev.warden.server.http.BadRequestException;
import dev.warden.server.http.Errors;
import dev.warden.server.http.FormBody;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The web console under {@code /console/}: one filter around every page. Per request it sets the
 * security headers (a strict Content-Security-Policy with no inline script or style, no framing),
 * serves the assets, handles sign-in and sign-out, finds the session, re-reads the admin token it
 * stands for, refuses a POST without the session's CSRF token or from another origin, checks the
 * page's scope and runs it; failures become an error page, never a stack trace.
 *
 * <p>Sign-in exchanges an admin token for a session cookie (HttpOnly, SameSite=Strict, Secure and
 * {@code __Host-} prefixed over TLS); the token is checked once and never kept by the browser.
 * Signing in and out ({@link SignIn}) and the cookies' attributes ({@link ConsoleCookies}) live
 * beside this filter.
 */
public final class Console {
  public static final String PREFIX = "/console";
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
          + "connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
          + "form-action 'self'";
  private static final System.Logger LOG = System.getLogger(Console.class.getName());
  static final String LOGIN = PREFIX + "/login";

  @FunctionalInterface
  interface Handler {
    void handle(ConsoleCall c);
  }

  /** A page: the scope it needs, and its GET and POST handlers (either may be null). */
  record Route(String scope, @Nullable Handler get, @Nullable Handler post) {}

  private final ConsoleServices services;
  private final Sessions sessions;
  private final Assets assets = new Assets();
  private final ConsoleCookies cookies;
  private final Map<String, Route> routes = new HashMap<>();
  private final Estate estate;

  /** Sign-in through the identity provider; null when console.oidc.issuer is unset. */
  private final @Nullable ConsoleOidc oidc;

  private final SignIn signIn;

  /**
   * @param tls true when the listener serves HTTPS: cookies are then Secure and {@code __Host-}
   *     prefixed
   */
  public Console(ConsoleServices services, Duration idle, Duration maxSession, boolean tls) {
    this.services = services;
    this.sessions = new Sessions(services.clock(), idle, maxSession);
    this.cookies = new ConsoleCookies(tls);
    this.oidc =
        ConsoleOidc.fromConfig(
            services.cfg(),
            services.clock(),
            new dev.warden.server.federation.HttpDocumentFetcher());
    this.estate = new Estate(services.inventory(), services.clock());
    this.signIn = new SignIn(services, sessions, assets, cookies, oidc, estate);
    new OverviewPage(services, estate).register(this);
    new WorkloadsPage(services, estate).register(this);
    new CredentialsPage(services).register(this);
    new AuditPage(services).register(this);
    new PoliciesPage(services).register(this);
    new InventoryPage(services, estate).register(this);
    new SettingsPage(services).register(this);
  }

  void route(String path, String scope, @Nullable Handler get, @Nullable Handler post) {
    if (routes.putIfAbsent(PREFIX + path, new Route(scope, get, post)) != null) {
      throw new IllegalStateException("two console pages at " + path);
    }
  }

  /** Serves one request under {@code /console}. */
  public void handle(ServerRequest req, ServerResponse res) {
    long t0 = System.nanoTime();
    String path = req.path().rawPath();
    if (path.startsWith(Assets.PREFIX)) {
      if (assets.serve(path, res)) {
        return;
      }
    }
    headers(res);
    try {
      if (path.equals(PREFIX)) {
        ConsoleCookies.redirect(res, PREFIX + "/");
      } else if (path.equals(LOGIN)) {
        signIn.login(req, res);
      } else if (path.equals(PREFIX + "/logout")) {
        signIn.logout(req, res);
      } else if (oidc != null && path.equals(PREFIX + ConsoleOidc.START)) {
        signIn.oidcStart(oidc, req, res);
      } else if (oidc != null && path.equals(PREFIX + ConsoleOidc.CALLBACK)) {
        signIn.oidcCallback(oidc, req, res);
      } else {
        page(req, res, path, t0);
      }
    } catch (RuntimeException e) {
      error(req, res, e, t0);
    }
  }

  private void page(ServerRequest req, ServerResponse res, String path, long t0) {
    Sessions.Session s = sessions.find(ConsoleCookies.read(req, cookies.session())).orElse(null);
    AdminPrincipal who = s == null ? null : s.admin(services.adminTokens()).orElse(null);
    if (who == null || s == null) { // who is null whenever s is
      if (s != null) {
        sessions.end(s.id);
      }
      toLogin(req, res, path);
      return;
    }
    Route r = routes.get(path);
    if (r == null) {
      throw new NotFoundException("console page", path);
    }
    boolean post = req.prologue().method() == Method.POST;
    ConsoleCall c = new ConsoleCall(req, res, s, who, services, assets, t0);
    if (post) {
      checkPost(req, c.session, c::form);
    } else if (req.prologue().method() != Method.GET) {
      throw new BadRequestException(405, "the console takes GET and POST only");
    }
    Handler h = post ? r.post() : r.get();
    if (h == null) {
      throw new BadRequestException(405, "use " + (post ? "GET" : "POST") + " on " + path);
    }
    c.need(r.scope());
    h.handle(c);
  }

  /**
   * A state-changing request must come from this origin and carry the session's CSRF token (a form
   * field, or the header htmx sends).
   *
   * @throws AuthException 403 otherwise
   */
  static void checkPost(
      ServerRequest req, Sessions.Session session, java.util.function.Supplier<FormBody> form) {
    sameOrigin(req);
    String sent = req.headers().first(HeaderNames.create("X-CSRF-Token")).orElse(null);
    if (sent == null) {
      sent = form.get().get("_csrf");
    }
    if (!session.csrfMatches(sent)) {
      throw new AuthException(
          403,
          "this form has expired or did not come from the console (no valid CSRF token);"
              + " reload the page and try again");
    }
  }

  /**
   * @throws AuthException 403 when the browser says the request came from another site
   */
  static void sameOrigin(ServerRequest req) {
    String site = req.headers().first(HeaderNames.create("Sec-Fetch-Site")).orElse(null);
    if (site != null && !site.equals("same-origin")) {
      throw new AuthException(403, "cross-site requests are refused");
    }
    String origin = req.headers().first(HeaderNames.ORIGIN).orElse(null);
    String host = req.headers().first(HeaderNames.HOST).orElse("");
    if (origin != null && !origin.equals("http://" + host) && !origin.equals("https://" + host)) {
      throw new AuthException(403, "requests from another origin are refused");
    }
  }

  private void toLogin(ServerRequest req, ServerResponse res, String path) {
    String next =
        req.prologue().method() == Method.GET
            ? path + req.query().rawValue().transform(q -> q.isEmpty() ? "" : "?" + q)
            : PREFIX + "/";
    String location = LOGIN + "?next=" + Fmt.q(next);
    if (req.headers().first(HeaderNames.create("HX-Request")).isPresent()) {
      res.header("HX-Redirect", location);
      res.status(401);
      res.send();
      return;
    }
    ConsoleCookies.redirect(res, location);
  }

  /** Only a path inside the console: never another site (an open redirect). */
  static String safeNext(@Nullable String next) {
    if (next == null
        || !next.startsWith(PREFIX + "/")
        || next.startsWith(LOGIN)
        || next.contains("//")
        || next.contains("\\")
        || next.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
      return PREFIX + "/";
    }
    return next;
  }

  private void error(ServerRequest req, ServerResponse res, RuntimeException e, long t0) {
    int status;
    String message;
    if (e instanceof AuthException a) {
      status = a.status();
      message = a.getMessage();
    } else if (e instanceof NotFoundException n) {
      status = 404;
      message = n.getMessage();
    } else if (e instanceof ValidationException || e instanceof ConflictException) {
      status = e instanceof ConflictException ? 409 : 400;
      message = ((dev.warden.core.error.WardenException) e).getMessage();
    } else if (e instanceof BadRequestException b) {
      status = b.status();
      message = b.getMessage();
    } else if (e instanceof dev.warden.core.error.DeniedException d) {
      status = 403;
      message = d.getMessage();
    } else {
      // the class only: a library's message can quote what the request sent
      LOG.log(
          System.Logger.Level.ERROR,
          "console failure on "
              + Errors.printable(req.path().rawPath())
              + ": "
              + e.getClass().getName());
      status = 500;
      message = "internal error; see the server log";
    }
    String shown = Errors.printable(message);
    byte[] html = ConsoleCall.render(o -> JteerrorGenerated.render(o, null, assets, status, shown));
    res.header("Server-Timing", "render;dur=" + (System.nanoTime() - t0) / 1000 / 1000.0);
    res.status(status);
    res.header("Content-Type", "text/html; charset=utf-8");
    res.send(html);
  }

  private static void headers(ServerResponse res) {
    securityHeaders(res::header);
  }

  /** The headers of every console answer, the listener's own refusals included. */
  public static void securityHeaders(java.util.function.BiConsumer<String, String> header) {
    header.accept("Content-Security-Policy", CSP);
    header.accept("X-Frame-Options", "DENY");
    header.accept("X-Content-Type-Options", "nosniff");
    // not no-referrer: under it browsers send "Origin: null" with a form POST, and the origin
    // check needs the real one; same-origin still sends nothing to other sites
    header.accept("Referrer-Policy", "same-origin");
    header.accept("Cross-Origin-Opener-Policy", "same-origin");
    header.accept("Cache-Control", "no-store");
  }

  /**
   * The page for a console address the web server refused before routing: Helidon 4.2.0 refuses
   * {@code :} in a query (helidon#9862, fixed in 4.2.1), so a pasted {@code ?id=spiffe://…} gets
   * here. It explains, and its script retries with the query percent-encoded.
   */
  public byte[] refusedAddress(String path, String message) {
    String shown = Errors.printable(message.length() > 200 ? message.substring(0, 200) : message);
    return ConsoleCall.render(
        o -> Jtebad_addressGenerated.render(o, null, assets, Errors.printable(path), shown));
  }
}
