package dev.warden.agent.edge.postgres;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The first packet of a PostgreSQL connection, before any message has a type byte: an SSL or GSS
 * encryption request, a cancel request, or the startup message with its parameters (protocol 3.x).
 * Parsed from bytes an unauthenticated local process sent, so every length is checked.
 */
sealed interface Startup {
  /** PostgreSQL's own limit on a startup packet (MAX_STARTUP_PACKET_LENGTH). */
  int MAX_LENGTH = 10_000;

  int SSL_REQUEST = 80877103;
  int GSSENC_REQUEST = 80877104;
  int CANCEL_REQUEST = 80877102;
  int PROTOCOL_3_0 = 196608;

  record SslRequest() implements Startup {}

  record GssEncRequest() implements Startup {}

  /** Forwarded as is to the database: the key is the database's own, handed through at start-up. */
  record CancelRequest(int pid, int key) implements Startup {}

  /**
   * @param minor the protocol's minor version the client asked for (the proxy speaks 3.0 and says
   *     so with NegotiateProtocolVersion when the client asked for more)
   * @param parameters in the client's order; {@code _pq_.} options are protocol extensions
   */
  record Message(int minor, Map<String, String> parameters) implements Startup {}

  /**
   * The length of the packet at the start of {@code in}, or -1 when fewer than 4 bytes are there.
   *
   * @throws PgProtocolException when the length is outside 8..{@link #MAX_LENGTH}
   */
  static int length(ByteBuffer in) {
    if (in.remaining() < 4) {
      return -1;
    }
    int len = in.getInt(in.position());
    if (len < 8 || len > MAX_LENGTH) {
      throw new PgProtocolException("08P01", "invalid startup packet length " + len);
    }
    return len;
  }

  /** Parses one whole packet (its length prefix included). */
  static Startup parse(byte[] packet) {
    ByteBuffer b = ByteBuffer.wrap(packet);
    int len = b.getInt();
    if (len != packet.length) {
      throw new PgProtocolException("08P01", "invalid startup packet length " + len);
    }
    int code = b.getInt();
    switch (code) {
      case SSL_REQUEST -> {
        requireLength(len, 8, "SSLRequest");
        return new SslRequest();
      }
      case GSSENC_REQUEST -> {
        requireLength(len, 8, "GSSENCRequest");
        return new GssEncRequest();
      }
      case CANCEL_REQUEST -> {
        requireLength(len, 16, "CancelRequest");
        return new CancelRequest(b.getInt(), b.getInt());
      }
      default -> {}
    }
    if (code >>> 16 != 3) {
      throw new PgProtocolException(
          "0A000",
          "unsupported frontend protocol "
              + (code >>> 16)
              + "."
              + (code & 0xffff)
              + ": the Warden agent speaks protocol 3");
    }
    Map<String, String> params = new LinkedHashMap<>();
    while (true) {
      String key = cString(b);
      if (key.isEmpty()) {
        break;
      }
      if (!b.hasRemaining()) {
        throw new PgProtocolException("08P01", "startup parameter " + key + " has no value");
      }
      String value = cString(b);
      if (params.putIfAbsent(key, value) != null) {
        throw new PgProtocolException("08P01", "startup parameter " + key + " given twice");
      }
    }
    if (b.hasRemaining()) {
      throw new PgProtocolException(
          "08P01", "invalid startup packet layout: expected terminator as last byte");
    }
    return new Message(code & 0xffff, params);
  }

  private static void requireLength(int len, int expected, String what) {
    if (len != expected) {
      throw new PgProtocolException("08P01", "invalid length of " + what + ": " + len);
    }
  }

  private static String cString(ByteBuffer b) {
    int start = b.position();
    for (int i = start; i < b.limit(); i++) {
      if (b.get(i) == 0) {
        String s = new String(b.array(), start, i - start, StandardCharsets.UTF_8);
        b.position(i + 1);
        return s;
      }
    }
    throw new PgProtocolException(
        "08P01", "invalid startup packet layout: a string is not terminated");
  }
}
