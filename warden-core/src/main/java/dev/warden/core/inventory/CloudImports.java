package dev.warden.core.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.error.ValidationException;
import java.time.Instant;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the cloud-export importers (AWS, GCP, Azure, Vault) share. They read only the fields they
 * know, by name, so a field that would carry a value ({@code SecretAccessKey}, {@code
 * privateKeyData}, {@code secretText}, Azure's {@code hint}) is never read, whatever else the
 * export holds.
 */
final class CloudImports {
  /**
   * Cells the clouds use for "no time": never used, no key, not supported, before tracking began.
   */
  private static final Set<String> NO_TIME =
      Set.of("", "n/a", "no_information", "not_supported", "none", "null");

  /**
   * At most this many names in a list attribute (policies, groups): an attribute is a summary, not
   * a dump.
   */
  static final int MAX_NAMES = 50;

  /** Owner, team and environment tags, in the order they are looked for. */
  static final String[] OWNER_TAGS = {"warden.dev/owner", "owner"};

  static final String[] TEAM_TAGS = {"warden.dev/team", "team"};
  static final String[] ENVIRONMENT_TAGS = {"warden.dev/environment", "environment", "env"};

  private CloudImports() {}

  /**
   * A time cell or field, or null for the clouds' "no time" markers.
   *
   * @throws ValidationException naming the field when it is neither
   */
  static Instant time(String field, String s) {
    if (s == null || NO_TIME.contains(s.strip().toLowerCase(Locale.ROOT))) {
      return null;
    }
    try {
      return ImportFields.instant(s);
    } catch (ValidationException e) {
      throw new ValidationException(
          field, field + " '" + s + "' is not an ISO 8601 time such as 2026-01-31T09:00:00Z");
    }
  }

  /** A field's text, or null when absent, null or not a value. */
  static String text(JsonNode o, String field) {
    JsonNode v = o.get(field);
    return v == null || v.isNull() || !v.isValueNode() ? null : ImportFields.blank(v.asText());
  }

  /** The first of {@code fields} present. */
  static String text(JsonNode o, String... fields) {
    for (String f : fields) {
      String v = text(o, f);
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  /** Names joined by commas, at most {@link #MAX_NAMES}, then how many more. */
  static String names(Collection<String> names) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    for (String n : names) {
      if (i == MAX_NAMES) {
        sb.append(",… (+").append(names.size() - MAX_NAMES).append(" more)");
        break;
      }
      sb.append(i++ == 0 ? "" : ",").append(n);
    }
    return sb.toString();
  }

  /** The account id of an AWS ARN ({@code arn:aws:iam::123456789012:user/x}), or null. */
  static String awsAccount(String arn) {
    if (arn == null) {
      return null;
    }
    String[] parts = arn.split(":", 6);
    return parts.length == 6 && parts[0].equals("arn") && !parts[4].isBlank() ? parts[4] : null;
  }

  /** The value of the first tag named (any case) in {@code names}, from a key-to-value map. */
  static String tag(Map<String, String> tags, String... names) {
    for (String n : names) {
      for (Map.Entry<String, String> e : tags.entrySet()) {
        if (e.getKey().equalsIgnoreCase(n) && e.getValue() != null && !e.getValue().isBlank()) {
          return e.getValue().strip();
        }
      }
    }
    return null;
  }
}
