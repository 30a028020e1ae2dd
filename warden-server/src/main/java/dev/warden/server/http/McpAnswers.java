package dev.warden.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.dpop.DpopVerifier;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.model.Resource;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * What the MCP gateway answers itself rather than relaying: the RFC 9728 metadata of a gateway, the
 * RFC 6750 / RFC 9449 challenge to a missing or refused token, a JSON-RPC error for a refused
 * message and a plain JSON error for the rest. Apart from {@link McpGatewayEndpoint} so that the
 * wire formats the clients depend on are read in one place.
 */
final class McpAnswers {
  private McpAnswers() {}

  /**
   * RFC 9728 section 3.1: the metadata URL of a resource, with the well-known part inserted after
   * the host.
   */
  static String metadataUrl(String audience) {
    URI u = URI.create(audience);
    String path = u.getRawPath() == null ? "" : u.getRawPath();
    return u.getScheme()
        + "://"
        + u.getRawAuthority()
        + "/.well-known/oauth-protected-resource"
        + (path.equals("/") ? "" : path);
  }

  /** The RFC 9728 metadata document of gateway {@code r}, whose tokens {@code issuer} issues. */
  static void metadata(Resource r, String issuer, ServerResponse res) {
    ObjectNode o = HttpJson.object();
    o.put("resource", r.audience());
    o.putArray("authorization_servers").add(issuer);
    o.putArray("bearer_methods_supported").add("header");
    o.put("resource_name", r.description() != null ? r.description() : r.name());
    o.put("tls_client_certificate_bound_access_tokens", true);
    // RFC 9728 section 2: a token bound to a DPoP key is checked here with its proof (RFC 9449)
    com.fasterxml.jackson.databind.node.ArrayNode algs =
        o.putArray("dpop_signing_alg_values_supported");
    DpopVerifier.ALGORITHMS.forEach(algs::add);
    res.status(200);
    res.header("Content-Type", "application/json");
    res.header("Cache-Control", "max-age=300");
    res.send(HttpJson.bytes(o));
  }

  /**
   * RFC 6750 section 3 and RFC 9728 section 5.1: no token, no error code; a bad token, {@code
   * invalid_token} with what it broke.
   */
  static void unauthorized(
      ServerResponse res, Resource r, @Nullable DeniedException e, DpopVerifier.Scheme scheme) {
    // RFC 9449 section 7.1: a DPoP problem is answered with a DPoP challenge, naming the algs
    boolean dpop =
        e != null
            && (scheme == DpopVerifier.Scheme.DPOP
                || e.reason() == Reason.INVALID_DPOP_PROOF
                || e.reason() == Reason.DPOP_BINDING_MISMATCH);
    String error =
        e != null && e.reason() == Reason.INVALID_DPOP_PROOF
            ? "invalid_dpop_proof"
            : "invalid_token";
    StringBuilder challenge =
        new StringBuilder(
                dpop
                    ? "DPoP algs=\"" + String.join(" ", DpopVerifier.ALGORITHMS) + "\", "
                    : "Bearer ")
            .append("resource_metadata=\"")
            .append(metadataUrl(r.audience()))
            .append('"');
    ObjectNode body = HttpJson.object();
    if (e != null) {
      String description = e.getMessage().replace('"', '\'').replace('\\', '/');
      challenge
          .append(", error=\"")
          .append(error)
          .append("\", error_description=\"")
          .append(description)
          .append('"');
      body.put("error", error);
      body.put("error_description", e.getMessage());
      body.put("reason", e.reason().code());
    } else {
      body.put("error", "unauthorized");
      body.put(
          "error_description",
          "send Authorization: Bearer <a Warden access token for " + r.audience() + ">");
    }
    res.status(401);
    res.header(HeaderNames.WWW_AUTHENTICATE, challenge.toString());
    res.header("Content-Type", "application/json");
    res.header("Cache-Control", "no-store");
    res.send(HttpJson.bytes(body));
  }

  static void rpcError(
      ServerResponse res, int status, JsonNode id, int code, String message, Reason reason) {
    ObjectNode o = HttpJson.object();
    o.put("jsonrpc", "2.0");
    if (id != null) {
      o.set("id", id);
    } else {
      o.putNull("id");
    }
    ObjectNode err = o.putObject("error");
    err.put("code", code);
    err.put("message", message);
    err.putObject("data").put("reason", reason.code());
    res.status(status);
    res.header("Content-Type", "application/json");
    res.send(HttpJson.bytes(o));
  }

  static void plainError(ServerResponse res, int status, String message) {
    ObjectNode o = HttpJson.object();
    o.put(
        "error",
        status == 404
            ? "not_found"
            : status == 503 ? "unavailable" : status == 502 ? "bad_gateway" : "invalid_request");
    o.put("message", message);
    res.status(status);
    res.header("Content-Type", "application/json");
    res.send(HttpJson.bytes(o));
  }

  static void notFound(ServerResponse res, String name) {
    plainError(
        res,
        404,
        "no MCP gateway here: resource '"
            + (name.length() > 64 ? name.substring(0, 64) : name)
            + "' is not a resource of kind mcp with spec.mcp");
  }
}
