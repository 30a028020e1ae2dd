package dev.warden.core.model;

import dev.warden.core.error.ValidationException;
import org.jspecify.annotations.Nullable;

/** Rules for object names: lower-case, DNS-label-like, so they are safe in URLs, YAML and logs. */
public final class Names {
  public static final int MAX_LENGTH = 128;

  private Names() {}

  /**
   * Checks a name of the form {@code [a-z0-9]([a-z0-9._-]*[a-z0-9])?}.
   *
   * @throws ValidationException naming {@code field} when the name is not allowed
   */
  public static String check(String field, @Nullable String name) {
    if (name == null || name.isEmpty()) {
      throw new ValidationException(field, "is required");
    }
    if (name.length() > MAX_LENGTH) {
      throw new ValidationException(field, "must be at most " + MAX_LENGTH + " characters");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      boolean inner = c == '.' || c == '-' || c == '_';
      if (!alnum && !(inner && i > 0 && i < name.length() - 1)) {
        throw new ValidationException(
            field, "'" + name + "' must use lower-case letters, digits, and inner '.', '-' or '_'");
      }
    }
    return name;
  }

  /** Returns the value or throws naming the field when it is null or blank. */
  public static String required(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new ValidationException(field, "is required");
    }
    return value;
  }
}
