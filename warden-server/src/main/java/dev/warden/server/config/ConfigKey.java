package dev.warden.server.config;

import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * One configuration key of the server: its name, the type of its value, its default, how a value is
 * parsed and checked (a refusal names the key and what is allowed), and what it means. Every key is
 * declared once, in {@link ServerKeys}; the loader, {@code warden server --list-keys} and the key
 * table of docs/configuration.md all read that table.
 *
 * @param <T> the type of the parsed value
 */
public final class ConfigKey<T> {
  /** Turns a value as written into the key's value. */
  @FunctionalInterface
  interface Parser<T> {
    /**
     * @param raw the value as written, or null when a source set it to null (YAML {@code ~})
     * @throws ValidationException naming {@code key} when the value is not allowed
     */
    T parse(String key, String raw);
  }

  private final String name;
  private final String type;
  private final String defaultValue;
  private final String defaultShown;
  private final boolean blankIsUnset;
  private final Parser<T> parser;
  private final String doc;

  private ConfigKey(
      String name,
      String type,
      String defaultValue,
      String defaultShown,
      boolean blankIsUnset,
      Parser<T> parser,
      String doc) {
    this.name = name;
    this.type = type;
    this.defaultValue = defaultValue;
    this.defaultShown = defaultShown;
    this.blankIsUnset = blankIsUnset;
    this.parser = parser;
    this.doc = doc;
  }

  /**
   * A key whose value is parsed by {@code parser}; {@code defaultValue} is written as a user would
   * (null: none).
   */
  static <T> ConfigKey<T> of(
      String name, String type, String defaultValue, Parser<T> parser, String doc) {
    return new ConfigKey<>(name, type, defaultValue, null, false, parser, doc);
  }

  /** Text used as written. */
  static ConfigKey<String> text(String name, String defaultValue, String doc) {
    return of(
        name,
        "string",
        defaultValue,
        (k, v) -> {
          if (v == null) {
            throw new ValidationException(k, "is required");
          }
          return v;
        },
        doc);
  }

  /** Text that may be left unset (blank counts as unset). */
  static ConfigKey<String> optionalText(String name, String type, String doc) {
    return of(name, type, null, (k, v) -> v, doc).unsetWhenBlank();
  }

  /** A file, unset by default (blank counts as unset). */
  static ConfigKey<Path> optionalPath(String name, String doc) {
    return of(name, "path", null, (k, v) -> Path.of(v), doc).unsetWhenBlank();
  }

  /** A file or directory with a default; set to null (YAML {@code ~}) it is refused by name. */
  static ConfigKey<Path> path(String name, String defaultValue, String doc) {
    return of(
        name,
        "path",
        defaultValue,
        (k, v) -> {
          if (v == null) {
            throw new ValidationException(k, "is required (remove the key for its default)");
          }
          return Path.of(v);
        },
        doc);
  }

  /** A whole number from {@code min} to {@code max}. */
  static ConfigKey<Integer> integer(String name, int defaultValue, int min, int max, String doc) {
    return of(
        name,
        "integer, " + min + " to " + max,
        Integer.toString(defaultValue),
        (k, s) -> {
          try {
            int i = Integer.parseInt(s.trim());
            if (i < min || i > max) {
              throw new ValidationException(
                  k, "must be between " + min + " and " + max + ", got " + i);
            }
            return i;
          } catch (NumberFormatException | NullPointerException e) {
            throw new ValidationException(
                k, "must be a whole number between " + min + " and " + max + ", got '" + s + "'");
          }
        },
        doc);
  }

  /**
   * A positive duration such as {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d} or {@code PT5M}.
   */
  static ConfigKey<Duration> duration(String name, String defaultValue, String doc) {
    return of(name, "duration", defaultValue, ConfigKey::positive, doc);
  }

  /** A duration that may be zero. */
  static ConfigKey<Duration> durationOrZero(String name, String defaultValue, String doc) {
    return of(
        name,
        "duration",
        defaultValue,
        (k, s) -> {
          Duration d = Durations.parse(k, s);
          if (d == null || d.isNegative()) {
            throw new ValidationException(k, "must be a duration such as 0s, 5m or 2h");
          }
          return d;
        },
        doc);
  }

  /** {@code true} or {@code false}, in any case. */
  static ConfigKey<Boolean> bool(String name, String defaultValue, String doc) {
    return of(
        name,
        "boolean",
        defaultValue,
        (k, s) -> {
          if (!"true".equalsIgnoreCase(s) && !"false".equalsIgnoreCase(s)) {
            throw new ValidationException(k, "must be true or false");
          }
          return "true".equalsIgnoreCase(s);
        },
        doc);
  }

  /** Comma-separated values, trimmed, empty ones dropped. */
  static ConfigKey<List<String>> list(String name, String defaultValue, String doc) {
    return of(
        name,
        "list",
        defaultValue,
        (k, s) -> {
          if (s == null) {
            throw new ValidationException(k, "must be a comma-separated list (it may be empty)");
          }
          return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
        },
        doc);
  }

  static Duration positive(String key, String s) {
    Duration d = Durations.parse(key, s);
    if (d == null || d.isZero() || d.isNegative()) {
      throw new ValidationException(key, "must be a positive duration such as 30s, 5m or 2h");
    }
    return d;
  }

  /** The same key with one more rule on the parsed value (unset values are not checked). */
  ConfigKey<T> check(Predicate<T> rule, String message) {
    return new ConfigKey<>(
        name,
        type,
        defaultValue,
        defaultShown,
        blankIsUnset,
        (k, s) -> {
          T v = parser.parse(k, s);
          if (v != null && !rule.test(v)) {
            throw new ValidationException(k, message);
          }
          return v;
        },
        doc);
  }

  /** The same key where a blank value means unset. */
  ConfigKey<T> unsetWhenBlank() {
    return new ConfigKey<>(name, type, defaultValue, defaultShown, true, parser, doc);
  }

  /**
   * The same key, whose default the docs describe this way (it is computed, or unset means
   * something).
   */
  ConfigKey<T> defaultShownAs(String markdown) {
    return new ConfigKey<>(name, type, defaultValue, markdown, blankIsUnset, parser, doc);
  }

  /**
   * Parses a value as written.
   *
   * @param raw the value, or null when no source set it and it has no default
   * @return null when the key is unset
   * @throws ValidationException naming the key when the value is not allowed
   */
  T parse(String raw) {
    if (raw == null && defaultValue == null || blankIsUnset && (raw == null || raw.isBlank())) {
      return null;
    }
    return parser.parse(name, raw);
  }

  /** The dotted name, e.g. {@code server.port}. */
  public String name() {
    return name;
  }

  /**
   * What kind of value it takes, for the docs ({@code duration}, {@code integer, 0 to 65535}...).
   */
  public String type() {
    return type;
  }

  /** The default as a user would write it; null when there is none. */
  public String defaultValue() {
    return defaultValue;
  }

  /** What the key means, in Markdown (inline code only). */
  public String doc() {
    return doc;
  }

  /**
   * The environment variable: {@code server.port} is {@code WARDEN_SERVER_PORT}; camelCase becomes
   * SNAKE_CASE.
   */
  public String envName() {
    StringBuilder sb = new StringBuilder("WARDEN_");
    for (char c : name.toCharArray()) {
      if (c == '.') {
        sb.append('_');
      } else if (Character.isUpperCase(c)) {
        sb.append('_').append(c);
      } else {
        sb.append(Character.toUpperCase(c));
      }
    }
    return sb.toString();
  }

  /** The default as the docs show it: Markdown. */
  String defaultMarkdown() {
    if (defaultShown != null) {
      return defaultShown;
    }
    if (defaultValue == null) {
      return "unset";
    }
    return defaultValue.isEmpty() ? "empty" : "`" + defaultValue + "`";
  }

  @Override
  public String toString() {
    return name;
  }
}
