package dev.warden.core.dpop;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The form in which a proof's {@code htu} and the request's URI are compared (RFC 9449 section 4.3,
 * step 9): without query and fragment, after the syntax- and scheme-based normalization of RFC 3986
 * section 6.2.2 and 6.2.3 that matters in practice — scheme and host in lower case, the default
 * port dropped, an empty path as {@code /}.
 */
final class HttpUris {
  private HttpUris() {}

  /** The comparable form of an absolute http(s) URI, or null when it is not one. */
  static @Nullable String normalize(String uri) {
    URI u;
    try {
      u = new URI(uri);
    } catch (URISyntaxException e) {
      return null;
    }
    String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
    if (!("https".equals(scheme) || "http".equals(scheme))
        || u.getRawAuthority() == null
        || u.getHost() == null
        || u.getRawUserInfo() != null) {
      return null;
    }
    int port = u.getPort();
    boolean defaultPort = port == -1 || port == ("https".equals(scheme) ? 443 : 80);
    String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    return scheme
        + "://"
        + u.getHost().toLowerCase(Locale.ROOT)
        + (defaultPort ? "" : ":" + port)
        + path;
  }
}
