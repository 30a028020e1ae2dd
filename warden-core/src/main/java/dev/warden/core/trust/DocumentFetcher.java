package dev.warden.core.trust;

import java.io.IOException;
import java.net.URI;

/**
 * Fetches a small public document (an OIDC discovery document or a JWKS) by URL. Core defines the
 * interface and never does HTTP itself; the server supplies the implementation, which must use
 * https (plain http only on loopback, for tests), short timeouts, a size limit, and no redirect to
 * another host. Only URLs from configuration or from the configured issuer's discovery document are
 * ever passed here — never a URL taken from a token ({@code jku}, {@code x5u}).
 */
@FunctionalInterface
public interface DocumentFetcher {
  /**
   * Returns the body of a successful (200) response.
   *
   * @throws IOException when the document cannot be fetched: network error, timeout, another
   *     status, a body over the size limit, a refused scheme or redirect
   */
  byte[] fetch(URI uri) throws IOException;
}
