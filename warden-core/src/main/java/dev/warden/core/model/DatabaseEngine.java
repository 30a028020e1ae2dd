package dev.warden.core.model;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The kinds of database Warden creates users in, each with the URL forms it accepts, its default
 * port, the longest user name it keeps intact, and how Warden tags the users it creates.
 */
public enum DatabaseEngine {
  /**
   * PostgreSQL: users tagged by membership in a NOLOGIN marker role, granted in the creating
   * transaction.
   */
  POSTGRES("postgres", List.of("jdbc:postgresql://"), 5432, 63),
  /**
   * MariaDB (and MySQL's wire protocol): DDL is not transactional there, so the tag is the name
   * itself — the username template's literal prefix and shape — which exists from the first
   * statement.
   */
  MARIADB("mariadb", List.of("jdbc:mariadb://", "jdbc:mysql://"), 3306, 80),
  /** Redis ACL users: tagged by name, like MariaDB; created by one atomic {@code ACL SETUSER}. */
  REDIS("redis", List.of("redis://", "rediss://"), 6379, 128);

  private final String kind;
  private final List<String> schemes;
  private final int defaultPort;
  private final int maxUserBytes;

  DatabaseEngine(String kind, List<String> schemes, int defaultPort, int maxUserBytes) {
    this.kind = kind;
    this.schemes = schemes;
    this.defaultPort = defaultPort;
    this.maxUserBytes = maxUserBytes;
  }

  /** The resource kind whose credentials are users of this engine, e.g. {@code mariadb}. */
  public String kind() {
    return kind;
  }

  /** The URL prefixes this engine's targets are written with, the first being the canonical one. */
  public List<String> schemes() {
    return schemes;
  }

  public int defaultPort() {
    return defaultPort;
  }

  /** The longest user name the engine stores without cutting it. */
  public int maxUserBytes() {
    return maxUserBytes;
  }

  /** True when the users' tag is their name (prefix and shape), not a marker role. */
  public boolean taggedByName() {
    return this != POSTGRES;
  }

  /** The engine a URL is written for, or null. */
  public static @Nullable DatabaseEngine ofUrl(@Nullable String url) {
    if (url == null) {
      return null;
    }
    String lower = url.toLowerCase(Locale.ROOT);
    for (DatabaseEngine e : values()) {
      for (String s : e.schemes) {
        if (lower.startsWith(s)) {
          return e;
        }
      }
    }
    return null;
  }

  /** The engine of a resource kind ({@code mysql} is MariaDB's wire protocol), or null. */
  public static @Nullable DatabaseEngine ofKind(@Nullable String kind) {
    if ("mysql".equals(kind)) {
      return MARIADB;
    }
    for (DatabaseEngine e : values()) {
      if (e.kind.equals(kind)) {
        return e;
      }
    }
    return null;
  }
}
