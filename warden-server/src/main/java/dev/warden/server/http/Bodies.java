package dev.warden.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.RequestException;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads request bodies with a hard size limit per endpoint: never more than limit + 1 bytes are
 * buffered, and a body over the limit, whether its length was declared or it came chunked, is a 413
 * that names the limit. Nothing read from a body ever reaches an exception message: transport
 * exceptions can quote the bytes they choked on, so they are replaced, not wrapped.
 */
public final class Bodies {
  private Bodies() {}

  /**
   * @throws BadRequestException with status 413 when the body is larger than {@code limit}
   */
  public static byte[] read(ServerRequest req, int limit) {
    // the raw value: Headers.contentLength() maps it through Helidon's global mapper registry, a
    // service lookup on every call (7 % of a brokered read's handler CPU, measured)
    String declared = req.headers().first(HeaderNames.CONTENT_LENGTH).orElse(null);
    if (declared != null && declaresMoreThan(declared, limit)) {
      throw tooLarge(limit);
    }
    byte[] buf = new byte[Math.min(limit + 1, 8192)];
    int n = 0;
    try (InputStream in = req.content().inputStream()) {
      while (true) {
        if (n == buf.length) {
          if (buf.length > limit) {
            throw tooLarge(limit);
          }
          buf = Arrays.copyOf(buf, Math.min(limit + 1, buf.length * 2));
        }
        int r = in.read(buf, n, buf.length - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
    } catch (BadRequestException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // the transport stopped reading: past the server-wide limit (HttpLimits.MAX_PAYLOAD), a
      // broken chunk, a closed connection. Its message may quote body bytes: keep none of it.
      throw overTransportLimit(e)
          ? tooLarge(limit)
          : new BadRequestException("cannot read the request body");
    }
    if (n > limit) {
      throw tooLarge(limit);
    }
    return n == buf.length ? buf : Arrays.copyOf(buf, n);
  }

  static BadRequestException tooLarge(long limit) {
    return new BadRequestException(
        413,
        "the request body is larger than the limit of "
            + limit
            + " bytes ("
            + HttpLimits.readable(limit)
            + ")");
  }

  private static boolean overTransportLimit(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RequestException r && r.status().code() == 413) {
        return true;
      }
    }
    return false;
  }

  /** The media type of the request without parameters, lower case, or "". */
  static String mediaType(ServerRequest req) {
    String ct = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
    int semi = ct.indexOf(';');
    return (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether a Content-Length value says more than {@code limit} bytes; false when unreadable. */
  static boolean declaresMoreThan(String contentLength, int limit) {
    String v = contentLength.trim();
    if (v.isEmpty()) {
      return false;
    }
    for (int i = 0; i < v.length(); i++) {
      if (v.charAt(i) < '0' || v.charAt(i) > '9') {
        return false; // the protocol layer frames the body; the read below still counts it
      }
    }
    int first = 0;
    while (first < v.length() - 1 && v.charAt(first) == '0') {
      first++;
    }
    // more digits than a long holds is more than any limit
    return v.length() - first > 18 || Long.parseLong(v, first, v.length(), 10) > limit;
  }
}
