package dev.warden.core.model;

import dev.warden.core.error.ValidationException;

/**
 * One attested fact about a workload, written {@code type:key=value}, for example {@code
 * k8s:ns=payments} or {@code github:repository=acme/api}. Selectors come only out of verified
 * evidence; a workload is identified by a set of them.
 */
public final class Selector {
  private static final int MAX_PART = 512;

  private final String type;
  private final String key;
  private final String value;
  // selectors are index keys on the hot path: keep the text and its hash instead of recomputing
  private final String text;

  /**
   * @throws ValidationException when a part is empty, too long, or contains ':', '=' or spaces
   */
  public Selector(String type, String key, String value) {
    check("type", type, false);
    check("key", key, false);
    if (value == null) {
      throw new ValidationException("selector", "value must not be null");
    }
    if (value.length() > MAX_PART) {
      throw new ValidationException(
          "selector", "value must be at most " + MAX_PART + " characters");
    }
    this.type = type;
    this.key = key;
    this.value = value;
    this.text = type + ":" + key + "=" + value;
  }

  public String type() {
    return type;
  }

  public String key() {
    return key;
  }

  public String value() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Selector s && text.equals(s.text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /**
   * Parses {@code type:key=value}. The value may contain ':' and '='.
   *
   * @throws ValidationException when the form is wrong
   */
  public static Selector parse(String s) {
    if (s == null) {
      throw new ValidationException("selector", "must not be null");
    }
    int colon = s.indexOf(':');
    int eq = colon < 0 ? -1 : s.indexOf('=', colon + 1);
    if (colon <= 0 || eq < 0) {
      throw new ValidationException(
          "selector", "'" + s + "' is not of the form type:key=value (e.g. k8s:ns=payments)");
    }
    return new Selector(s.substring(0, colon), s.substring(colon + 1, eq), s.substring(eq + 1));
  }

  private static void check(String what, String v, boolean allowEmpty) {
    if (v == null || (!allowEmpty && v.isEmpty())) {
      throw new ValidationException("selector", what + " must not be empty");
    }
    if (v.length() > MAX_PART) {
      throw new ValidationException(
          "selector", what + " must be at most " + MAX_PART + " characters");
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == ':' || c == '=' || Character.isWhitespace(c)) {
        throw new ValidationException(
            "selector", what + " '" + v + "' must not contain ':', '=' or spaces");
      }
    }
  }

  @Override
  public String toString() {
    return text;
  }
}
