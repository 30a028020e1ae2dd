package dev.warden.core.model;

import dev.warden.core.error.ValidationException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;

/**
 * Parses durations as people write them in YAML and flags: {@code 90s}, {@code 5m}, {@code 2h},
 * {@code 7d}, or ISO-8601.
 */
public final class Durations {
  private Durations() {}

  /**
   * @throws ValidationException naming {@code field} when the text is not a duration
   */
  public static @Nullable Duration parse(String field, @Nullable String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String t = text.trim();
    if (t.startsWith("P") || t.startsWith("p")) {
      try {
        return Duration.parse(t);
      } catch (DateTimeParseException e) {
        throw new ValidationException(field, "'" + text + "' is not an ISO-8601 duration");
      }
    }
    int i = 0;
    while (i < t.length() && Character.isDigit(t.charAt(i))) {
      i++;
    }
    if (i == 0 || i > 12) {
      throw new ValidationException(
          field, "'" + text + "' is not a duration; write e.g. 30s, 5m, 2h, 7d or PT5M");
    }
    long n = Long.parseLong(t.substring(0, i));
    String unit = t.substring(i);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      case "d" -> Duration.ofDays(n);
      default ->
          throw new ValidationException(
              field, "'" + text + "' has unit '" + unit + "'; use ms, s, m, h or d (e.g. 5m)");
    };
  }

  /** The shortest of the units above that represents {@code d} exactly. */
  public static @Nullable String format(@Nullable Duration d) {
    if (d == null) {
      return null;
    }
    long ms = d.toMillis();
    if (ms % 86_400_000L == 0) {
      return ms / 86_400_000L + "d";
    }
    if (ms % 3_600_000L == 0) {
      return ms / 3_600_000L + "h";
    }
    if (ms % 60_000L == 0) {
      return ms / 60_000L + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
