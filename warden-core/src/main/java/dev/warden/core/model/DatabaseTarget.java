package dev.warden.core.model;

import dev.warden.core.error.ValidationException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where a {@code postgres} resource's users are created, and how: the database's JDBC URL, the
 * admin role Warden connects as, the name of the stored secret holding that role's password
 * (never the password: it is set through {@code /v1/target-secrets} and kept encrypted), the roles
 * each issued user is granted, the template of user names, the longest a user may live, how many
 * live users one workload may hold, and the marker role that tags every user Warden creates.
 *
 * @param url {@code jdbc:postgresql://host[:port]/database}, optionally {@code ?sslmode=...}; no
 *     user, password or other parameter
 * @param roles granted to every issued user, which inherits their privileges
 * @param markerRole a NOLOGIN role every issued user is made a member of; Warden removes only users
 *     that carry it. One marker per Warden installation
 */
public record DatabaseTarget(String url, String adminUser, String adminPasswordSecret, List<String> roles,
    UsernameTemplate usernameTemplate, Duration maxTtl, int maxLeasesPerWorkload, String markerRole) {

  public static final Duration DEFAULT_MAX_TTL = Duration.ofHours(1);
  public static final int DEFAULT_MAX_LEASES = 10;
  public static final int MAX_LEASES_LIMIT = 1000;
  public static final String DEFAULT_MARKER = "warden_managed";
  /** PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated, so they are refused. */
  public static final int MAX_IDENTIFIER_BYTES = 63;
  private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca",
      "verify-full");

  public DatabaseTarget {
    checkUrl(url);
    identifier("spec.database.adminUser", adminUser);
    Names.check("spec.database.adminPasswordSecret", adminPasswordSecret);
    roles = roles == null ? List.of() : List.copyOf(roles);
    for (String r : roles) {
      identifier("spec.database.roles", r);
    }
    if (Set.copyOf(roles).size() != roles.size()) {
      throw new ValidationException("spec.database.roles", "lists a role twice");
    }
    usernameTemplate = usernameTemplate == null ? UsernameTemplate.DEFAULT : usernameTemplate;
    maxTtl = maxTtl == null ? DEFAULT_MAX_TTL : maxTtl;
    if (maxTtl.compareTo(Duration.ofSeconds(1)) < 0 || maxTtl.compareTo(AccessPolicy.MAX_TTL_LIMIT) > 0) {
      throw new ValidationException("spec.database.maxTtl", "must be between 1s and 24h, got "
          + Durations.format(maxTtl));
    }
    maxLeasesPerWorkload = maxLeasesPerWorkload == 0 ? DEFAULT_MAX_LEASES : maxLeasesPerWorkload;
    if (maxLeasesPerWorkload < 1 || maxLeasesPerWorkload > MAX_LEASES_LIMIT) {
      throw new ValidationException("spec.database.maxLeasesPerWorkload", "must be between 1 and "
          + MAX_LEASES_LIMIT + ", got " + maxLeasesPerWorkload);
    }
    markerRole = markerRole == null ? DEFAULT_MARKER : markerRole;
    identifier("spec.database.markerRole", markerRole);
    if (markerRole.equals(adminUser) || roles.contains(markerRole)) {
      throw new ValidationException("spec.database.markerRole", "'" + markerRole
          + "' must be a role of its own, neither the admin user nor a granted role: it tags what Warden may drop");
    }
    if (roles.contains(adminUser)) {
      throw new ValidationException("spec.database.roles", "must not grant the admin user '" + adminUser
          + "' itself to issued users");
    }
  }

  /** The database name in {@link #url()}. */
  public String database() {
    String rest = url.substring("jdbc:postgresql://".length());
    String path = rest.substring(rest.indexOf('/') + 1);
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
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
      throw new ValidationException(field, "must be at most " + MAX_IDENTIFIER_BYTES
          + " bytes (PostgreSQL would truncate it)");
    }
    for (int i = 0; i < name.length(); i++) {
      if (Character.isISOControl(name.charAt(i))) {
        throw new ValidationException(field, "must not contain control characters");
      }
    }
    return name;
  }

  /**
   * Accepts exactly {@code jdbc:postgresql://host[:port]/database[?sslmode=mode]}. Credentials in
   * the URL are refused: the admin password is a secret and must never sit in a configuration
   * document or its history.
   */
  private static void checkUrl(String url) {
    String f = "spec.database.url";
    String prefix = "jdbc:postgresql://";
    if (url == null || url.isEmpty()) {
      throw new ValidationException(f, "is required, e.g. jdbc:postgresql://db.example.com:5432/ledger");
    }
    if (url.length() > 512) {
      throw new ValidationException(f, "must be at most 512 characters");
    }
    if (!url.startsWith(prefix)) {
      throw new ValidationException(f, "must start with " + prefix + " (e.g. jdbc:postgresql://db.example.com:5432/ledger)");
    }
    String rest = url.substring(prefix.length());
    int slash = rest.indexOf('/');
    if (slash <= 0) {
      throw new ValidationException(f, "must name a host and a database: " + prefix + "host[:port]/database");
    }
    String hostPort = rest.substring(0, slash);
    if (hostPort.contains("@")) {
      throw new ValidationException(f, "must not contain a user or password; name the admin user in"
          + " spec.database.adminUser and its password as a target secret");
    }
    checkHostPort(f, hostPort);
    String path = rest.substring(slash + 1);
    String query = null;
    int q = path.indexOf('?');
    if (q >= 0) {
      query = path.substring(q + 1);
      path = path.substring(0, q);
    }
    if (path.isEmpty() || path.length() > MAX_IDENTIFIER_BYTES || !path.matches("[A-Za-z0-9_.-]+")) {
      throw new ValidationException(f, "the database name must be 1 to 63 letters, digits, '_', '.' or '-'");
    }
    if (query != null) {
      String[] kv = query.split("=", -1);
      if (kv.length != 2 || !kv[0].equals("sslmode") || !SSL_MODES.contains(kv[1])) {
        throw new ValidationException(f, "the only parameter allowed is sslmode=" + new java.util.TreeSet<>(SSL_MODES)
            + "; credentials and driver options are not taken from the URL");
      }
    }
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
      if (host.isEmpty() || host.length() > 253 || !host.toLowerCase(Locale.ROOT).matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
        throw new ValidationException(f, "'" + host + "' is not a host name or IPv4 address (one host; no lists)");
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
