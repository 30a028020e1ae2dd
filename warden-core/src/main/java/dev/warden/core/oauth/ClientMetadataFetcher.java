package dev.warden.core.oauth;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * Fetches a Client ID Metadata Document. The URL comes from an unauthenticated request, so the
 * implementation (the server's) must be safe against server-side request forgery: https only, no
 * redirect followed, the host resolved once and refused when any address is loopback, private,
 * link-local, unique-local or multicast (unless the operator allowed that network), a small size
 * limit, connect and read time limits, a JSON content type.
 */
@FunctionalInterface
public interface ClientMetadataFetcher {
  /**
   * A fetched document and how long it may be reused.
   *
   * @param maxAge from the response's {@code Cache-Control}, already bounded; zero: do not cache
   */
  record Fetched(byte[] body, Duration maxAge) {}

  /**
   * @throws IOException saying what was refused or failed, safe to show the user
   */
  Fetched fetch(URI clientId) throws IOException;
}
