package dev.warden.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.ConflictException;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.StoreException;
import dev.warden.core.error.UnavailableException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.grant.GrantType;
import dev.warden.server.admin.AuthException;
import io.helidon.webserver.http.ServerResponse;
import org.jspecify.annotations.Nullable;

/**
 * The one place where errors become HTTP responses: RFC 6749 bodies for the OAuth endpoints, {@code
 * {"error","message","field"}} for the admin API. Messages are the exceptions' own, which are
 * written to be safe to show; anything unexpected becomes a generic 500 with no detail.
 */
public final class Errors {
  private static final System.Logger LOG = System.getLogger(Errors.class.getName());

  private Errors() {}

  /**
   * Renders a token-endpoint failure. RFC 6749 section 5.2: {@code invalid_client} is 400 unless
   * the client tried to authenticate with the Authorization header; then it must be 401 with a
   * WWW-Authenticate challenge for the scheme the client used. (A 401 whose challenge says {@code
   * Bearer error="invalid_client"} made clients such as openid-client report the challenge and drop
   * the body's error_description.)
   *
   * @param httpAuthScheme the scheme of the request's Authorization header, or null if it sent none
   */
  static void oauth(
      ServerResponse res, Throwable t, @Nullable GrantType grant, @Nullable String httpAuthScheme) {
    if (t instanceof DeniedException d) {
      Reason r = d.reason();
      String error = oauthError(r, grant);
      String description =
          switch (error) {
            case "access_denied" ->
                "access to the requested resource is denied by policy (" + r.code() + ")";
            default -> d.getMessage();
          };
      int status = 400;
      if (error.equals("invalid_client") && httpAuthScheme != null) {
        status = 401;
        res.header("WWW-Authenticate", httpAuthScheme + " realm=\"warden\"");
      }
      oauthBody(res, status, error, description);
    } else if (t instanceof BadRequestException b) {
      oauthBody(res, b.status(), "invalid_request", b.getMessage());
    } else if (t instanceof UnavailableException u) {
      res.header("Retry-After", "1");
      oauthBody(res, 503, "temporarily_unavailable", u.getMessage());
    } else if (t instanceof StoreException s) {
      // the database is down or refusing: nothing was issued, and a retry may well succeed
      LOG.log(System.Logger.Level.ERROR, "token endpoint store failure", redacted(s));
      res.header("Retry-After", "1");
      oauthBody(
          res,
          503,
          "temporarily_unavailable",
          "the database failed; nothing was issued; retry later");
    } else {
      LOG.log(System.Logger.Level.ERROR, "token endpoint failure", redacted(t));
      oauthBody(res, 500, "server_error", "internal error; see the server log");
    }
  }

  /** RFC 6749/7523/8693/8707 error code for a reason. */
  static String oauthError(Reason r, @Nullable GrantType grant) {
    return switch (r) {
      case MALFORMED_TOKEN,
          TOKEN_TOO_LARGE,
          ALG_NOT_ALLOWED,
          UNKNOWN_KID,
          BAD_SIGNATURE,
          UNKNOWN_ISSUER,
          WRONG_ISSUER,
          WRONG_AUDIENCE,
          TOKEN_EXPIRED,
          TOKEN_NOT_YET_VALID,
          TOKEN_TOO_OLD,
          MISSING_CLAIM,
          JWKS_UNAVAILABLE ->
          // RFC 7523 §3.2: a bad client assertion is invalid_client; RFC 8693 §2.2.2: a bad
          // subject_token is invalid_request
          grant == GrantType.TOKEN_EXCHANGE ? "invalid_request" : "invalid_client";
      case UNKNOWN_WORKLOAD,
          AMBIGUOUS_WORKLOAD,
          WORKLOAD_SUSPENDED,
          WORKLOAD_RETIRED,
          WORKLOAD_EXPIRED ->
          grant == GrantType.TOKEN_EXCHANGE ? "invalid_grant" : "invalid_client";
      // RFC 7521 section 4.2 and RFC 6749 section 5.2, whatever the grant
      case CLIENT_ID_MISMATCH, CLIENT_AUTH_UNSUPPORTED -> "invalid_client";
      // a secret resource whose secret is missing or deleted: the target cannot be served (RFC
      // 8707)
      case UNKNOWN_RESOURCE, SECRET_UNAVAILABLE -> "invalid_target";
      case INVALID_SCOPE -> "invalid_scope";
      // RFC 8693 §2.2.2: a subject or actor token that is invalid for any reason is invalid_request
      case INVALID_GRANT, ACT_NOT_TRUSTED, MAY_ACT_VIOLATED, TOKEN_REVOKED -> "invalid_request";
      case AUDIENCE_NOT_DELEGATED -> "invalid_target";
      case UNSUPPORTED_GRANT_TYPE -> "unsupported_grant_type";
      // the authorization code grant (RFC 6749 section 5.2, RFC 8707 section 2)
      case INVALID_CODE, CODE_REUSED, PKCE_MISMATCH, REDIRECT_URI_MISMATCH, LOGIN_FAILED ->
          "invalid_grant";
      case INVALID_TARGET -> "invalid_target";
      case INVALID_CLIENT_METADATA, CLIENT_METADATA_UNAVAILABLE -> "invalid_client";
      case INVALID_REQUEST, REQUEST_TOO_LARGE -> "invalid_request";
      // RFC 9449 section 5
      case INVALID_DPOP_PROOF -> "invalid_dpop_proof";
      default -> "access_denied";
    };
  }

  static void oauthBody(
      ServerResponse res, int status, String error, @Nullable String description) {
    ObjectNode b = HttpJson.object();
    b.put("error", error);
    if (description != null) {
      b.put("error_description", errorDescription(description));
    }
    res.status(status);
    res.header("Content-Type", "application/json");
    res.header("Cache-Control", "no-store");
    res.send(HttpJson.bytes(b));
  }

  /** Renders an admin API failure. */
  public static void api(ServerResponse res, Throwable t) {
    if (t instanceof ValidationException v) {
      body(res, 400, "invalid", v.getMessage(), v.field());
    } else if (t instanceof BadRequestException b) {
      body(res, b.status(), b.status() == 413 ? "too_large" : "bad_request", b.getMessage(), null);
    } else if (t instanceof AuthException a) {
      if (a.status() == 401) {
        res.header("WWW-Authenticate", "Bearer realm=\"warden\"");
      }
      body(res, a.status(), a.status() == 401 ? "unauthorized" : "forbidden", a.getMessage(), null);
    } else if (t instanceof NotFoundException n) {
      body(res, 404, "not_found", n.getMessage(), null);
    } else if (t instanceof ConflictException c) {
      body(res, 409, "conflict", c.getMessage(), null);
    } else if (t instanceof DeniedException d) {
      boolean badInput =
          d.reason() == Reason.MALFORMED_CSR
              || d.reason() == Reason.CSR_REJECTED
              || d.reason() == Reason.WEAK_KEY;
      body(res, badInput ? 400 : 403, d.reason().code(), d.getMessage(), null);
    } else if (t instanceof UnavailableException u) {
      res.header("Retry-After", "1");
      body(res, 503, u.reason().code(), u.getMessage(), null);
    } else if (t instanceof dev.warden.core.error.TargetException x) {
      // a target (a database) refused or could not be reached; its message names the target and the
      // SQLSTATE, never a secret, and says what Warden kept (a pending rotation, decision 117)
      body(res, 502, Reason.TARGET_UNAVAILABLE.code(), x.getMessage(), null);
    } else if (t instanceof StoreException s) {
      LOG.log(System.Logger.Level.ERROR, "store failure", redacted(s));
      res.header("Retry-After", "1");
      body(res, 503, "store_unavailable", "the database failed; retry later", null);
    } else {
      LOG.log(System.Logger.Level.ERROR, "admin API failure", redacted(t));
      body(res, 500, "internal", "internal error; see the server log", null);
    }
  }

  /**
   * What the log keeps of an unexpected failure: each exception's class and stack trace, never its
   * message. Messages of library exceptions can quote what the request sent (a parser's bytes,
   * Jackson's token, a database's rejected value), and no request body may reach the log.
   */
  static Throwable redacted(Throwable t) {
    java.util.List<Throwable> chain = new java.util.ArrayList<>();
    java.util.Set<Throwable> seen =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (Throwable c = t; c != null && chain.size() < 16 && seen.add(c); c = c.getCause()) {
      chain.add(c);
    }
    @Nullable Redacted out = null;
    for (int i = chain.size() - 1; i >= 0; i--) {
      Throwable c = chain.get(i);
      String what =
          c.getClass().getName()
              + (c instanceof java.sql.SQLException q
                  ? " (SQLState " + q.getSQLState() + ", error code " + q.getErrorCode() + ")"
                  : "");
      out = new Redacted(what, out);
      out.setStackTrace(c.getStackTrace());
    }
    // the chain starts with t itself, so the loop ran at least once
    return java.util.Objects.requireNonNull(out, "the chain holds t");
  }

  /** An exception as {@link #redacted} logs it: the original class name, no message. */
  static final class Redacted extends Exception {
    private static final long serialVersionUID = 1L;

    Redacted(String what, @Nullable Throwable cause) {
      super(what + " [message withheld]", cause, false, true);
    }

    @Override
    public String toString() {
      return String.valueOf(getMessage());
    }
  }

  static void body(
      ServerResponse res, int status, String error, String message, @Nullable String field) {
    ObjectNode b = HttpJson.object();
    b.put("error", error);
    b.put("message", message);
    if (field != null && !field.isEmpty()) {
      b.put("field", field);
    }
    res.status(status);
    res.header("Content-Type", "application/json");
    res.send(HttpJson.bytes(b));
  }

  /**
   * RFC 6749 section 5.2 limits error_description to %x20-21 / %x23-5B / %x5D-7E. Messages are
   * written in that set (no section sign, no ellipsis); what a message quotes from the request may
   * not be, so a double quote becomes a single one and anything else outside the set is spelled
   * {@code U+XXXX} — never a silent '?', which would read as part of the text.
   */
  static String errorDescription(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints()
        .forEach(
            c -> {
              if (c == '"') {
                sb.append('\'');
              } else if (c >= 0x20 && c <= 0x7e && c != '\\') {
                sb.append((char) c);
              } else {
                sb.append(String.format(java.util.Locale.ROOT, "U+%04X", c));
              }
            });
    return sb.toString();
  }

  /**
   * Printable ASCII for quoting request text in a message: other characters spelled {@code U+XXXX}.
   */
  public static String printable(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints()
        .forEach(
            c -> {
              if (c >= 0x20 && c <= 0x7e) {
                sb.append((char) c);
              } else {
                sb.append(String.format(java.util.Locale.ROOT, "U+%04X", c));
              }
            });
    return sb.toString();
  }
}
