package dev.warden.agent.edge.postgres;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The few protocol-3 messages the proxy writes or reads itself; everything after authentication is
 * spliced.
 */
final class PgMessages {
  /**
   * A backend message during authentication; anything larger than this is not one the proxy
   * expects.
   */
  static final int MAX_AUTH_MESSAGE = 64 * 1024;

  static final byte AUTHENTICATION = 'R';
  static final byte ERROR = 'E';
  static final byte NOTICE = 'N';
  static final byte NEGOTIATE_PROTOCOL_VERSION = 'v';

  static final int AUTH_OK = 0;
  static final int AUTH_CLEARTEXT = 3;
  static final int AUTH_MD5 = 5;
  static final int AUTH_SASL = 10;
  static final int AUTH_SASL_CONTINUE = 11;
  static final int AUTH_SASL_FINAL = 12;

  /** A typed message: its type byte and its body (the length prefix removed). */
  record Backend(byte type, byte[] body) {
    int authCode() {
      if (body.length < 4) {
        throw new PgProtocolException(
            "08P01", "the database sent an authentication message without its code");
      }
      return ByteBuffer.wrap(body).getInt();
    }
  }

  private PgMessages() {}

  /**
   * The whole length of the typed message at the start of {@code in} (type byte included), or -1
   * when its header has not arrived yet.
   */
  static int typedLength(ByteBuffer in, int max) {
    if (in.remaining() < 5) {
      return -1;
    }
    int len = in.getInt(in.position() + 1);
    if (len < 4 || len > max) {
      throw new PgProtocolException(
          "08P01",
          "invalid message length "
              + len
              + " for message type '"
              + (char) (in.get(in.position()) & 0xff)
              + "'");
    }
    return len + 1;
  }

  static Backend backend(byte[] whole) {
    return new Backend(whole[0], java.util.Arrays.copyOfRange(whole, 5, whole.length));
  }

  static byte[] sslRequest() {
    return ByteBuffer.allocate(8).putInt(8).putInt(Startup.SSL_REQUEST).array();
  }

  static byte[] cancelRequest(int pid, int key) {
    return ByteBuffer.allocate(16)
        .putInt(16)
        .putInt(Startup.CANCEL_REQUEST)
        .putInt(pid)
        .putInt(key)
        .array();
  }

  static byte[] startup(Map<String, String> parameters) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(ByteBuffer.allocate(4).putInt(Startup.PROTOCOL_3_0).array());
    parameters.forEach(
        (k, v) -> {
          cString(body, k);
          cString(body, v);
        });
    body.write(0);
    byte[] b = body.toByteArray();
    return ByteBuffer.allocate(4 + b.length).putInt(4 + b.length).put(b).array();
  }

  static byte[] authenticationOk() {
    return typed(AUTHENTICATION, ByteBuffer.allocate(4).putInt(AUTH_OK).array());
  }

  static byte[] password(String password) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    cString(b, password);
    return typed((byte) 'p', b.toByteArray());
  }

  static byte[] saslInitialResponse(String mechanism, byte[] data) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    cString(b, mechanism);
    b.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    b.writeBytes(data);
    return typed((byte) 'p', b.toByteArray());
  }

  static byte[] saslResponse(byte[] data) {
    return typed((byte) 'p', data);
  }

  /**
   * NegotiateProtocolVersion: the proxy speaks 3.0 and none of the {@code _pq_.} options asked for.
   */
  static byte[] negotiateProtocolVersion(List<String> unsupportedOptions) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(ByteBuffer.allocate(8).putInt(0).putInt(unsupportedOptions.size()).array());
    unsupportedOptions.forEach(o -> cString(b, o));
    return typed(NEGOTIATE_PROTOCOL_VERSION, b.toByteArray());
  }

  /** A FATAL ErrorResponse, as the server itself would send before closing. */
  static byte[] fatal(String sqlState, String message) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    field(b, 'S', "FATAL");
    field(b, 'V', "FATAL");
    field(b, 'C', sqlState);
    field(b, 'M', message);
    b.write(0);
    return typed(ERROR, b.toByteArray());
  }

  /** The SASL mechanisms of an AuthenticationSASL body (after its code). */
  static List<String> saslMechanisms(byte[] body) {
    List<String> out = new ArrayList<>();
    int start = 4;
    for (int i = 4; i < body.length; i++) {
      if (body[i] == 0) {
        if (i == start) {
          return out;
        }
        out.add(new String(body, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    throw new PgProtocolException("08P01", "the database sent a malformed list of SASL mechanisms");
  }

  /** The 'M' (message) field of an ErrorResponse body, for logs and the audit. */
  static String errorMessage(byte[] body) {
    int i = 0;
    String code = "";
    String message = "";
    while (i < body.length && body[i] != 0) {
      byte f = body[i++];
      int start = i;
      while (i < body.length && body[i] != 0) {
        i++;
      }
      String v = new String(body, start, i - start, StandardCharsets.UTF_8);
      i++;
      if (f == 'M') {
        message = v;
      } else if (f == 'C') {
        code = v;
      }
    }
    return code.isEmpty() ? message : message + " (SQLSTATE " + code + ")";
  }

  static byte[] typed(byte type, byte[] body) {
    return ByteBuffer.allocate(5 + body.length).put(type).putInt(4 + body.length).put(body).array();
  }

  private static void field(ByteArrayOutputStream b, char type, String value) {
    b.write(type);
    cString(b, value);
  }

  private static void cString(ByteArrayOutputStream b, String s) {
    b.writeBytes(s.replace('\0', ' ').getBytes(StandardCharsets.UTF_8));
    b.write(0);
  }
}
