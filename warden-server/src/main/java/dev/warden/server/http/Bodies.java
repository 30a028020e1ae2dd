package dev.warden.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Reads request bodies with a hard size limit: never more than limit + 1 bytes are buffered. */
final class Bodies {
  private Bodies() {}

  /** @throws BadRequestException with status 413 when the body is larger than {@code limit} */
  static byte[] read(ServerRequest req, int limit) {
    if (req.headers().contentLength().isPresent() && req.headers().contentLength().getAsLong() > limit) {
      throw new BadRequestException(413, "the request body is larger than " + limit + " bytes");
    }
    byte[] buf = new byte[Math.min(limit + 1, 8192)];
    int n = 0;
    try (InputStream in = req.content().inputStream()) {
      while (true) {
        if (n == buf.length) {
          if (buf.length > limit) {
            throw new BadRequestException(413, "the request body is larger than " + limit + " bytes");
          }
          buf = Arrays.copyOf(buf, Math.min(limit + 1, buf.length * 2));
        }
        int r = in.read(buf, n, buf.length - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
    } catch (IOException e) {
      throw new BadRequestException("cannot read the request body: " + e.getMessage());
    }
    if (n > limit) {
      throw new BadRequestException(413, "the request body is larger than " + limit + " bytes");
    }
    return n == buf.length ? buf : Arrays.copyOf(buf, n);
  }

  /** The media type of the request without parameters, lower case, or "". */
  static String mediaType(ServerRequest req) {
    String ct = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
    int semi = ct.indexOf(';');
    return (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(java.util.Locale.ROOT);
  }
}
