package dev.warden.store;

import dev.warden.core.error.ValidationException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where the store lives and how to log in.
 *
 * @param url a JDBC URL, {@code jdbc:h2:file:...} (embedded) or {@code jdbc:postgresql://...}
 * @param user the database user
 * @param password the database password; null when the database needs none (trust auth, embedded)
 * @param maxPoolSize the most connections the pool opens (1 or more)
 */
public record StoreConfig(String url, String user, @Nullable String password, int maxPoolSize) {
  public static final int DEFAULT_MAX_POOL_SIZE = 16;

  // Matches "password=..." in URL parameters (PostgreSQL "&password=", H2 ";PASSWORD=") so that a
  // URL can be named in logs and errors without the secret.
  private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");

  /**
   * @throws ValidationException naming the field when the URL is not an H2 or PostgreSQL JDBC URL,
   *     the user is blank or the pool size is below 1
   */
  public StoreConfig {
    if (url == null || !(url.startsWith("jdbc:h2:") || url.startsWith("jdbc:postgresql:"))) {
      throw new ValidationException(
          "store.url",
          "must be a jdbc:h2:file:... or jdbc:postgresql://host:port/database URL, got '"
              + redact(String.valueOf(url))
              + "'");
    }
    if (user == null || user.isBlank()) {
      throw new ValidationException("store.user", "is required");
    }
    if (maxPoolSize < 1) {
      throw new ValidationException("store.maxPoolSize", "must be at least 1, got " + maxPoolSize);
    }
  }

  /** A configuration with the default pool size. */
  public StoreConfig(String url, String user, String password) {
    this(url, user, password, DEFAULT_MAX_POOL_SIZE);
  }

  /**
   * The embedded default: an H2 file database {@code warden.mv.db} in {@code dataDir}.
   *
   * <p>{@code WRITE_DELAY=0} writes every commit to the file before the commit returns (H2's
   * default buffers commits for up to half a second, which would lose audit events that a caller
   * was already told are durable). {@code LOCK_TIMEOUT=10000} lets audit appenders queue on the
   * chain head for up to 10 s instead of H2's default 1 s. {@code QUERY_CACHE_SIZE=64} keeps every
   * statement the stores use parsed per connection (H2's default of 8 is fewer than one audit
   * append and a config write use). {@code DB_CLOSE_ON_EXIT=FALSE} because the store closes the
   * database itself, after the pool. On top of this the store fsyncs each write (see {@code
   * Dialect}).
   *
   * @throws ValidationException when the path cannot be written into a JDBC URL
   */
  public static StoreConfig embedded(Path dataDir) {
    String dir = dataDir.toAbsolutePath().normalize().toString().replace('\\', '/');
    if (dir.contains(";")) {
      throw new ValidationException(
          "store.dataDir", "must not contain ';' (it separates H2 URL settings): " + dir);
    }
    return new StoreConfig(
        "jdbc:h2:file:"
            + dir
            + "/warden;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;LOCK_TIMEOUT=10000;QUERY_CACHE_SIZE=64",
        "warden",
        null,
        DEFAULT_MAX_POOL_SIZE);
  }

  /** The URL with any password parameter masked, safe for logs and error messages. */
  public String redactedUrl() {
    return redact(url);
  }

  static String redact(String url) {
    return URL_PASSWORD.matcher(url).replaceAll("$1***");
  }

  /** Never shows the password. */
  @Override
  public String toString() {
    return "StoreConfig[url="
        + redactedUrl()
        + ", user="
        + user
        + ", password="
        + (password == null ? "none" : "***")
        + ", maxPoolSize="
        + maxPoolSize
        + "]";
  }
}
