package dev.warden.scan;

import java.util.Locale;

/** How bad a leak of a rule's credential is; ordered from least to most severe. */
public enum Severity {
  LOW,
  MEDIUM,
  HIGH,
  CRITICAL;

  /**
   * Parses a severity name, case-insensitively.
   *
   * @throws IllegalArgumentException naming the allowed values when {@code text} is not one
   */
  public static Severity parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown severity '" + text + "'; expected one of low, medium, high, critical");
    }
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
