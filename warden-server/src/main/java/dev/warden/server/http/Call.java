package dev.warden.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.server.admin.AdminPrincipal;
import dev.warden.server.admin.AuthException;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One request to the API under {@code /v1} as a handler sees it: the request, the response, and the
 * admin caller, authenticated once (before routing in units that need a token for every path, else
 * when the first route asks for a scope).
 */
final class Call {
  private final ServerRequest req;
  private final ServerResponse res;
  private final Supplier<AdminPrincipal> authenticate;
  private @Nullable AdminPrincipal who;

  Call(ServerRequest req, ServerResponse res, Supplier<AdminPrincipal> authenticate) {
    this.req = req;
    this.res = res;
    this.authenticate = authenticate;
  }

  ServerRequest req() {
    return req;
  }

  ServerResponse res() {
    return res;
  }

  /** The path as sent, still percent-encoded: SPIFFE IDs arrive as one encoded segment. */
  String rawPath() {
    return req.path().rawPath();
  }

  Method method() {
    return req.prologue().method();
  }

  /**
   * The admin caller.
   *
   * @throws AuthException 401 when the request carries no valid admin token
   */
  AdminPrincipal who() {
    AdminPrincipal w = who;
    if (w == null) {
      w = authenticate.get();
      who = w;
    }
    return w;
  }

  /**
   * Checks that the caller's admin token holds {@code scope}.
   *
   * @throws AuthException 401 without a valid admin token, 403 without the scope
   */
  void need(String scope) {
    if (!who().has(scope)) {
      throw new AuthException(403, "this admin token lacks the '" + scope + "' scope");
    }
  }

  /** A query parameter as sent (possibly empty), or null. */
  @Nullable String query(String name) {
    return req.query().first(name).orElse(null);
  }

  /** A query parameter, or null when absent or empty. */
  @Nullable String param(String name) {
    String v = query(name);
    return v == null || v.isEmpty() ? null : v;
  }

  /**
   * @throws BadRequestException when the body is over {@code limit} (413) or is not one JSON value
   */
  JsonNode json(int limit) {
    return HttpJson.parse(Bodies.read(req, limit));
  }

  /**
   * The JSON body, or an empty object when the request has none (a body that only adds options).
   */
  JsonNode optionalJson(int limit) {
    byte[] b = Bodies.read(req, limit);
    return new String(b, java.nio.charset.StandardCharsets.UTF_8).isBlank()
        ? HttpJson.object()
        : HttpJson.parse(b);
  }

  void send(int status, JsonNode body) {
    res.status(status);
    res.header("Content-Type", "application/json");
    res.send(HttpJson.bytes(body));
  }
}
