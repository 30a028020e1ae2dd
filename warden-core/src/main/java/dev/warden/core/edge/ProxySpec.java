package dev.warden.core.edge;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One credential-injecting proxy the agent runs: which protocol, which Warden resource it reaches,
 * where it listens, and how it protects the way to the target.
 *
 * <p>Why it is over 400 lines: it is the one parser of the {@code --proxy} flag shared by the agent
 * and {@code EdgeProxy} documents, with the per-protocol rules that flag's grammar carries;
 * splitting it would give one grammar two homes.
 *
 * @param listenUnix a Unix socket path (the kernel names the caller), or null
 * @param listenTcp a loopback address and port, or null (one of the two is set)
 * @param upstreamCa PEM CA certificates for the target's TLS certificate; null: the JDK's trust
 *     store
 * @param allowWeakAuth send a cleartext password or an MD5 hash to a target over an unencrypted
 *     connection if it asks for one (off: only SCRAM, or TLS); for MySQL, fetch the server's RSA
 *     key over an unencrypted connection for caching_sha2_password's full authentication
 * @param clientTls TLS between the application and the agent (postgres TCP listeners; default
 *     {@code allow} there, {@code off} elsewhere)
 * @param routes the http proxy's destinations that get a credential (empty for other protocols)
 * @param refuseUnlisted the http proxy refuses destinations no route names, instead of tunnelling
 *     them
 * @param responseTimeout how long the http proxy waits for a destination's response head before
 *     answering 504 (default 60 s)
 */
public record ProxySpec(
    Protocol protocol,
    String resource,
    Path listenUnix,
    InetSocketAddress listenTcp,
    UpstreamTls upstreamTls,
    Path upstreamCa,
    boolean allowWeakAuth,
    ClientTlsMode clientTls,
    java.util.List<HttpRoute> routes,
    boolean refuseUnlisted,
    java.time.Duration responseTimeout) {

  /**
   * The wire protocols the agent can inject credentials into: PostgreSQL, MySQL's (MariaDB and
   * MySQL servers, resource kind {@code mariadb}) and Redis's RESP.
   */
  public enum Protocol {
    POSTGRES,
    MYSQL,
    REDIS,
    HTTP;

    /**
     * Parses {@code postgres}, {@code mysql}, {@code redis} or {@code http}.
     *
     * @throws ProxySpecException (option {@code protocol}) for anything else
     */
    public static Protocol parse(String s) {
      try {
        return valueOf(s.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ProxySpecException(
            "protocol", "'" + s + "' is not a proxy protocol; use postgres, mysql, redis or http");
      }
    }

    /** As the user writes it: {@code postgres}. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** How the agent connects to the target, in libpq's terms. */
  public enum UpstreamTls {
    /** No TLS: only for a target on a network the operator trusts. */
    DISABLE,
    /** TLS, the certificate chains to the trusted CAs; the name is not checked. */
    VERIFY_CA,
    /** TLS, chain and host name checked: the default. */
    VERIFY_FULL;

    /**
     * Parses {@code verify-full}, {@code verify-ca} or {@code disable}.
     *
     * @throws ProxySpecException (option {@code upstream-tls}) for anything else
     */
    public static UpstreamTls parse(String s) {
      try {
        return valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new ProxySpecException(
            "upstream-tls", "must be verify-full, verify-ca or disable, not " + s);
      }
    }

    /** As the user writes it: {@code verify-full}. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** Whether the application may or must use TLS to the agent. */
  public enum ClientTlsMode {
    /** Plaintext only: the default, and the only mode, on a Unix socket. */
    OFF,
    /**
     * TLS when the client asks (a certificate from Warden's CA), plaintext otherwise: the TCP
     * default.
     */
    ALLOW,
    /** TLS only: a client that does not ask for it is refused. */
    REQUIRE;

    /**
     * Parses {@code allow}, {@code require} or {@code off}.
     *
     * @throws ProxySpecException (option {@code client-tls}) for anything else
     */
    public static ClientTlsMode parse(String s) {
      try {
        return valueOf(s.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ProxySpecException("client-tls", "must be allow, require or off, not " + s);
      }
    }

    /** As the user writes it: {@code allow}. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Where a proxy listens: a Unix socket path or a loopback address, one of the two.
   *
   * @param unix a Unix socket path, or null
   * @param tcp a loopback address and port, or null
   */
  public record Listen(Path unix, InetSocketAddress tcp) {
    /**
     * Parses {@code unix:<path>} or {@code <loopback address>:<port>} ({@code [::1]:<port>} for
     * IPv6).
     *
     * @throws ProxySpecException (option {@code listen}) when it is neither
     */
    public static Listen parse(String s) {
      if (s.startsWith("unix:")) {
        if (s.length() == 5) {
          throw new ProxySpecException(
              "listen", "unix: needs the socket's path, e.g. unix:/run/warden/db.sock");
        }
        try {
          return new Listen(Path.of(s.substring(5)), null);
        } catch (java.nio.file.InvalidPathException e) {
          throw new ProxySpecException("listen", s + " is not a usable path: " + e.getReason());
        }
      }
      return new Listen(null, ProxySpec.tcp(s));
    }
  }

  /** The longest Unix socket path the kernel accepts (sun_path holds 108 bytes with its NUL). */
  public static final int MAX_UNIX_PATH_BYTES = 107;

  /**
   * Checks every rule that concerns the settings together.
   *
   * @throws ProxySpecException naming the option that breaks one
   */
  public ProxySpec {
    if (protocol == null) {
      throw new ProxySpecException("protocol", "is required: postgres, mysql, redis or http");
    }
    routes = routes == null ? java.util.List.of() : java.util.List.copyOf(routes);
    responseTimeout = responseTimeout == null ? java.time.Duration.ofSeconds(60) : responseTimeout;
    if (responseTimeout.isNegative() || responseTimeout.isZero()) {
      throw new ProxySpecException("response-timeout", "must be positive");
    }
    if (protocol == Protocol.HTTP) {
      if (resource != null) {
        throw new ProxySpecException(
            "resource",
            "the http proxy takes a resource per route (per destination host),"
                + " not one for the whole proxy");
      }
      if (listenUnix != null) {
        throw new ProxySpecException(
            "listen",
            "the http proxy listens on loopback TCP (HTTP_PROXY names a host and"
                + " port), not a Unix socket");
      }
    } else if (!routes.isEmpty()) {
      throw new ProxySpecException("route", "routes apply to the http proxy only");
    } else if (refuseUnlisted) {
      throw new ProxySpecException("unlisted", "applies to the http proxy only");
    }
    if (protocol != Protocol.HTTP && (resource == null || resource.isBlank())) {
      throw new ProxySpecException(
          "resource",
          "a "
              + protocol.name().toLowerCase(Locale.ROOT)
              + " proxy needs the Warden resource it reaches");
    }
    if ((listenUnix == null) == (listenTcp == null)) {
      throw new ProxySpecException(
          "listen",
          "a proxy listens on exactly one Unix socket (unix:<path>) or loopback"
              + " address (127.0.0.1:<port>)");
    }
    if (listenTcp != null
        && (listenTcp.getAddress() == null || !listenTcp.getAddress().isLoopbackAddress())) {
      throw new ProxySpecException(
          "listen",
          "a proxy listens on loopback only ("
              + listenTcp
              + " is not): the agent "
              + "identifies callers as processes on this host");
    }
    if (listenUnix != null
        && listenUnix
                .toAbsolutePath()
                .toString()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)
                .length
            > MAX_UNIX_PATH_BYTES) {
      throw new ProxySpecException(
          "listen",
          "the Unix socket path "
              + listenUnix
              + " is longer than the kernel's "
              + MAX_UNIX_PATH_BYTES
              + " bytes; choose a shorter one");
    }
    upstreamTls = upstreamTls == null ? UpstreamTls.VERIFY_FULL : upstreamTls;
    if (listenUnix != null && clientTls != null && clientTls != ClientTlsMode.OFF) {
      throw new ProxySpecException(
          "client-tls",
          "applies to TCP listeners: on a Unix socket the kernel already "
              + "protects the connection (and libpq does not use TLS there)");
    }
    if (protocol != Protocol.POSTGRES && clientTls != null && clientTls != ClientTlsMode.OFF) {
      throw new ProxySpecException(
          "client-tls", "is supported by the postgres proxy only (so far)");
    }
    clientTls =
        clientTls != null
            ? clientTls
            : listenUnix == null && protocol == Protocol.POSTGRES
                ? ClientTlsMode.ALLOW
                : ClientTlsMode.OFF;
  }

  /** A database proxy (no HTTP routes). */
  public ProxySpec(
      Protocol protocol,
      String resource,
      Path listenUnix,
      InetSocketAddress listenTcp,
      UpstreamTls upstreamTls,
      Path upstreamCa,
      boolean allowWeakAuth,
      ClientTlsMode clientTls) {
    this(
        protocol,
        resource,
        listenUnix,
        listenTcp,
        upstreamTls,
        upstreamCa,
        allowWeakAuth,
        clientTls,
        null,
        false,
        null);
  }

  /**
   * Parses the command line's form: {@code
   * postgres:resource=ledger-db,listen=unix:/run/warden/ledger.sock} (or {@code mysql:...}, {@code
   * redis:...}; TLS to the target is verify-full unless told otherwise) with optional {@code
   * upstream-tls=verify-full|verify-ca|disable}, {@code upstream-ca=<pem>}, {@code
   * allow-weak-auth=true}, {@code client-tls=allow|require|off}.
   */
  public static ProxySpec parse(String spec) {
    int colon = spec.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(
          "--proxy takes <protocol>:resource=<name>,listen=<where>, not " + spec);
    }
    Protocol p;
    try {
      p = Protocol.valueOf(spec.substring(0, colon).toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown proxy protocol " + spec.substring(0, colon) + " (postgres, mysql, redis, http)");
    }
    Map<String, String> kv = new LinkedHashMap<>();
    java.util.List<HttpRoute> routes = new java.util.ArrayList<>();
    for (String part : spec.substring(colon + 1).split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--proxy option " + part + " is not key=value");
      }
      String k = part.substring(0, eq).trim();
      if (k.equals("route") && p == Protocol.HTTP) { // the one option given once per destination
        routes.add(HttpRoute.parse(part.substring(eq + 1).trim()));
        continue;
      }
      if (kv.put(k, part.substring(eq + 1).trim()) != null) {
        throw new IllegalArgumentException("--proxy option " + k + " given twice");
      }
    }
    for (String k : kv.keySet()) {
      if (!java.util.Set.of(
              "resource",
              "listen",
              "upstream-tls",
              "upstream-ca",
              "allow-weak-auth",
              "client-tls",
              "unlisted",
              "response-timeout")
          .contains(k)) {
        throw new IllegalArgumentException(
            "unknown --proxy option "
                + k
                + " (resource, listen, upstream-tls, upstream-ca, allow-weak-auth, client-tls; http: route, unlisted, "
                + "response-timeout)");
      }
    }
    if (p != Protocol.HTTP && kv.containsKey("response-timeout")) {
      throw new IllegalArgumentException("response-timeout applies to the http proxy only");
    }
    String listen = kv.get("listen");
    if (listen == null) {
      throw new IllegalArgumentException(
          "--proxy needs listen=unix:<path> or listen=127.0.0.1:<port>");
    }
    try {
      Listen l = Listen.parse(listen);
      return new ProxySpec(
          p,
          kv.get("resource"),
          l.unix(),
          l.tcp(),
          kv.containsKey("upstream-tls") ? UpstreamTls.parse(kv.get("upstream-tls")) : null,
          kv.containsKey("upstream-ca") ? Path.of(kv.get("upstream-ca")) : null,
          Boolean.parseBoolean(kv.getOrDefault("allow-weak-auth", "false")),
          kv.containsKey("client-tls") ? ClientTlsMode.parse(kv.get("client-tls")) : null,
          routes,
          unlisted(kv.get("unlisted")),
          seconds(kv.get("response-timeout")));
    } catch (ProxySpecException e) {
      throw new IllegalArgumentException("--proxy " + e.option() + ": " + e.getMessage(), e);
    }
  }

  private static java.time.Duration seconds(String s) {
    if (s == null) {
      return null;
    }
    try {
      return java.time.Duration.ofSeconds(
          Long.parseLong(s.endsWith("s") ? s.substring(0, s.length() - 1) : s));
    } catch (NumberFormatException e) {
      throw new ProxySpecException("response-timeout", "takes seconds (30 or 30s), not " + s);
    }
  }

  /**
   * The http proxy's {@code unlisted}: {@code tunnel} (the default, also for null) or {@code
   * refuse}.
   *
   * @throws ProxySpecException (option {@code unlisted}) for anything else
   */
  public static boolean unlisted(String s) {
    if (s == null || s.equals("tunnel")) {
      return false;
    }
    if (s.equals("refuse")) {
      return true;
    }
    throw new ProxySpecException("unlisted", "must be tunnel or refuse, not " + s);
  }

  private static InetSocketAddress tcp(String s) {
    int c = s.lastIndexOf(':');
    if (c <= 0) {
      throw new ProxySpecException(
          "listen", s + " is neither unix:<path> nor <loopback address>:<port>");
    }
    String host = s.substring(0, c);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(c + 1));
    } catch (NumberFormatException e) {
      throw new ProxySpecException("listen", s + ": the port is not a number");
    }
    if (port < 1 || port > 65535) {
      throw new ProxySpecException("listen", s + ": the port must be 1..65535");
    }
    try {
      // a literal only: a name would need a lookup that could answer something that is not loopback
      if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
        throw new ProxySpecException(
            "listen", s + ": give a loopback address (127.0.0.1 or ::1), not a name");
      }
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw new ProxySpecException("listen", s + ": not an address");
    }
  }

  /** Where it listens, as a user would write it. */
  public String where() {
    return listenUnix != null
        ? "unix:" + listenUnix
        : listenTcp.getAddress().getHostAddress() + ":" + listenTcp.getPort();
  }
}
