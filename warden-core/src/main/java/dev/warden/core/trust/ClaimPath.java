package dev.warden.core.trust;

import dev.warden.core.error.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where a claim lives in a token payload: a top-level member name ({@code repository}) or, when it
 * starts with '/', an RFC 6901 JSON pointer ({@code /kubernetes.io/namespace}; '~1' stands for '/'
 * and '~0' for '~'; a numeric segment indexes an array). Compiled once, when the provider is built.
 */
final class ClaimPath {
  private final String text;
  private final String[] segments;

  private ClaimPath(String text, String[] segments) {
    this.text = text;
    this.segments = segments;
  }

  /**
   * @throws ValidationException naming {@code field} when {@code text} is empty or a broken pointer
   */
  static ClaimPath parse(String field, String text) {
    if (text == null || text.isEmpty()) {
      throw new ValidationException(field, "a claim name must not be empty");
    }
    if (text.charAt(0) != '/') {
      return new ClaimPath(text, new String[] {text});
    }
    List<String> segs = new ArrayList<>();
    for (String raw : text.substring(1).split("/", -1)) {
      if (raw.isEmpty()) {
        throw new ValidationException(
            field,
            "'"
                + text
                + "' has an empty segment; write a JSON pointer like /kubernetes.io/namespace");
      }
      StringBuilder b = new StringBuilder(raw.length());
      for (int i = 0; i < raw.length(); i++) {
        char c = raw.charAt(i);
        if (c == '~') {
          char n = i + 1 < raw.length() ? raw.charAt(i + 1) : 0;
          if (n != '0' && n != '1') {
            throw new ValidationException(
                field, "'" + text + "' has a '~' not followed by 0 or 1 (RFC 6901 escapes)");
          }
          b.append(n == '0' ? '~' : '/');
          i++;
        } else {
          b.append(c);
        }
      }
      segs.add(b.toString());
    }
    return new ClaimPath(text, segs.toArray(String[]::new));
  }

  /** The value at this path, or null when any step is missing (or JSON null). */
  Object resolve(Map<String, Object> claims) {
    Object cur = claims;
    for (String s : segments) {
      if (cur instanceof Map<?, ?> m) {
        cur = m.get(s);
      } else if (cur instanceof List<?> l) {
        int i = index(s);
        cur = i >= 0 && i < l.size() ? l.get(i) : null;
      } else {
        return null;
      }
      if (cur == null) {
        return null;
      }
    }
    return cur;
  }

  private static int index(String s) {
    if (s.isEmpty() || s.length() > 9 || (s.length() > 1 && s.charAt(0) == '0')) {
      return -1;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return -1;
      }
    }
    return Integer.parseInt(s);
  }

  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClaimPath c && c.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }
}
