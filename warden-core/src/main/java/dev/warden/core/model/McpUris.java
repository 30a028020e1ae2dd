package dev.warden.core.model;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Canonical URIs of MCP servers (RFC 8707 section 2, MCP authorization "Canonical Server URI"):
 * absolute, https (http only on a loopback host, for tests and local servers), a host, no fragment,
 * no user info. Scheme and host compare case-insensitively; everything else exactly.
 */
public final class McpUris {
  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]");

  private McpUris() {}

  /**
   * True when {@code uri} is an MCP server URI already in canonical form (lowercase scheme and
   * host).
   */
  public static boolean isCanonical(String uri) {
    String c = canonical(uri);
    return c != null && c.equals(uri);
  }

  /**
   * The canonical form of a {@code resource} parameter (lowercase scheme and host), or null when it
   * is not an acceptable MCP server URI.
   */
  public static @Nullable String canonical(@Nullable String uri) {
    if (uri == null || uri.isEmpty() || uri.length() > 2048) {
      return null;
    }
    URI u;
    try {
      u = new URI(uri);
    } catch (URISyntaxException e) {
      return null;
    }
    if (!u.isAbsolute()
        || u.getRawAuthority() == null
        || u.getHost() == null
        || u.getRawFragment() != null
        || u.getRawUserInfo() != null) {
      return null;
    }
    String scheme = u.getScheme().toLowerCase(Locale.ROOT);
    String host = u.getHost().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !(scheme.equals("http") && LOOPBACK.contains(host))) {
      return null;
    }
    // scheme and host lowercased; port, path and query exactly as sent
    int authorityStart = uri.indexOf("://") + 3;
    String rest = uri.substring(authorityStart);
    int hostAt = rest.toLowerCase(Locale.ROOT).indexOf(host);
    if (hostAt != 0) {
      return null;
    }
    return scheme + "://" + host + rest.substring(host.length());
  }
}
