package dev.warden.core.model;

import dev.warden.core.error.ValidationException;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * Something a workload reaches: an HTTP API, a database, a cache. Requests name it by its {@code
 * audience} (RFC 8707 {@code resource} or the {@code audience} parameter) or by name.
 *
 * <p>A resource of kind {@code aws}, {@code gcp} or {@code azure} is a cloud federation target: its
 * audience follows that cloud's rules ({@link FederationCloud}) and its tokens are signed with the
 * federation keys (decision 115).
 *
 * @param database for kinds {@code postgres}, {@code mariadb} (or {@code mysql}) and {@code redis}:
 *     where and how its users are created; null when Warden issues no database users for it (a
 *     resource of any other kind never has one)
 * @param oauth for kind {@code oauth-client} (required there, refused elsewhere): the upstream
 *     OAuth client whose access tokens Warden obtains and hands out
 * @param secret for kind {@code secret}: the name of the brokered secret a workload reads through
 *     it ({@code spec.secret.name}); null for every other kind
 * @param mcp for kind {@code mcp}: the MCP server Warden's MCP gateway forwards to ({@code
 *     spec.mcp}); null for an MCP server that checks Warden's tokens itself, and for every other
 *     kind
 */
public record Resource(
    String name,
    String audience,
    String kind,
    Sensitivity sensitivity,
    @Nullable String description,
    @Nullable DatabaseTarget database,
    @Nullable OAuthClient oauth,
    @Nullable String secret,
    @Nullable McpUpstream mcp)
    implements Named {

  /** The resource kind whose credentials are dynamic PostgreSQL users. */
  public static final String POSTGRES = "postgres";

  /** The resource kind whose credentials are access tokens of a third-party OAuth server. */
  public static final String OAUTH_CLIENT = "oauth-client";

  /**
   * The resource kind of an MCP server: its audience is the server's canonical URI (RFC 8707, the
   * {@code resource} of its RFC 9728 metadata), and tokens for it are issued only to a request that
   * names exactly that URI, never the resource's name (docs/agents.md).
   */
  public static final String MCP = "mcp";

  /** The resource kind whose credential is a brokered static secret (an API key, a password). */
  public static final String SECRET = "secret";

  public Resource {
    Names.check("name", name);
    Names.required("audience", audience);
    FederationCloud cloud = FederationCloud.ofKind(kind);
    if (cloud != null) {
      // a cloud matches its audience exactly, and it is often not a URI (sts.amazonaws.com)
      cloud.checkAudience("audience", audience);
    } else {
      checkUri(audience);
    }
    kind = kind == null || kind.isBlank() ? "http" : kind;
    sensitivity = sensitivity == null ? Sensitivity.MEDIUM : sensitivity;
    if (database != null) {
      DatabaseEngine engine = DatabaseEngine.ofKind(kind);
      if (engine == null) {
        throw new ValidationException(
            "spec.database",
            "is only allowed for a resource of kind postgres, mariadb," + " mysql or redis");
      }
      if (engine != database.engine()) {
        throw new ValidationException(
            "spec.database.url",
            "a resource of kind "
                + kind
                + " needs a "
                + engine.schemes().getFirst()
                + " URL, not "
                + database.url().substring(0, database.url().indexOf("://") + 3));
      }
    }
    if (MCP.equals(kind) && !McpUris.isCanonical(audience)) {
      throw new ValidationException(
          "audience",
          "an MCP server's audience is its canonical URI: https (or http on"
              + " a loopback host, for tests), lowercase scheme and host, no fragment, e.g. https://mcp.example.com/mcp");
    }
    if (!OAUTH_CLIENT.equals(kind) && oauth != null) {
      throw new ValidationException(
          "spec.oauth", "is only allowed for a resource of kind oauth-client");
    }
    if (OAUTH_CLIENT.equals(kind) && oauth == null) {
      throw new ValidationException(
          "spec.oauth",
          "is required for a resource of kind oauth-client: {tokenUrl,"
              + " clientId, authMethod, clientSecretSecret or privateKeySecret, scopes}");
    }
    if (SECRET.equals(kind) && secret == null) {
      throw new ValidationException(
          "spec.secret",
          "is required for a resource of kind secret: {name: <brokered" + " secret>}");
    }
    if (secret != null) {
      if (!SECRET.equals(kind)) {
        throw new ValidationException(
            "spec.secret", "is only allowed for a resource of kind secret");
      }
      Names.check("spec.secret.name", secret);
    }
    if (mcp != null && !MCP.equals(kind)) {
      throw new ValidationException("spec.mcp", "is only allowed for a resource of kind mcp");
    }
    if (mcp != null && !audience.startsWith("https://") && !audience.startsWith("http://")) {
      throw new ValidationException(
          "audience",
          "of a resource behind the MCP gateway is the gateway's URL that"
              + " clients connect to, e.g. https://warden.example.com/mcp/"
              + name);
    }
  }

  private static void checkUri(String audience) {
    if (audience.length() > 2048) {
      throw new ValidationException("audience", "must be at most 2048 characters");
    }
    try {
      URI u = new URI(audience);
      if (u.getScheme() == null) {
        throw new ValidationException(
            "audience",
            "'" + audience + "' must be an absolute URI (e.g. https://api.example.com)");
      }
      if (u.getFragment() != null) {
        throw new ValidationException("audience", "must not contain a fragment (RFC 8707)");
      }
    } catch (java.net.URISyntaxException e) {
      throw new ValidationException(
          "audience", "'" + audience + "' is not a valid URI: " + e.getReason());
    }
  }

  /** The cloud this resource federates with (kind aws, gcp or azure), or null. */
  public @Nullable FederationCloud cloud() {
    return FederationCloud.ofKind(kind);
  }

  /** A resource that is not behind the MCP gateway. */
  public Resource(
      String name,
      String audience,
      String kind,
      Sensitivity sensitivity,
      @Nullable String description,
      @Nullable DatabaseTarget database,
      @Nullable OAuthClient oauth,
      @Nullable String secret) {
    this(name, audience, kind, sensitivity, description, database, oauth, secret, null);
  }

  /** A resource without a brokered secret. */
  public Resource(
      String name,
      String audience,
      String kind,
      Sensitivity sensitivity,
      @Nullable String description,
      @Nullable DatabaseTarget database,
      @Nullable OAuthClient oauth) {
    this(name, audience, kind, sensitivity, description, database, oauth, null, null);
  }

  /** A resource that may have a database target but no OAuth client or brokered secret. */
  public Resource(
      String name,
      String audience,
      String kind,
      Sensitivity sensitivity,
      @Nullable String description,
      @Nullable DatabaseTarget database) {
    this(name, audience, kind, sensitivity, description, database, null, null, null);
  }

  /** A resource without a database target. */
  public Resource(
      String name,
      String audience,
      String kind,
      Sensitivity sensitivity,
      @Nullable String description) {
    this(name, audience, kind, sensitivity, description, null, null, null, null);
  }
}
