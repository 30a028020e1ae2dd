package dev.warden.server.http;

import dev.warden.core.token.TokenIntrospector;
import dev.warden.server.admin.AdminPrincipal;
import dev.warden.server.admin.AdminTokens;
import dev.warden.server.admin.AuthException;
import dev.warden.server.admin.Scopes;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;

/**
 * {@code POST /oauth2/introspect} (RFC 7662) for resource servers, authenticated with a token that
 * holds the {@code introspect} scope. Revoked (for example leaked) tokens answer {@code {"active":
 * false}} at once, without waiting for expiry.
 */
public final class IntrospectionEndpoint {
  private final TokenIntrospector introspector;
  private final AdminTokens callers;

  public IntrospectionEndpoint(TokenIntrospector introspector, AdminTokens callers) {
    this.introspector = introspector;
    this.callers = callers;
  }

  public void handle(ServerRequest req, ServerResponse res) {
    try {
      AdminPrincipal who =
          callers.authenticate(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null));
      if (!who.has(Scopes.INTROSPECT)) {
        throw new AuthException(403, "this token lacks the 'introspect' scope");
      }
      if (!"application/x-www-form-urlencoded".equals(Bodies.mediaType(req))) {
        throw new BadRequestException(
            "send the request as application/x-www-form-urlencoded (RFC 7662 section 2.1)");
      }
      FormBody form = FormBody.parse(Bodies.read(req, 65_536));
      Map<String, Object> result = introspector.introspect(form.required("token"));
      res.header("Content-Type", "application/json");
      res.header("Cache-Control", "no-store");
      res.send(HttpJson.MAPPER.writeValueAsBytes(result));
    } catch (BadRequestException e) {
      Errors.oauthBody(res, e.status(), "invalid_request", e.getMessage());
    } catch (AuthException e) {
      if (e.status() == 401) {
        res.header("WWW-Authenticate", "Bearer realm=\"warden\"");
      }
      Errors.oauthBody(
          res,
          e.status(),
          e.status() == 401 ? "invalid_client" : "insufficient_scope",
          e.getMessage());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      Errors.oauthBody(res, 500, "server_error", "internal error");
    }
  }
}
