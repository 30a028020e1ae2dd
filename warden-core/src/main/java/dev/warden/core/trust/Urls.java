package dev.warden.core.trust;

import java.net.URI;
import java.net.URISyntaxException;

/** The one rule for URLs Warden fetches keys from: https, or plain http on loopback (tests). */
final class Urls {
  private Urls() {}

  /** Returns the URI when it may be fetched, otherwise null. */
  static URI fetchable(String url) {
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException | NullPointerException e) {
      return null;
    }
    if (!u.isAbsolute()
        || u.getHost() == null
        || u.getRawUserInfo() != null
        || u.getRawFragment() != null) {
      return null;
    }
    String scheme = u.getScheme().toLowerCase(java.util.Locale.ROOT);
    if ("https".equals(scheme)) {
      return u;
    }
    return "http".equals(scheme) && isLoopback(u.getHost()) ? u : null;
  }

  static boolean isLoopback(String host) {
    return "127.0.0.1".equals(host) || "localhost".equalsIgnoreCase(host) || "[::1]".equals(host);
  }

  /**
   * {@code <issuer>/.well-known/openid-configuration}, per OpenID Connect Discovery 1.0 §4 (one
   * trailing '/' of the issuer dropped).
   */
  static URI discovery(String issuer) {
    String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    return URI.create(base + "/.well-known/openid-configuration");
  }
}
