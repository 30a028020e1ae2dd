package dev.warden.core.model;

import dev.warden.core.error.ValidationException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Where a database resource's users are created, and how: the target's URL (its {@link
 * DatabaseEngine} follows from the scheme), the admin user Warden connects as, the name of the
 * stored secret holding that user's password (never the password: it is set through {@code
 * /v1/target-secrets} and kept encrypted), what each issued user may do (PostgreSQL and MariaDB
 * roles, Redis ACL rules), the template of user names, the longest a user may live, how many live
 * users one workload may hold, and — for PostgreSQL — the marker role that tags every user Warden
 * creates (MariaDB and Redis users are tagged by their name's prefix and shape).
 *
 * @param url {@code jdbc:postgresql://host[:port]/database[?sslmode=...]}, {@code
 *     jdbc:mariadb://host[:port]/database[?sslMode=...]} or {@code redis[s]://host[:port][/db]};
 *     never a user or password
 * @param roles granted to every issued user, which inherits their privileges (PostgreSQL; MariaDB:
 *     at most one, made the user's default role); none for Redis
 * @param markerRole PostgreSQL only: a NOLOGIN role every issued user is made a member of; Warden
 *     removes only users that carry it. One marker per Warden installation
 * @param acl Redis only: the ACL rules of every issued user ({@code ~keys*}, {@code +@read}, ...);
 *     Warden sets the user's state and password itself
 */
public record DatabaseTarget(
    String url,
    String adminUser,
    String adminPasswordSecret,
    List<String> roles,
    UsernameTemplate usernameTemplate,
    Duration maxTtl,
    int maxLeasesPerWorkload,
    String markerRole,
    List<String> acl) {

  public static final Duration DEFAULT_MAX_TTL = Duration.ofHours(1);
  public static final int DEFAULT_MAX_LEASES = 10;
  public static final int MAX_LEASES_LIMIT = 1000;
  public static final String DEFAULT_MARKER = "warden_managed";

  /**
   * PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated, so they are refused.
   */
  public static final int MAX_IDENTIFIER_BYTES = 63;

  /** The shortest literal start of a user name that tags a MariaDB or Redis user as Warden's. */
  public static final int MIN_NAME_PREFIX = 2;

  private static final Set<String> PG_SSL_MODES =
      Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
  private static final Set<String> MARIADB_SSL_MODES =
      Set.of("disable", "trust", "verify-ca", "verify-full");

  public DatabaseTarget {
    DatabaseEngine engine = checkUrl(url);
    identifier("spec.database.adminUser", adminUser);
    Names.check("spec.database.adminPasswordSecret", adminPasswordSecret);
    roles = roles == null ? List.of() : List.copyOf(roles);
    acl = acl == null ? List.of() : List.copyOf(acl);
    for (String r : roles) {
      identifier("spec.database.roles", r);
    }
    if (Set.copyOf(roles).size() != roles.size()) {
      throw new ValidationException("spec.database.roles", "lists a role twice");
    }
    usernameTemplate = usernameTemplate == null ? UsernameTemplate.DEFAULT : usernameTemplate;
    maxTtl = maxTtl == null ? DEFAULT_MAX_TTL : maxTtl;
    if (maxTtl.compareTo(Duration.ofSeconds(1)) < 0
        || maxTtl.compareTo(AccessPolicy.MAX_TTL_LIMIT) > 0) {
      throw new ValidationException(
          "spec.database.maxTtl", "must be between 1s and 24h, got " + Durations.format(maxTtl));
    }
    maxLeasesPerWorkload = maxLeasesPerWorkload == 0 ? DEFAULT_MAX_LEASES : maxLeasesPerWorkload;
    if (maxLeasesPerWorkload < 1 || maxLeasesPerWorkload > MAX_LEASES_LIMIT) {
      throw new ValidationException(
          "spec.database.maxLeasesPerWorkload",
          "must be between 1 and " + MAX_LEASES_LIMIT + ", got " + maxLeasesPerWorkload);
    }
    if (roles.contains(adminUser)) {
      throw new ValidationException(
          "spec.database.roles",
          "must not grant the admin user '" + adminUser + "' itself to issued users");
    }
    switch (engine) {
      case POSTGRES -> {
        markerRole = markerRole == null ? DEFAULT_MARKER : markerRole;
        identifier("spec.database.markerRole", markerRole);
        if (markerRole.equals(adminUser) || roles.contains(markerRole)) {
          throw new ValidationException(
              "spec.database.markerRole",
              "'"
                  + markerRole
                  + "' must be a role of its own, neither the admin user nor a granted role: it tags what Warden may drop");
        }
        if (!acl.isEmpty()) {
          throw new ValidationException(
              "spec.database.acl",
              "applies to redis only; grant PostgreSQL privileges"
                  + " through spec.database.roles");
        }
      }
      case MARIADB, REDIS -> {
        if (markerRole != null) {
          throw new ValidationException(
              "spec.database.markerRole",
              "applies to postgres only; "
                  + engine.kind()
                  + " users are tagged by the literal start of spec.database.usernameTemplate");
        }
        if (usernameTemplate.prefix().length() < MIN_NAME_PREFIX) {
          throw new ValidationException(
              "spec.database.usernameTemplate",
              "must start with at least "
                  + MIN_NAME_PREFIX
                  + " literal characters (e.g. w_{workload}_{random}): on "
                  + engine.kind()
                  + " the name's start is the tag that lets Warden drop only the users it created");
        }
        if (engine == DatabaseEngine.MARIADB) {
          if (roles.size() > 1) {
            throw new ValidationException(
                "spec.database.roles",
                "MariaDB gives a user one default role; name one"
                    + " role (grant several roles to it to combine them)");
          }
          if (!acl.isEmpty()) {
            throw new ValidationException(
                "spec.database.acl",
                "applies to redis only; grant MariaDB privileges"
                    + " through a role in spec.database.roles");
          }
        } else {
          if (!roles.isEmpty()) {
            throw new ValidationException(
                "spec.database.roles",
                "Redis has no roles; give issued users ACL rules in"
                    + " spec.database.acl, e.g. [\"~cache:*\", \"+@read\"]");
          }
          RedisAcl.check(acl);
        }
      }
    }
  }

  /** A PostgreSQL target (no ACL rules). */
  public DatabaseTarget(
      String url,
      String adminUser,
      String adminPasswordSecret,
      List<String> roles,
      UsernameTemplate usernameTemplate,
      Duration maxTtl,
      int maxLeasesPerWorkload,
      String markerRole) {
    this(
        url,
        adminUser,
        adminPasswordSecret,
        roles,
        usernameTemplate,
        maxTtl,
        maxLeasesPerWorkload,
        markerRole,
        List.of());
  }

  /** The kind of database, from the URL's scheme. */
  public DatabaseEngine engine() {
    // the constructor refuses a URL of no known engine
    return Objects.requireNonNull(DatabaseEngine.ofUrl(url), "engine");
  }

  /** The host in {@link #url()}, without IPv6 brackets. */
  public String host() {
    String hp = hostPort();
    int colon = hp.lastIndexOf(':');
    String host = colon > hp.lastIndexOf(']') ? hp.substring(0, colon) : hp;
    return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
  }

  /** The port in {@link #url()}, or the engine's default. */
  public int port() {
    String hp = hostPort();
    int colon = hp.lastIndexOf(':');
    return colon > hp.lastIndexOf(']')
        ? Integer.parseInt(hp.substring(colon + 1))
        : engine().defaultPort();
  }

  /** {@code host:port} as written in {@link #url()}: the server, whatever the database. */
  public String hostPort() {
    String rest = afterScheme(url);
    int slash = rest.indexOf('/');
    String hp = slash < 0 ? rest : rest.substring(0, slash);
    int q = hp.indexOf('?');
    return q < 0 ? hp : hp.substring(0, q);
  }

  /** The database name in {@link #url()}; for Redis the database number, or "0". */
  public String database() {
    String rest = afterScheme(url);
    int slash = rest.indexOf('/');
    if (slash < 0) {
      return "0";
    }
    String path = rest.substring(slash + 1);
    int q = path.indexOf('?');
    path = q < 0 ? path : path.substring(0, q);
    return path.isEmpty() ? "0" : path;
  }

  /** The parameter {@code name} of the URL's query, or null. */
  public @Nullable String parameter(String name) {
    int q = url.indexOf('?');
    if (q < 0) {
      return null;
    }
    for (String kv : url.substring(q + 1).split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0 && kv.substring(0, eq).equals(name)) {
        return kv.substring(eq + 1);
      }
    }
    return null;
  }

  /** {@code host:port/database} without credentials or parameters, for messages. */
  public String where() {
    return engine() == DatabaseEngine.REDIS ? hostPort() : hostPort() + "/" + database();
  }

  private static String afterScheme(String url) {
    return url.substring(url.indexOf("://") + 3);
  }

  /**
   * Checks a PostgreSQL role name as Warden will quote it: 1 to 63 bytes of UTF-8, no control
   * characters. Quotes, semicolons and spaces are allowed; identifiers are always quoted.
   *
   * @throws ValidationException naming {@code field}
   */
  public static String identifier(String field, String name) {
    if (name == null || name.isEmpty()) {
      throw new ValidationException(field, "is required");
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
      throw new ValidationException(
          field,
          "must be at most " + MAX_IDENTIFIER_BYTES + " bytes (PostgreSQL would truncate it)");
    }
    for (int i = 0; i < name.length(); i++) {
      if (Character.isISOControl(name.charAt(i))) {
        throw new ValidationException(field, "must not contain control characters");
      }
    }
    return name;
  }

  /**
   * Accepts exactly {@code scheme://host[:port]/database[?one-tls-parameter]} for SQL engines and
   * {@code redis[s]://host[:port][/db]} for Redis. Credentials in the URL are refused: the admin
   * password is a secret and must never sit in a configuration document or its history.
   */
  private static DatabaseEngine checkUrl(String url) {
    String f = "spec.database.url";
    if (url == null || url.isEmpty()) {
      throw new ValidationException(
          f,
          "is required, e.g. jdbc:postgresql://db.example.com:5432/ledger,"
              + " jdbc:mariadb://db.example.com:3306/shop or redis://cache.example.com:6379");
    }
    if (url.length() > 512) {
      throw new ValidationException(f, "must be at most 512 characters");
    }
    DatabaseEngine engine = DatabaseEngine.ofUrl(url);
    if (engine == null || engine.schemes().stream().noneMatch(url::startsWith)) {
      throw new ValidationException(
          f,
          "must start with jdbc:postgresql://, jdbc:mariadb:// (or jdbc:mysql://),"
              + " redis:// or rediss://");
    }
    String rest = afterScheme(url);
    int slash = rest.indexOf('/');
    String hostPort = slash < 0 ? rest : rest.substring(0, slash);
    if (hostPort.contains("@")) {
      throw new ValidationException(
          f,
          "must not contain a user or password; name the admin user in"
              + " spec.database.adminUser and its password as a target secret");
    }
    if (engine == DatabaseEngine.REDIS) {
      if (hostPort.contains("?") || rest.contains("?")) {
        throw new ValidationException(
            f, "takes no parameters: redis://host[:port][/db], rediss:// for TLS");
      }
      checkHostPort(f, hostPort);
      String db = slash < 0 ? "" : rest.substring(slash + 1);
      if (!db.isEmpty() && !db.matches("[0-9]{1,5}")) {
        throw new ValidationException(
            f, "the Redis database must be a number, e.g. redis://cache:6379/0");
      }
      return engine;
    }
    if (slash <= 0) {
      throw new ValidationException(
          f,
          "must name a host and a database: "
              + engine.schemes().getFirst()
              + "host[:port]/database");
    }
    checkHostPort(f, hostPort);
    String path = rest.substring(slash + 1);
    String query = null;
    int q = path.indexOf('?');
    if (q >= 0) {
      query = path.substring(q + 1);
      path = path.substring(0, q);
    }
    if (path.isEmpty()
        || path.length() > MAX_IDENTIFIER_BYTES
        || !path.matches("[A-Za-z0-9_.-]+")) {
      throw new ValidationException(
          f, "the database name must be 1 to 63 letters, digits, '_', '.' or '-'");
    }
    if (query != null) {
      String param = engine == DatabaseEngine.POSTGRES ? "sslmode" : "sslMode";
      Set<String> modes = engine == DatabaseEngine.POSTGRES ? PG_SSL_MODES : MARIADB_SSL_MODES;
      String[] kv = query.split("=", -1);
      if (kv.length != 2 || !kv[0].equals(param) || !modes.contains(kv[1])) {
        throw new ValidationException(
            f,
            "the only parameter allowed is "
                + param
                + "="
                + new java.util.TreeSet<>(modes)
                + "; credentials and driver options are not taken from the URL");
      }
    }
    return engine;
  }

  private static void checkHostPort(String f, String hostPort) {
    String host = hostPort;
    String port = null;
    if (hostPort.startsWith("[")) {
      int end = hostPort.indexOf(']');
      if (end < 0) {
        throw new ValidationException(f, "an IPv6 host must be written [address]");
      }
      host = hostPort.substring(1, end);
      if (!host.matches("[0-9A-Fa-f:.]+")) {
        throw new ValidationException(f, "'" + host + "' is not an IPv6 address");
      }
      String after = hostPort.substring(end + 1);
      if (!after.isEmpty()) {
        if (!after.startsWith(":")) {
          throw new ValidationException(f, "expected :port after the IPv6 host");
        }
        port = after.substring(1);
      }
    } else {
      int colon = hostPort.indexOf(':');
      if (colon >= 0) {
        port = hostPort.substring(colon + 1);
        host = hostPort.substring(0, colon);
      }
      if (host.isEmpty()
          || host.length() > 253
          || !host.toLowerCase(Locale.ROOT).matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
        throw new ValidationException(
            f, "'" + host + "' is not a host name or IPv4 address (one host; no lists)");
      }
    }
    if (port != null) {
      int p;
      try {
        p = port.matches("[0-9]{1,5}") ? Integer.parseInt(port) : -1;
      } catch (NumberFormatException e) {
        p = -1;
      }
      if (p < 1 || p > 65535) {
        throw new ValidationException(f, "the port must be a number from 1 to 65535");
      }
    }
  }
}
