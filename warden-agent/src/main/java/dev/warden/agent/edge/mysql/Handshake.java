package dev.warden.agent.edge.mysql;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The connection phase's two messages: the server's Initial Handshake (protocol 10) and the
 * client's HandshakeResponse41 (or the 32-byte SSLRequest that precedes it over TLS), parsed and
 * built, with the capability flags both sides must agree on.
 */
final class Handshake {
  static final long CLIENT_MYSQL =
      1; // CLIENT_LONG_PASSWORD; unset by MariaDB servers: extended flags follow
  static final long CONNECT_WITH_DB = 1 << 3;
  static final long COMPRESS = 1 << 5;
  static final long PROTOCOL_41 = 1 << 9;
  static final long SSL = 1 << 11;
  static final long SECURE_CONNECTION = 1 << 15;
  static final long PLUGIN_AUTH = 1 << 19;
  static final long CONNECT_ATTRS = 1 << 20;
  static final long PLUGIN_AUTH_LENENC_DATA = 1 << 21;
  static final long ZSTD = 1 << 26;
  static final long QUERY_ATTRIBUTES = 1 << 27;
  static final long SSL_VERIFY_SERVER_CERT = 1L << 30;
  static final long REMEMBER_OPTIONS = 1L << 31;

  /**
   * The flags passed on between client and target: those the proxy understands. Not compression (it
   * would begin right after the OK the proxy writes), not TLS to the proxy, and no flag whose
   * meaning postdates this code (multi-factor authentication, capability extension): after the
   * splice client and target talk directly, so they must have agreed on exactly what both expect.
   */
  static final long PASSED =
      ((1L << 26) - 1) & ~COMPRESS & ~SSL
          | QUERY_ATTRIBUTES
          | SSL_VERIFY_SERVER_CERT
          | REMEMBER_OPTIONS;

  /**
   * What a client must say for the proxy to speak for it: the 4.1 protocol and pluggable
   * authentication.
   */
  static final long REQUIRED = PROTOCOL_41 | SECURE_CONNECTION | PLUGIN_AUTH;

  /**
   * The server's greeting. {@code mariaExtended}: MariaDB's extra flags, when {@code CLIENT_MYSQL}
   * is unset.
   */
  record Greeting(
      String serverVersion,
      long connectionId,
      byte[] nonce,
      long capabilities,
      int charset,
      int status,
      long mariaExtended,
      String plugin) {}

  /**
   * The client's answer (or an SSLRequest, {@code sslRequest}). {@code database} null when none.
   */
  record Response(
      long capabilities,
      long maxPacket,
      int charset,
      long mariaExtended,
      boolean sslRequest,
      byte[] user,
      byte[] authData,
      byte @Nullable [] database,
      @Nullable String plugin,
      byte @Nullable [] attributes) {}

  private Handshake() {}

  static Greeting parseGreeting(byte[] payload) {
    Wire.Reader r = new Wire.Reader(payload);
    int protocol = r.u8();
    if (protocol != 10) {
      throw MysqlException.protocol("the target greeted with protocol " + protocol + ", not 10");
    }
    String version = new String(r.nul(), StandardCharsets.UTF_8);
    long id = r.u32();
    byte[] part1 = r.bytes(8);
    r.u8();
    long caps = r.u16();
    if (r.remaining() == 0) {
      throw MysqlException.protocol("the target's greeting has no 4.1 fields: too old a server");
    }
    int charset = r.u8();
    int status = r.u16();
    caps |= (long) r.u16() << 16;
    int authLen = r.u8();
    r.bytes(6);
    long ext = r.u32();
    if ((caps & REQUIRED) != REQUIRED) {
      throw MysqlException.protocol(
          "the target does not speak the 4.1 protocol with pluggable authentication");
    }
    int len2 = Math.max(13, authLen - 8);
    byte[] part2 = r.bytes(Math.min(len2, r.remaining()));
    byte[] nonce = new byte[8 + part2.length];
    System.arraycopy(part1, 0, nonce, 0, 8);
    System.arraycopy(part2, 0, nonce, 8, part2.length);
    String plugin = new String(r.nul(), StandardCharsets.UTF_8);
    return new Greeting(
        version,
        id,
        stripNul(nonce),
        caps,
        charset,
        status,
        (caps & CLIENT_MYSQL) == 0 ? ext : 0,
        plugin);
  }

  /** A nonce as sent: 20 bytes followed by a NUL the scramble does not include. */
  static byte[] stripNul(byte[] nonce) {
    return nonce.length > 0 && nonce[nonce.length - 1] == 0
        ? java.util.Arrays.copyOf(nonce, nonce.length - 1)
        : nonce;
  }

  static byte[] greeting(Greeting g) {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(10);
    Wire.nul(p, g.serverVersion().getBytes(StandardCharsets.UTF_8));
    Wire.u32(p, g.connectionId());
    p.write(g.nonce(), 0, 8);
    p.write(0);
    p.write((int) g.capabilities() & 0xff);
    p.write((int) (g.capabilities() >>> 8) & 0xff);
    p.write(g.charset());
    p.write(g.status() & 0xff);
    p.write(g.status() >>> 8);
    p.write((int) (g.capabilities() >>> 16) & 0xff);
    p.write((int) (g.capabilities() >>> 24) & 0xff);
    p.write(g.nonce().length + 1);
    p.writeBytes(new byte[6]);
    Wire.u32(p, g.mariaExtended());
    p.write(g.nonce(), 8, g.nonce().length - 8);
    p.write(0);
    Wire.nul(p, g.plugin().getBytes(StandardCharsets.UTF_8));
    return p.toByteArray();
  }

  static Response parseResponse(byte[] payload) {
    Wire.Reader r = new Wire.Reader(payload);
    long caps = r.u32();
    if ((caps & PROTOCOL_41) == 0) {
      throw MysqlException.protocol("the client does not speak the 4.1 protocol");
    }
    long maxPacket = r.u32();
    int charset = r.u8();
    r.bytes(19);
    long ext = r.u32();
    if (r.remaining() == 0 && (caps & SSL) != 0) {
      // an SSLRequest ends after the fixed part: no user, no auth data
      return new Response(
          caps, maxPacket, charset, ext, true, new byte[0], new byte[0], null, null, null);
    }
    byte[] user = r.nul();
    byte[] auth;
    if ((caps & PLUGIN_AUTH_LENENC_DATA) != 0) {
      auth = r.lenencBytes();
    } else if ((caps & SECURE_CONNECTION) != 0) {
      auth = r.bytes(r.u8());
    } else {
      auth = r.nul();
    }
    byte[] db = null;
    if ((caps & CONNECT_WITH_DB) != 0 && r.remaining() > 0) {
      db = r.nul();
    }
    String plugin = null;
    if ((caps & PLUGIN_AUTH) != 0 && r.remaining() > 0) {
      plugin = new String(r.nul(), StandardCharsets.UTF_8);
    }
    byte[] attrs = null;
    if ((caps & CONNECT_ATTRS) != 0 && r.remaining() > 0) {
      attrs = r.lenencBytes();
    }
    return new Response(caps, maxPacket, charset, ext, false, user, auth, db, plugin, attrs);
  }

  /** The SSLRequest: a response cut after its fixed part, with {@code SSL} set. */
  static byte[] sslRequest(Response r) {
    return java.util.Arrays.copyOf(fixed(r), 32);
  }

  static byte[] response(Response r) {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.writeBytes(fixed(r));
    Wire.nul(p, r.user());
    if ((r.capabilities() & PLUGIN_AUTH_LENENC_DATA) != 0) {
      Wire.lenenc(p, r.authData().length);
    } else {
      p.write(r.authData().length);
    }
    p.writeBytes(r.authData());
    byte[] db = r.database();
    if ((r.capabilities() & CONNECT_WITH_DB) != 0) {
      // toUpstream sets CONNECT_WITH_DB only with a database; an empty name would mean none
      Wire.nul(p, db == null ? new byte[0] : db);
    }
    // the agent's answer (toUpstream) always names the plugin it logs in with
    String plugin = Objects.requireNonNull(r.plugin(), "the agent's answer names its plugin");
    Wire.nul(p, plugin.getBytes(StandardCharsets.UTF_8));
    if ((r.capabilities() & CONNECT_ATTRS) != 0) {
      byte[] given = r.attributes();
      byte[] a = given == null ? new byte[0] : given;
      Wire.lenenc(p, a.length);
      p.writeBytes(a);
    }
    return p.toByteArray();
  }

  private static byte[] fixed(Response r) {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    Wire.u32(p, r.capabilities());
    Wire.u32(p, r.maxPacket());
    p.write(r.charset());
    p.writeBytes(new byte[19]);
    Wire.u32(p, r.mariaExtended());
    return p.toByteArray();
  }

  /**
   * The greeting when there is no target's to mirror (the caller was refused before the agent
   * connected): enough for a client to answer, so that it gets the refusal as an ordinary error.
   */
  static Greeting standIn(byte[] nonce) {
    long caps =
        REQUIRED
            | CONNECT_WITH_DB
            | PLUGIN_AUTH_LENENC_DATA
            | CONNECT_ATTRS
            | (1 << 13)
            | (1 << 16)
            | (1 << 17);
    return new Greeting(
        "5.5.5-10.11.0-Warden-agent", 0, nonce, caps, 45, 2, 0, "mysql_native_password");
  }

  /**
   * The greeting the client gets: the target's, with the proxy's own nonce and only the flags
   * passed on.
   */
  static Greeting toClient(Greeting upstream, byte[] nonce) {
    return new Greeting(
        upstream.serverVersion(),
        upstream.connectionId(),
        nonce,
        upstream.capabilities() & PASSED,
        upstream.charset(),
        upstream.status(),
        upstream.mariaExtended(),
        "mysql_native_password");
  }

  /**
   * What the agent answers the target: the flags both the client chose and the target offered (so
   * that after the splice each expects what the other does), the issued user, and the database —
   * the client's if it named one, else the resource's.
   */
  static Response toUpstream(
      Response client,
      Greeting upstream,
      boolean tls,
      byte[] user,
      byte[] authData,
      String plugin,
      @Nullable String resourceDatabase) {
    byte[] db =
        client.database() != null && client.database().length > 0
            ? client.database()
            : resourceDatabase == null || resourceDatabase.isEmpty()
                ? null
                : resourceDatabase.getBytes(StandardCharsets.UTF_8);
    long caps = client.capabilities() & upstream.capabilities() & PASSED | REQUIRED;
    caps = db == null ? caps & ~CONNECT_WITH_DB : caps | CONNECT_WITH_DB;
    if (tls) {
      caps |= SSL;
    }
    if (authData.length > 250 && (upstream.capabilities() & PLUGIN_AUTH_LENENC_DATA) != 0) {
      caps |= PLUGIN_AUTH_LENENC_DATA;
    }
    return new Response(
        caps,
        client.maxPacket(),
        client.charset(),
        client.mariaExtended() & upstream.mariaExtended(),
        false,
        user,
        authData,
        db,
        plugin,
        client.attributes());
  }
}
