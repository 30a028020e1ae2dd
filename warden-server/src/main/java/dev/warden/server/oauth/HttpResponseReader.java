package dev.warden.server.oauth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Reads an HTTP/1.1 response byte by byte within limits: the head up to its size limit, then a body
 * by Content-Length, by chunks or to the close, never more than the document's limit, each read
 * within what is left of one deadline. Hand-written because the fetcher speaks HTTP on its own
 * socket, connected to the address it checked; apart from {@link ClientMetadataHttpFetcher}, which
 * decides what to accept, because it is the part that parses what an attacker's server sends.
 */
final class HttpResponseReader {
  private HttpResponseReader() {}

  /** The status line and header fields, up to the empty line; at most {@code max} bytes. */
  static String head(InputStream in, int max) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("the connection closed before the headers ended");
      }
      b.write(c);
      if (b.size() > max) {
        throw new IOException("the headers are larger than " + max + " bytes");
      }
      matched =
          (c == '\r' && (matched == 0 || matched == 2))
                  || (c == '\n' && (matched == 1 || matched == 3))
              ? matched + 1
              : c == '\r' ? 1 : 0;
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * A body of {@code length} bytes, or up to the close when the length is not known (-1); at most
   * {@code max} bytes.
   */
  static byte[] body(InputStream in, long length, int max) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] buf = new byte[1024];
    while (length < 0 || b.size() < length) {
      int want = length < 0 ? buf.length : (int) Math.min(buf.length, length - b.size());
      int n = in.read(buf, 0, want);
      if (n < 0) {
        if (length >= 0) {
          throw new IOException("the connection closed before the body ended");
        }
        break;
      }
      b.write(buf, 0, n);
      if (b.size() > max) {
        throw new IOException("the document is larger than " + max + " bytes");
      }
    }
    return b.toByteArray();
  }

  /** A chunked body (RFC 9112 section 7.1) of at most {@code max} bytes. */
  static byte[] chunked(InputStream in, int max) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = line(in);
      int semi = sizeLine.indexOf(';');
      int size;
      try {
        size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
      } catch (NumberFormatException e) {
        throw new IOException("the chunked body is malformed");
      }
      if (size < 0 || b.size() + (long) size > max) {
        throw new IOException("the document is larger than " + max + " bytes");
      }
      if (size == 0) {
        return b.toByteArray();
      }
      byte[] chunk = in.readNBytes(size);
      b.write(chunk);
      if (chunk.length != size || !line(in).isEmpty()) {
        throw new IOException("the chunked body is malformed");
      }
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("the connection closed inside the chunked body");
      }
      if (c == '\n') {
        int len = sb.length();
        return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
      }
      if (sb.length() > 256) {
        throw new IOException("the chunked body is malformed");
      }
      sb.append((char) c);
    }
  }

  /** Reads within a deadline: each read's socket timeout is what is left of it. */
  static final class DeadlineInput extends InputStream {
    private final InputStream in;
    private final Socket socket;
    private final long deadline;

    DeadlineInput(InputStream in, Socket socket, long deadline) {
      this.in = in;
      this.socket = socket;
      this.deadline = deadline;
    }

    private void arm() throws IOException {
      long left = ClientMetadataHttpFetcher.remainingMillis(deadline);
      if (left <= 0) {
        throw new SocketTimeoutException("deadline");
      }
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
    }

    @Override
    public int read() throws IOException {
      arm();
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      arm();
      return in.read(b, off, len);
    }
  }
}
