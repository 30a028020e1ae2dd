package dev.warden.server.http;

import dev.warden.core.crypto.SecretBox;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.UnavailableException;
import dev.warden.core.model.Resource;
import dev.warden.core.oauth.Authorizations;
import dev.warden.core.oauth.ClientMetadata;
import dev.warden.core.oauth.ClientRegistry;
import dev.warden.core.oauth.Pkce;
import dev.warden.core.trust.AttestedIdentity;
import dev.warden.server.oauth.LoginState;
import dev.warden.server.oauth.UpstreamLogin;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /oauth2/authorize} and its return leg {@code GET /oauth2/callback}: the authorization
 * code flow for MCP clients acting for a user (docs/agents.md).
 *
 * <p>Order matters. Until the client's metadata document is fetched and the {@code redirect_uri} is
 * found in it, nothing is trustworthy to redirect to, so errors are shown to the user as a page
 * (RFC 6749 section 4.1.2.1), never redirected. After that, errors go back to the client as {@code
 * error}, {@code state} and {@code iss} (RFC 9207). The user then signs in at the upstream identity
 * provider ({@link UpstreamLogin}); the request waits sealed in the provider's {@code state}
 * ({@link LoginState}), bound to this browser by a cookie. On return the policy decides ({@link
 * Authorizations}) and the client receives {@code code}, {@code state} and {@code iss}. Every
 * refusal is audited.
 */
public final class AuthorizeEndpoint {
  public static final String CALLBACK_PATH = "/oauth2/callback";
  static final String COOKIE = "warden_login";

  private final ClientRegistry clients;
  private final Authorizations authorizations;
  private final UpstreamLogin login;
  private final SecretBox box;
  private final String issuer;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public AuthorizeEndpoint(
      ClientRegistry clients,
      Authorizations authorizations,
      UpstreamLogin login,
      SecretBox box,
      String issuer,
      Clock clock) {
    this.clients = clients;
    this.authorizations = authorizations;
    this.login = login;
    this.box = box;
    this.issuer = issuer;
    this.clock = clock;
  }

  /** {@code GET /oauth2/authorize}. */
  public void authorize(ServerRequest req, ServerResponse res) {
    String source = TokenEndpoint.address(req.remotePeer().address());
    FormBody q;
    try {
      q = query(req);
    } catch (BadRequestException e) {
      refuse(
          res,
          req,
          new Authorizations.Request(null, null, null, null, null, source),
          new DeniedException(Reason.INVALID_REQUEST, e.getMessage()));
      return;
    }
    Authorizations.Request partial =
        new Authorizations.Request(
            q.optional("client_id"),
            q.optional("redirect_uri"),
            q.optional("resource"),
            q.optional("scope"),
            q.optional("code_challenge"),
            source);
    // 1. the client and its redirect URI: errors are shown, never redirected
    ClientMetadata client;
    try {
      client = clients.resolve(partial.clientId());
      if (partial.redirectUri() == null) {
        throw new DeniedException(Reason.REDIRECT_URI_MISMATCH, "redirect_uri is required");
      }
      if (!client.allowsRedirect(partial.redirectUri())) {
        throw new DeniedException(
            Reason.REDIRECT_URI_MISMATCH,
            "redirect_uri is not one of the redirect_uris of the"
                + " client's metadata document (compared exactly)");
      }
    } catch (DeniedException e) {
      refuse(res, req, partial, e);
      return;
    }
    // 2. from here the redirect URI is trustworthy: errors go back to the client
    String state = q.optional("state");
    try {
      if (!"code".equals(q.optional("response_type"))) {
        throw new Redirected(
            "unsupported_response_type",
            "response_type must be code",
            new DeniedException(Reason.INVALID_REQUEST, "response_type must be code"));
      }
      Pkce.checkChallenge(partial.codeChallenge(), q.optional("code_challenge_method"));
      Resource resource = authorizations.mcpServer(partial.resource());
      String browser = token();
      String nonce = token();
      String verifier = token() + token();
      LoginState pending =
          new LoginState(
              client.clientId(),
              partial.redirectUri(),
              state,
              // checkChallenge refused a request without one
              Objects.requireNonNull(partial.codeChallenge(), "checked by Pkce.checkChallenge"),
              resource.audience(),
              partial.scope(),
              nonce,
              verifier,
              LoginState.hashBrowser(browser),
              clock.instant().getEpochSecond() + LoginState.LIFETIME_SECONDS);
      String upstream = login.authorizationUrl(pending.seal(box), nonce, verifier);
      res.header(
          "Set-Cookie",
          COOKIE
              + "="
              + browser
              + "; Path="
              + CALLBACK_PATH
              + "; Max-Age="
              + LoginState.LIFETIME_SECONDS
              + "; HttpOnly; SameSite=Lax"
              + (issuer.startsWith("https:") ? "; Secure" : ""));
      redirect(res, upstream);
    } catch (Redirected r) {
      authorizations.denied(partial, r.denied, null, null, null);
      redirectError(res, partial.redirectUri(), r.error, r.getMessage(), state);
    } catch (DeniedException e) {
      authorizations.denied(partial, e, null, null, null);
      redirectError(res, partial.redirectUri(), error(e.reason()), e.getMessage(), state);
    } catch (UnavailableException e) {
      redirectError(res, partial.redirectUri(), "temporarily_unavailable", e.getMessage(), state);
    }
  }

  /** {@code GET /oauth2/callback}: the identity provider sends the user back here. */
  public void callback(ServerRequest req, ServerResponse res) {
    String source = TokenEndpoint.address(req.remotePeer().address());
    FormBody q;
    try {
      q = query(req);
    } catch (BadRequestException e) {
      page(res, req, 400, "invalid_request", e.getMessage());
      return;
    }
    LoginState s = LoginState.open(box, q.optional("state"));
    Authorizations.Request partial =
        s == null
            ? new Authorizations.Request(null, null, null, null, null, source)
            : new Authorizations.Request(
                s.clientId(), s.redirectUri(), s.resource(), s.scope(), s.codeChallenge(), source);
    if (s == null) {
      refuse(
          res,
          req,
          partial,
          new DeniedException(
              Reason.LOGIN_FAILED,
              "the sign-in answer carries no state this"
                  + " server issued; start again from the application"));
      return;
    }
    String cookie = cookie(req);
    if (cookie == null || !LoginState.hashBrowser(cookie).equals(s.browserHash())) {
      // not this browser's sign-in (or cookies are off): never hand its result to the client
      refuse(
          res,
          req,
          partial,
          new DeniedException(
              Reason.LOGIN_FAILED,
              "this sign-in was not started in this"
                  + " browser (its cookie is missing or different); start again from the application"));
      return;
    }
    res.header(
        "Set-Cookie", COOKIE + "=; Path=" + CALLBACK_PATH + "; Max-Age=0; HttpOnly; SameSite=Lax");
    AttestedIdentity user = null;
    try {
      if (!s.liveAt(clock.instant())) {
        throw new DeniedException(
            Reason.LOGIN_FAILED,
            "the sign-in took longer than "
                + LoginState.LIFETIME_SECONDS / 60
                + " minutes; start again");
      }
      if (q.optional("error") != null) {
        throw new DeniedException(
            Reason.LOGIN_FAILED,
            "the identity provider answered "
                + Errors.printable(cut(q.optional("error")))
                + "; the user did not sign in");
      }
      String code = q.optional("code");
      if (code == null) {
        throw new DeniedException(
            Reason.LOGIN_FAILED, "the identity provider sent neither code nor error");
      }
      user = login.redeem(code, s.upstreamVerifier(), s.nonce());
    } catch (DeniedException e) {
      authorizations.denied(partial, e, null, login.provider(), null);
      redirectError(
          res,
          s.redirectUri(),
          "access_denied",
          "the user could not be signed in: " + e.getMessage(),
          s.clientState());
      return;
    } catch (UnavailableException e) {
      redirectError(
          res, s.redirectUri(), "temporarily_unavailable", e.getMessage(), s.clientState());
      return;
    }
    try {
      Authorizations.Issued issued = authorizations.authorize(partial, user);
      Map<String, String> p = new LinkedHashMap<>();
      p.put("code", issued.code());
      if (s.clientState() != null) {
        p.put("state", s.clientState());
      }
      p.put("iss", issuer);
      redirect(res, withQuery(s.redirectUri(), p));
    } catch (DeniedException e) {
      // authorize audited it
      redirectError(res, s.redirectUri(), error(e.reason()), e.getMessage(), s.clientState());
    } catch (UnavailableException e) {
      redirectError(
          res, s.redirectUri(), "temporarily_unavailable", e.getMessage(), s.clientState());
    }
  }

  /** RFC 6749 section 4.1.2.1 and RFC 8707 section 2 error codes. */
  static String error(Reason r) {
    return switch (r) {
      case INVALID_TARGET -> "invalid_target";
      case INVALID_SCOPE -> "invalid_scope";
      case INVALID_REQUEST -> "invalid_request";
      default -> "access_denied";
    };
  }

  private void refuse(
      ServerResponse res, ServerRequest req, Authorizations.Request partial, DeniedException e) {
    authorizations.denied(partial, e, null, null, null);
    String code =
        switch (e.reason()) {
          case INVALID_CLIENT_METADATA, CLIENT_METADATA_UNAVAILABLE -> "invalid_client";
          case LOGIN_FAILED -> "access_denied";
          default -> "invalid_request";
        };
    page(res, req, 400, code, e.getMessage());
  }

  /**
   * The error shown to the user, as JSON to a client that asks for it, else as a small HTML page.
   */
  private static void page(
      ServerResponse res, ServerRequest req, int status, String error, String message) {
    res.status(status);
    res.header("Cache-Control", "no-store");
    String accept = req.headers().first(HeaderNames.ACCEPT).orElse("");
    if (accept.contains("application/json") && !accept.contains("text/html")) {
      Errors.oauthBody(res, status, error, message);
      return;
    }
    res.header("Content-Type", "text/html; charset=utf-8");
    res.header("Content-Security-Policy", "default-src 'none'");
    res.send(
        ("<!doctype html><html><head><meta charset=\"utf-8\"><title>Authorization failed</title></head><body>"
                + "<h1>Authorization failed</h1><p><code>"
                + html(error)
                + "</code></p><p>"
                + html(message)
                + "</p><p>Nothing was sent back to the application.</p></body></html>")
            .getBytes(StandardCharsets.UTF_8));
  }

  private void redirectError(
      ServerResponse res,
      String redirectUri,
      String error,
      String description,
      @Nullable String state) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("error", error);
    p.put("error_description", Errors.errorDescription(cut(description)));
    if (state != null) {
      p.put("state", state);
    }
    p.put("iss", issuer);
    redirect(res, withQuery(redirectUri, p));
  }

  private static void redirect(ServerResponse res, String location) {
    res.status(302);
    res.header("Location", location);
    res.header("Cache-Control", "no-store");
    res.send();
  }

  static String withQuery(String uri, Map<String, String> params) {
    StringJoiner j = new StringJoiner("&");
    params.forEach(
        (k, v) ->
            j.add(
                URLEncoder.encode(k, StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    int hash = uri.indexOf('#');
    String base = hash < 0 ? uri : uri.substring(0, hash);
    return base + (base.contains("?") ? "&" : "?") + j;
  }

  private static FormBody query(ServerRequest req) {
    String raw = req.query().rawValue();
    return FormBody.parse(raw == null ? new byte[0] : raw.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static @Nullable String cookie(ServerRequest req) {
    for (String header : req.headers().all(HeaderNames.COOKIE, java.util.List::of)) {
      for (String part : header.split(";")) {
        String p = part.trim();
        if (p.startsWith(COOKIE + "=")) {
          String v = p.substring(COOKIE.length() + 1);
          // RFC 6265 section 4.1.1 allows the value in double quotes (and RFC 2965 clients send it
          // so)
          return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")
              ? v.substring(1, v.length() - 1)
              : v;
        }
      }
    }
    return null;
  }

  private String token() {
    byte[] b = new byte[24];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String cut(String s) {
    return s.length() > 300 ? s.substring(0, 300) : s;
  }

  private static String html(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c < 0x20 ? ' ' : c);
      }
    }
    return sb.toString();
  }

  /** An error with its own OAuth code, sent back to the client. */
  private static final class Redirected extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String error;
    final transient DeniedException denied;
    private final String message;

    Redirected(String error, String message, DeniedException denied) {
      super(message, null, false, false);
      this.error = error;
      this.denied = denied;
      this.message = message;
    }

    @Override
    public String getMessage() {
      return message;
    }
  }
}
