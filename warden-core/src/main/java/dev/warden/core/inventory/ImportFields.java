package dev.warden.core.inventory;

import dev.warden.core.error.ValidationException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Field rules the importers share: defaults, blank cells, times, and rows of named fields (CSV,
 * JSON).
 */
final class ImportFields {
  /** Columns and fields that would carry a secret value: refused, the import takes names only. */
  static final Set<String> VALUE_FIELDS = Set.of("value", "secret", "password", "token", "data");

  /**
   * The fields of a row that are {@link ImportedNhi} components (lower case); any other becomes an
   * attribute.
   */
  static final Set<String> ITEM_FIELDS =
      Set.of(
          "source",
          "kind",
          "name",
          "owner",
          "team",
          "environment",
          "location",
          "fingerprint",
          "createdat",
          "expiresat",
          "lastrotatedat",
          "lastusedat");

  private ImportFields() {}

  static <T> T or(T a, T b) {
    return a != null ? a : b;
  }

  /** The source the caller named, else the format's own. */
  static String source(Importers.Defaults d, String fallback) {
    return d.source() == null || d.source().isBlank() ? fallback : d.source();
  }

  static String blank(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /**
   * @throws ValidationException naming the accepted form when {@code s} is not an instant
   */
  static Instant instant(String s) {
    if (s == null || s.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(s.strip());
    } catch (DateTimeParseException e) {
      throw new ValidationException(
          "time", "'" + s + "' is not an RFC 3339 UTC time such as 2027-01-31T09:00:00Z");
    }
  }

  /**
   * One item from a row of named fields (lower-case names; {@code attr:}-prefixed names are
   * attributes as given).
   *
   * @throws ValidationException when a time is malformed or the name is missing
   */
  static ImportedNhi fromFields(Map<String, String> row, Importers.Defaults d) {
    Map<String, String> attrs = new TreeMap<>();
    row.forEach(
        (k, v) -> {
          if (k.startsWith("attr:")) {
            attrs.put(k.substring(5), v);
          } else if (!ITEM_FIELDS.contains(k) && !v.isEmpty()) {
            attrs.put(k, v);
          }
        });
    return new ImportedNhi(
        or(blank(row.get("source")), source(d, "import")),
        or(blank(row.get("kind")), "static"),
        row.get("name"),
        or(blank(row.get("owner")), d.owner()),
        or(blank(row.get("team")), d.team()),
        or(blank(row.get("environment")), d.environment()),
        or(blank(row.get("location")), d.location()),
        blank(row.get("fingerprint")),
        instant(row.get("createdat")),
        instant(row.get("expiresat")),
        instant(row.get("lastrotatedat")),
        instant(row.get("lastusedat")),
        attrs);
  }
}
