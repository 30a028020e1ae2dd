package dev.warden.agent.edge.mysql;

import java.nio.charset.StandardCharsets;

/**
 * The agent's side of authenticating to the target as the issued user, message by message, with no
 * I/O: each packet the target sends during authentication gives the next {@link Step}.
 *
 * <ul>
 *   <li>{@code mysql_native_password}: the SHA-1 scramble;
 *   <li>{@code caching_sha2_password}: the SHA-256 scramble; when the server asks for full
 *       authentication (AuthMoreData 0x04), the password itself over TLS, or without TLS — only
 *       with {@code allow-weak-auth}, since the key comes over the same unprotected connection —
 *       encrypted to the RSA key it sends on request (0x02);
 *   <li>{@code mysql_clear_password}: only over TLS or with {@code allow-weak-auth};
 *   <li>an AuthSwitchRequest (0xFE) to any of these answers with that method and the new nonce; any
 *       other method is refused, as is a second switch.
 * </ul>
 */
final class MysqlUpstreamLogin {
  static final String NATIVE = "mysql_native_password";
  static final String SHA2 = "caching_sha2_password";
  static final String CLEAR = "mysql_clear_password";

  /** What to do after a packet from the target. */
  sealed interface Step {
    /** Send this payload (next sequence id). */
    record Send(byte[] payload) implements Step {}

    /** Authenticated: the target's OK packet, for the client. */
    record Ok(byte[] payload) implements Step {}

    /** The target refused: its ERR packet's payload, for the client. */
    record Refused(byte[] payload, int code, String message) implements Step {}

    /** Nothing to send; wait for the next packet. */
    record Wait() implements Step {}
  }

  private final byte[] password;
  private final boolean tls;
  private final boolean allowWeak;
  private String plugin;
  private byte[] nonce;
  private boolean switched;
  private boolean keyRequested;

  MysqlUpstreamLogin(String password, String plugin, byte[] nonce, boolean tls, boolean allowWeak) {
    this.password = password.getBytes(StandardCharsets.UTF_8);
    this.plugin = plugin;
    this.nonce = nonce;
    this.tls = tls;
    this.allowWeak = allowWeak;
  }

  /**
   * The method the first response uses: the server's default when the proxy knows it, else native
   * (a switch follows).
   */
  String plugin() {
    return plugin.equals(SHA2) || plugin.equals(CLEAR) && (tls || allowWeak) ? plugin : NATIVE;
  }

  /** The auth data of the HandshakeResponse. */
  byte[] first() {
    plugin = plugin();
    return proof();
  }

  private byte[] proof() {
    return switch (plugin) {
      case NATIVE -> Scramble.nativePassword(password, nonce);
      case SHA2 -> Scramble.cachingSha2(password, nonce);
      case CLEAR -> {
        byte[] p = java.util.Arrays.copyOf(password, password.length + 1);
        yield p;
      }
      default -> throw new IllegalStateException(plugin);
    };
  }

  Step on(byte[] payload) {
    if (payload.length == 0) {
      throw MysqlException.protocol("the target sent an empty packet during authentication");
    }
    switch (payload[0] & 0xff) {
      case 0x00 -> {
        return new Step.Ok(payload);
      }
      case 0xff -> {
        return error(payload);
      }
      case 0xfe -> {
        if (switched) {
          throw new MysqlException(
              MysqlException.AUTH_MODE,
              "08004",
              "the target asked to switch the authentication " + "method twice");
        }
        switched = true;
        Wire.Reader r = new Wire.Reader(payload);
        r.u8();
        if (r.remaining() == 0) {
          throw new MysqlException(
              MysqlException.AUTH_MODE,
              "08004",
              "the target asked for the pre-4.1 password " + "method, which is not supported");
        }
        String next = new String(r.nul(), StandardCharsets.UTF_8);
        byte[] data = Handshake.stripNul(r.rest());
        if (!next.equals(NATIVE)
            && !next.equals(SHA2)
            && !(next.equals(CLEAR) && (tls || allowWeak))) {
          throw new MysqlException(
              MysqlException.AUTH_MODE,
              "08004",
              "the target asks for authentication method "
                  + next
                  + (next.equals(CLEAR)
                      ? " without TLS (set upstream-tls, or allow-weak-auth=true)"
                      : "")
                  + "; the Warden proxy logs in with mysql_native_password or caching_sha2_password");
        }
        plugin = next;
        if (!next.equals(CLEAR)) {
          if (data.length < 20) {
            throw MysqlException.protocol(
                "the target's new nonce is " + data.length + " bytes, not 20");
          }
          nonce = data;
        }
        return new Step.Send(proof());
      }
      case 0x01 -> {
        if (!plugin.equals(SHA2)) {
          throw MysqlException.protocol("the target sent more authentication data for " + plugin);
        }
        return moreData(payload);
      }
      default ->
          throw MysqlException.protocol(
              "the target answered the login with packet type 0x"
                  + Integer.toHexString(payload[0] & 0xff));
    }
  }

  /** An ERR packet's number and message (its SQLSTATE marker dropped). */
  static Step.Refused error(byte[] payload) {
    Wire.Reader r = new Wire.Reader(payload);
    r.u8();
    int code = r.remaining() >= 2 ? r.u16() : 0;
    String msg = new String(r.rest(), StandardCharsets.UTF_8);
    if (msg.startsWith("#") && msg.length() >= 6) {
      msg = msg.substring(6);
    }
    return new Step.Refused(payload, code, msg);
  }

  /**
   * caching_sha2_password: 0x03 fast path done, 0x04 full authentication, or the PEM key asked for.
   */
  private Step moreData(byte[] payload) {
    if (keyRequested) {
      keyRequested = false;
      String pem = new String(payload, 1, payload.length - 1, StandardCharsets.US_ASCII);
      return new Step.Send(Scramble.rsaPassword(password, nonce, pem));
    }
    if (payload.length != 2) {
      throw MysqlException.protocol("unexpected caching_sha2_password data from the target");
    }
    return switch (payload[1]) {
      case 0x03 -> new Step.Wait();
      case 0x04 -> {
        if (tls) {
          yield new Step.Send(java.util.Arrays.copyOf(password, password.length + 1));
        }
        if (!allowWeak) {
          throw new MysqlException(
              MysqlException.AUTH_MODE,
              "08004",
              "the target needs caching_sha2_password's full "
                  + "authentication, which without TLS means trusting an RSA key sent over the same unprotected connection:"
                  + " set upstream-tls (or allow-weak-auth=true on a trusted network)");
        }
        keyRequested = true;
        yield new Step.Send(new byte[] {0x02});
      }
      default ->
          throw MysqlException.protocol(
              "unexpected caching_sha2_password state 0x" + Integer.toHexString(payload[1] & 0xff));
    };
  }
}
