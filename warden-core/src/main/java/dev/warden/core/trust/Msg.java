package dev.warden.core.trust;

/**
 * Quoting for error messages. Values from a token are attacker-controlled: they are cut short and
 * reduced to printable ASCII (other characters spelled {@code U+XXXX}, not replaced by a '?' that
 * would read as part of the value) before they appear in a message, so a message can neither carry
 * a whole token nor inject lines into a log. Only header fields and {@code iss} are ever quoted.
 */
final class Msg {
  private static final int MAX = 80;

  private Msg() {}

  static String q(Object v) {
    if (v == null) {
      return "null";
    }
    if (!(v instanceof String s)) {
      return "a JSON " + kind(v);
    }
    StringBuilder b = new StringBuilder(Math.min(s.length(), MAX) + 3).append('\'');
    for (int i = 0; i < s.length() && i < MAX; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f) {
        b.append(c);
      } else {
        b.append(String.format(java.util.Locale.ROOT, "U+%04X", (int) c));
      }
    }
    if (s.length() > MAX) {
      b.append("...");
    }
    return b.append('\'').toString();
  }

  static String kind(Object v) {
    if (v == null) {
      return "null";
    } else if (v instanceof String) {
      return "string";
    } else if (v instanceof Number) {
      return "number";
    } else if (v instanceof Boolean) {
      return "boolean";
    } else if (v instanceof java.util.List) {
      return "array";
    } else {
      return "object";
    }
  }
}
