package dev.warden.scan.internal.verify;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The databases a found password can be tried against, with their default ports. */
enum Engine {
  POSTGRES(5432),
  MARIADB(3306),
  REDIS(6379);

  final int defaultPort;

  Engine(int defaultPort) {
    this.defaultPort = defaultPort;
  }

  /**
   * From a URL scheme ({@code postgresql+psycopg}, {@code mysql}, {@code rediss}) or a Warden
   * resource kind; null when none.
   */
  static @Nullable Engine of(String scheme) {
    String s = scheme.toLowerCase(Locale.ROOT);
    int plus = s.indexOf('+');
    s = plus < 0 ? s : s.substring(0, plus);
    return switch (s) {
      case "postgres", "postgresql" -> POSTGRES;
      case "mysql", "mariadb" -> MARIADB;
      case "redis", "rediss" -> REDIS;
      default -> null;
    };
  }
}
