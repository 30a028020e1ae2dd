package dev.warden.server.http;

import io.helidon.webserver.http.ServerRequest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The credentials a client presents to the MCP gateway, as the request carries them: the access
 * token from {@code Authorization} (Bearer or DPoP) and the thumbprint of its TLS client
 * certificate for certificate-bound tokens. Read here, checked by core.
 */
final class PresentedToken {
  private PresentedToken() {}

  /**
   * The access token of an {@code Authorization: Bearer} (RFC 6750) or {@code Authorization: DPoP}
   * (RFC 9449 section 7.1) header, or null when there is neither.
   */
  static @Nullable String accessToken(@Nullable String a) {
    int skip =
        a == null
            ? -1
            : a.regionMatches(true, 0, "Bearer ", 0, 7)
                ? 7
                : a.regionMatches(true, 0, "DPoP ", 0, 5) ? 5 : -1;
    if (a == null || skip < 0) {
      return null;
    }
    String t = a.substring(skip).trim();
    return t.isEmpty() ? null : t;
  }

  /**
   * RFC 8705 section 3.1: base64url SHA-256 of the TLS client certificate's DER, or null without
   * one.
   */
  static @Nullable String thumbprint(ServerRequest req) {
    List<X509Certificate> chain = TokenEndpoint.clientCertificates(req);
    if (chain.isEmpty()) {
      return null;
    }
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(chain.getFirst().getEncoded());
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      return null;
    }
  }
}
