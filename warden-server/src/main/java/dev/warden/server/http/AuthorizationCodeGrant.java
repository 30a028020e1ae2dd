package dev.warden.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.grant.GrantType;
import dev.warden.core.oauth.CodeGrant;
import dev.warden.server.ServerMetrics;
import io.helidon.webserver.http.ServerResponse;
import org.jspecify.annotations.Nullable;

/**
 * {@code grant_type=authorization_code} at {@code POST /oauth2/token} (RFC 6749 section 4.1.3, RFC
 * 7636, RFC 8707): the client is a public client named by its Client ID Metadata Document URL, so
 * it sends {@code client_id} and proves possession of the code with {@code code_verifier}; it sends
 * no Authorization header and no client assertion. The token endpoint hands the parsed form here;
 * its other grants are untouched.
 */
public final class AuthorizationCodeGrant {
  private final CodeGrant grant;
  private final ServerMetrics metrics;

  public AuthorizationCodeGrant(CodeGrant grant, ServerMetrics metrics) {
    this.grant = grant;
    this.metrics = metrics;
  }

  void handle(
      FormBody form,
      @Nullable String httpAuthScheme,
      String source,
      ServerResponse res,
      long start) {
    try {
      if (httpAuthScheme != null
          || form.get("client_assertion") != null
          || form.get("client_secret") != null) {
        throw new DeniedException(
            Reason.CLIENT_AUTH_UNSUPPORTED,
            "a client named by its metadata document is a"
                + " public client: send client_id and code_verifier, no Authorization header, secret or assertion");
      }
      CodeGrant.Issued issued =
          grant.exchange(
              new CodeGrant.Request(
                  form.required("code"),
                  form.required("code_verifier"),
                  form.required("redirect_uri"),
                  form.required("client_id"),
                  form.optional("resource"),
                  source));
      ObjectNode body = HttpJson.object();
      body.put("access_token", issued.accessToken().reveal());
      body.put("token_type", "Bearer");
      body.put("expires_in", issued.expiresInSeconds());
      if (issued.scope() != null) {
        body.put("scope", issued.scope());
      }
      TokenEndpoint.sendCredential(res, body);
      metrics.grant("allow", "allowed", System.nanoTime() - start);
    } catch (DeniedException e) {
      metrics.grant("deny", e.reason().code(), System.nanoTime() - start);
      Errors.oauth(res, e, GrantType.AUTHORIZATION_CODE, httpAuthScheme);
    } catch (BadRequestException e) {
      metrics.grant("deny", Reason.INVALID_REQUEST.code(), System.nanoTime() - start);
      Errors.oauth(res, e, GrantType.AUTHORIZATION_CODE, httpAuthScheme);
    } catch (RuntimeException e) {
      metrics.grant("error", "error", System.nanoTime() - start);
      Errors.oauth(res, e, GrantType.AUTHORIZATION_CODE, httpAuthScheme);
    }
  }
}
