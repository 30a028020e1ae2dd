package dev.warden.agent.edge.http;

import dev.warden.agent.edge.EdgeCredential;
import dev.warden.core.edge.HttpRoute;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderNames;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

/**
 * Where a route's credential goes in a forwarded request, and which credentials can go there at
 * all. Kept apart from the connection's state machine ({@link HttpFrontend}) because it is pure:
 * the one place a secret is written into a request, fuzzed on its own.
 */
final class CredentialPlacement {
  /**
   * The credential kinds (WorkloadCredentials' engine names for them) the proxy can put into a
   * request.
   */
  static final Set<String> HTTP_KINDS = Set.of("access_token", "upstream_token", "brokered_secret");

  private CredentialPlacement() {}

  /**
   * Refuses a route's credential the proxy cannot put into a request: a database user, or one whose
   * kind the server did not name (Set.of's contains throws on null, so that is checked first).
   */
  static void checkKind(HttpRoute route, EdgeCredential cred) throws HttpRefusal {
    String kind = cred.engine();
    if (kind == null || !HTTP_KINDS.contains(kind)) {
      throw new HttpRefusal(
          502,
          "resource "
              + route.resource()
              + " answers a "
              + (kind == null ? "credential of no named kind" : kind + " credential")
              + ", which the http proxy cannot put into a request (it injects Warden access tokens,"
              + " upstream tokens and brokered secrets)");
    }
  }

  /**
   * Puts the credential where the route says, after removing what the application sent there:
   * tokens as {@code Authorization: Bearer}; a brokered secret as the route's header (Bearer in
   * Authorization, the bare value in another), query parameter, or Basic credentials.
   *
   * @return the request target (changed only for a query parameter)
   */
  static String inject(HttpRoute route, EdgeCredential credential, HttpHeaders h, String originForm)
      throws HttpRefusal {
    h.remove(HttpHeaderNames.AUTHORIZATION);
    if (route.header() != null) {
      h.remove(route.header());
    }
    String v = credential.password().reveal();
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < 0x20 && c != '\t' || c == 0x7f) {
        throw new HttpRefusal(
            502,
            "the credential of resource "
                + route.resource()
                + " holds control characters "
                + "and cannot be sent in a request");
      }
    }
    if (!"brokered_secret".equals(credential.engine())) {
      h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + v);
      return originForm;
    }
    switch (route.placement()) {
      case QUERY -> {
        return HttpWire.withQueryParameter(originForm, route.name(), v);
      }
      case BASIC -> {
        if (v.indexOf(':') < 0) {
          throw new HttpRefusal(
              502,
              "the brokered secret of resource "
                  + route.resource()
                  + " is not user:password, "
                  + "as the route's basic option needs");
        }
        h.set(
            HttpHeaderNames.AUTHORIZATION,
            "Basic " + Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8)));
      }
      case HEADER ->
          h.set(route.name(), route.name().equalsIgnoreCase("authorization") ? "Bearer " + v : v);
    }
    return originForm;
  }
}
