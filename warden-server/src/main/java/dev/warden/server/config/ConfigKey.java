package dev.warden.server.config;

import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One configuration key of the server: its name, the type of its value, its default, how a value is
 * parsed and checked (a refusal names the key and what is allowed), and what it means. Every key is
 * declared once, in {@link ServerKeys}; the loader, {@code warden server --list-keys} and the key
 * table of docs/configuration.md all read that table.
 *
 * <p>A key that may be unset says so in its type: {@code ConfigKey<@Nullable Path>}. Only a key
 * without a default ({@link #optional}) can be unset; a key with a default ({@link #of}) always has
 * a value, and setting it to null (YAML {@code ~}) is refused by name. A parser may still answer
 * null for a written value that means "none" ({@code keys.rotateEvery: manual}); such a key is
 * declared nullable too.
 *
 * @param <T> the type of the parsed value
 */
public final class ConfigKey<T extends @Nullable Object> {
  /** Turns a value as written into the key's value. */
  @FunctionalInterface
  interface Parser<T extends @Nullable Object> {
    /**
     * @param raw the value as written; never null (a key set to null is unset, or refused, before)
     * @throws ValidationException naming {@code key} when the value is not allowed
     */
    T parse(String key, String raw);
  }

  private final String name;
  private final String type;
  private final @Nullable String defaultValue;
  private final @Nullable String defaultShown;
  private final boolean blankIsUnset;
  private final Parser<T> parser;
  // what an unset key reads as: null for a key without default; a key with one is refused instead
  private final Supplier<T> whenUnset;
  private final String doc;

  private ConfigKey(
      String name,
      String type,
      @Nullable String defaultValue,
      @Nullable String defaultShown,
      boolean blankIsUnset,
      Parser<T> parser,
      Supplier<T> whenUnset,
      String doc) {
    this.name = name;
    this.type = type;
    this.defaultValue = defaultValue;
    this.defaultShown = defaultShown;
    this.blankIsUnset = blankIsUnset;
    this.parser = parser;
    this.whenUnset = whenUnset;
    this.doc = doc;
  }

  /**
   * A key with a default, written as a user would, whose value is parsed by {@code parser}. Set to
   * null (YAML {@code ~}) it is refused by name: removing the key gives the default.
   */
  static <T extends @Nullable Object> ConfigKey<T> of(
      String name, String type, String defaultValue, Parser<T> parser, String doc) {
    return new ConfigKey<>(
        name,
        type,
        defaultValue,
        null,
        false,
        parser,
        () -> {
          throw new ValidationException(name, "is required (remove the key for its default)");
        },
        doc);
  }

  /** A key without a default, whose value is parsed by {@code parser}: unset, it reads as null. */
  static <T> ConfigKey<@Nullable T> optional(
      String name, String type, Parser<T> parser, String doc) {
    return new ConfigKey<@Nullable T>(
        name, type, null, null, false, parser::parse, () -> null, doc);
  }

  /** Text used as written. */
  static ConfigKey<String> text(String name, String defaultValue, String doc) {
    return of(name, "string", defaultValue, (k, v) -> v, doc);
  }

  /** Text that may be left unset (blank counts as unset). */
  static ConfigKey<@Nullable String> optionalText(String name, String type, String doc) {
    return ConfigKey.<String>optional(name, type, (k, v) -> v, doc).unsetWhenBlank();
  }

  /** A file, unset by default (blank counts as unset). */
  static ConfigKey<@Nullable Path> optionalPath(String name, String doc) {
    return ConfigKey.<Path>optional(name, "path", (k, v) -> Path.of(v), doc).unsetWhenBlank();
  }

  /** A file or directory with a default; set to null (YAML {@code ~}) it is refused by name. */
  static ConfigKey<Path> path(String name, String defaultValue, String doc) {
    return of(name, "path", defaultValue, (k, v) -> Path.of(v), doc);
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
          } catch (NumberFormatException e) {
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
        (k, s) -> Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList(),
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
        whenUnset,
        doc);
  }

  /** The same key where a blank value means unset. */
  ConfigKey<T> unsetWhenBlank() {
    return new ConfigKey<>(name, type, defaultValue, defaultShown, true, parser, whenUnset, doc);
  }

  /**
   * The same key, whose default the docs describe this way (it is computed, or unset means
   * something).
   */
  ConfigKey<T> defaultShownAs(String markdown) {
    return new ConfigKey<>(
        name, type, defaultValue, markdown, blankIsUnset, parser, whenUnset, doc);
  }

  /**
   * Parses a value as written.
   *
   * @param raw the value, or null when no source set it and it has no default, or a source set it
   *     to null (YAML {@code ~})
   * @return null when a key without default is unset
   * @throws ValidationException naming the key when the value is not allowed, or when a key with a
   *     default is set to null
   */
  T parse(@Nullable String raw) {
    if (raw == null || blankIsUnset && raw.isBlank()) {
      return whenUnset.get();
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
  public @Nullable String defaultValue() {
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
