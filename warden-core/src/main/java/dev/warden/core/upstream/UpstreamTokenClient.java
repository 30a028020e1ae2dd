package dev.warden.core.upstream;

import dev.warden.core.crypto.Secret;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * The transport to an upstream OAuth token endpoint (and its RFC 7009 revocation endpoint): one
 * form POST, its answer. Core builds the request (client authentication included) and reads the
 * answer ({@link UpstreamTokenResponse}); only the bytes on the wire are the implementation's,
 * since core has no HTTP.
 *
 * <p>An implementation must verify TLS, follow no redirect (a redirect would carry the client's
 * credentials elsewhere), bound connect and response time, and read at most {@link
 * UpstreamTokenResponse#MAX_BODY_BYTES} + 1 bytes of the body.
 */
public interface UpstreamTokenClient {

  /**
   * One token request.
   *
   * @param form the {@code application/x-www-form-urlencoded} body; a secret, since it may carry
   *     the client secret or a client assertion
   * @param authorization the {@code Authorization} header value ({@code client_secret_basic}), or
   *     null
   */
  record Request(URI url, Secret form, @Nullable Secret authorization) {}

  /**
   * What the token endpoint answered.
   *
   * @param body at most {@link UpstreamTokenResponse#MAX_BODY_BYTES} + 1 bytes: one more says it
   *     was longer
   * @param contentType the {@code Content-Type} header, or null
   */
  record Response(int status, byte[] body, @Nullable String contentType) {
    public Response {
      body = body.clone();
    }

    @Override
    public byte[] body() {
      return body.clone();
    }
  }

  /**
   * Posts the request and returns whatever status came back.
   *
   * @throws dev.warden.core.error.TargetException (unreachable) when no answer came: refused, timed
   *     out, TLS failed, or the connection broke; its message names the URL's host and the cause,
   *     never the request's body
   */
  Response post(Request request);
}
