package dev.warden.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.error.ValidationException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;

/** Parsing of path segments, query parameters and JSON fields, with the messages the API gives. */
final class Params {
  private Params() {}

  /**
   * Percent-decodes a path segment; '+' stays '+' (it is not a space in a path).
   *
   * @throws BadRequestException when the encoding is broken
   */
  static String decode(String s) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new BadRequestException("bad percent-encoding in the path");
    }
  }

  /** A JSON field's value as text; null when absent, null, or an object or array. */
  static @Nullable String text(@Nullable JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
  }

  /**
   * @throws ValidationException naming the parameter when it is not a whole number
   */
  static @Nullable Long longParam(Call c, String name) {
    String v = c.param(name);
    if (v == null) {
      return null;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new ValidationException(name, "must be a whole number");
    }
  }

  /**
   * @throws ValidationException naming the parameter when it is not an RFC 3339 UTC time
   */
  static @Nullable Instant instantParam(Call c, String name) {
    String v = c.param(name);
    if (v == null) {
      return null;
    }
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      throw new ValidationException(
          name, "must be an RFC 3339 UTC time such as 2027-01-31T09:00:00Z");
    }
  }

  /**
   * @throws ValidationException naming the parameter when it is not a whole number in [min, max]
   */
  static int intParam(Call c, String name, int fallback, int min, int max) {
    String v = c.param(name);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ValidationException(name, "must be a whole number from " + min + " to " + max);
    }
  }

  /** True when the query parameter is exactly {@code true}. */
  static boolean flag(Call c, String name) {
    return "true".equals(c.query(name));
  }
}
