package dev.warden.core.federation;

import dev.warden.core.federation.FederationRules.IssuerFacts;
import java.net.URI;
import java.net.URISyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * The rules on the issuer URL itself and how it is served: https, no port, nothing but scheme, host
 * and path, and a TLS certificate that chains to a public root.
 */
final class IssuerRules {
  private IssuerRules() {}

  static @Nullable URI uri(String s) {
    try {
      return new URI(s);
    } catch (URISyntaxException e) {
      return null;
    }
  }

  static @Nullable String issuerHttps(IssuerFacts f) {
    URI u = uri(f.issuer());
    return u != null && "https".equals(u.getScheme()) && u.getHost() != null
        ? null
        : "'"
            + f.issuer()
            + "' is not an https URL; AWS, GCP and Entra fetch discovery and keys over https only:"
            + " put Warden (or a TLS proxy) at https://<public-host> and set server.issuer to it";
  }

  static @Nullable String issuerNoPort(IssuerFacts f) {
    URI u = uri(f.issuer());
    return u != null && u.getPort() == -1
        ? null
        : "'"
            + f.issuer()
            + "' names a port; AWS refuses an OIDC provider"
            + " URL with a port: serve on 443 (or behind a proxy on 443) and set server.issuer without the port";
  }

  static @Nullable String issuerPlain(IssuerFacts f) {
    URI u = uri(f.issuer());
    if (u == null) {
      return "'" + f.issuer() + "' is not a URL";
    }
    if (u.getRawQuery() != null || u.getRawFragment() != null || u.getRawUserInfo() != null) {
      return "'" + f.issuer() + "' has a query, fragment or user info; OIDC issuers may have none";
    }
    if (f.issuer().endsWith("/")) {
      return "'"
          + f.issuer()
          + "' ends with '/'; clouds compare iss byte for byte and build"
          + " <issuer>/.well-known/openid-configuration, so drop the slash";
    }
    return null;
  }

  static @Nullable String tls(IssuerFacts f) {
    return switch (f.tls()) {
      case TRUSTED -> null;
      case NOT_TLS -> "the issuer is not served over TLS, so the clouds cannot reach it";
      case UNTRUSTED ->
          "the TLS certificate does not chain to a public root ("
              + f.tlsDetail()
              + "); GCP refuses self-signed endpoints and AWS trusts only its root list (or a pinned thumbprint)";
    };
  }
}
