package dev.warden.core.model;

import dev.warden.core.error.ValidationException;
import java.net.URI;
import java.net.URISyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * The MCP server behind Warden's MCP gateway ({@code spec.mcp} of a resource of kind {@code mcp}):
 * where the gateway forwards the tool calls it allows, and the credential it adds on the way. The
 * calling agent never sees that credential; it only ever presents a Warden token for the gateway.
 *
 * @param url the upstream's streamable HTTP endpoint: {@code https}, or {@code http} only on a
 *     loopback host or with {@code plaintext} (a trusted network), so that the credential cannot go
 *     over the network in the clear by accident; no user info, no fragment
 * @param credential what the gateway adds to each forwarded request, or null for an upstream that
 *     needs none
 * @param plaintext plain {@code http} to a non-loopback host is accepted
 */
public record McpUpstream(String url, @Nullable Credential credential, boolean plaintext) {

  /** Where a brokered secret goes on the forwarded request. */
  public enum Placement {
    /** {@code Authorization: Bearer <secret>}. */
    BEARER,
    /** {@code <header>: <secret>}, for APIs that read a key from a header of their own. */
    HEADER,
    /** {@code Authorization: Basic base64(<secret>)}: the secret holds {@code user:password}. */
    BASIC
  }

  /**
   * The downstream credential: the current value of a brokered secret, or an access token Warden
   * obtains from an {@code oauth-client} resource's upstream authorization server (always {@code
   * Authorization: Bearer}). Exactly one of {@code secret} and {@code oauthClient}.
   *
   * @param header the header name for {@link Placement#HEADER}, else null
   */
  public record Credential(
      @Nullable String secret,
      @Nullable String oauthClient,
      Placement placement,
      @Nullable String header) {
    public Credential {
      if ((secret == null) == (oauthClient == null)) {
        throw new ValidationException(
            "spec.mcp.credential",
            "name exactly one of secret (a brokered secret) or"
                + " oauthClient (a resource of kind oauth-client)");
      }
      if (secret != null) {
        Names.check("spec.mcp.credential.secret", secret);
      } else {
        Names.check("spec.mcp.credential.oauthClient", oauthClient);
        if (placement != null && placement != Placement.BEARER || header != null) {
          throw new ValidationException(
              "spec.mcp.credential",
              "an oauthClient token always goes as"
                  + " Authorization: Bearer; header and basic apply to a secret only");
        }
      }
      placement =
          placement == null ? (header != null ? Placement.HEADER : Placement.BEARER) : placement;
      if (placement == Placement.HEADER) {
        if (header == null || !header.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}")) {
          throw new ValidationException(
              "spec.mcp.credential.header", "'" + header + "' is not a header name");
        }
        if (isReserved(header)) {
          throw new ValidationException(
              "spec.mcp.credential.header",
              header
                  + " is set by the gateway itself;"
                  + " name the header the upstream reads its key from (e.g. X-Api-Key)");
        }
      } else if (header != null) {
        throw new ValidationException("spec.mcp.credential.header", "goes without basic");
      }
    }

    /**
     * What the audit log says the credential was, never its value: {@code secret:<name>} or {@code
     * oauthClient:<name>}.
     */
    public String describe() {
      return secret != null ? "secret:" + secret : "oauthClient:" + oauthClient;
    }

    private static boolean isReserved(String h) {
      return switch (h.toLowerCase(java.util.Locale.ROOT)) {
        case "host",
            "content-length",
            "transfer-encoding",
            "connection",
            "content-type",
            "accept",
            "mcp-session-id",
            "mcp-protocol-version",
            "mcp-method",
            "mcp-name",
            "upgrade",
            "te",
            "trailer" ->
            true;
        default -> false;
      };
    }
  }

  public McpUpstream {
    if (url == null || url.isBlank()) {
      throw new ValidationException(
          "spec.mcp.url",
          "is required: the upstream MCP server's streamable HTTP endpoint,"
              + " e.g. https://mcp.internal.example.com/mcp");
    }
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException e) {
      throw new ValidationException("spec.mcp.url", "'" + url + "' is not a URL: " + e.getReason());
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme();
    if (!scheme.equals("https") && !scheme.equals("http") || u.getHost() == null) {
      throw new ValidationException(
          "spec.mcp.url", "must be an absolute http(s) URL with a host, not '" + url + "'");
    }
    if (u.getRawUserInfo() != null || u.getRawFragment() != null) {
      throw new ValidationException("spec.mcp.url", "must have no user info and no fragment");
    }
    if (scheme.equals("http") && !plaintext && !OAuthClient.loopback(u.getHost())) {
      throw new ValidationException(
          "spec.mcp.url",
          "plain http to "
              + u.getHost()
              + " would send the credential in"
              + " the clear; use https, or set spec.mcp.plaintext: true for a trusted network");
    }
    if (url.length() > 2048) {
      throw new ValidationException("spec.mcp.url", "must be at most 2048 characters");
    }
  }
}
