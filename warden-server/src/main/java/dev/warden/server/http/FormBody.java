package dev.warden.server.http;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An {@code application/x-www-form-urlencoded} body. RFC 6749 §3.2 forbids repeating a request
 * parameter, so a repeated name is an error rather than a silent first-wins.
 */
public final class FormBody {
  private final Map<String, String> values;

  private FormBody(Map<String, String> values) {
    this.values = values;
  }

  /**
   * @throws BadRequestException on a repeated parameter or bad percent-encoding
   */
  public static FormBody parse(byte[] body) {
    Map<String, String> out = new HashMap<>();
    int start = 0;
    int n = body.length;
    while (start <= n) {
      int end = start;
      while (end < n && body[end] != '&') {
        end++;
      }
      if (end > start) {
        int eq = start;
        while (eq < end && body[eq] != '=') {
          eq++;
        }
        String name = decode(body, start, eq);
        String value = eq < end ? decode(body, eq + 1, end) : "";
        if (out.putIfAbsent(name, value) != null) {
          throw new BadRequestException(
              "parameter '"
                  + safe(name)
                  + "' is repeated; send each parameter once (RFC 6749 section 3.2)");
        }
      }
      start = end + 1;
    }
    return new FormBody(out);
  }

  public @Nullable String get(String name) {
    return values.get(name);
  }

  /**
   * The value, or null when the parameter is absent or empty (RFC 6749 section 3.1: empty means
   * omitted).
   */
  public @Nullable String optional(String name) {
    String v = values.get(name);
    return v == null || v.isEmpty() ? null : v;
  }

  /**
   * A token-valued parameter ({@code client_assertion}, {@code subject_token}, {@code actor_token})
   * without surrounding space, tab, CR or LF, or null when absent or blank: a token read from a
   * file usually ends in a newline, and none of these characters can be part of a compact JWT.
   */
  @Nullable String assertion(String name) {
    String v = values.get(name);
    if (v == null) {
      return null;
    }
    int from = 0;
    int to = v.length();
    while (from < to && isSpace(v.charAt(from))) {
      from++;
    }
    while (to > from && isSpace(v.charAt(to - 1))) {
      to--;
    }
    return from == to ? null : v.substring(from, to);
  }

  /** {@link #assertion}, or an error naming the missing parameter. */
  String requiredAssertion(String name) {
    String v = assertion(name);
    if (v == null) {
      throw new BadRequestException("the '" + name + "' parameter is required");
    }
    return v;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }

  /** The value, or an error naming the missing parameter. */
  String required(String name) {
    String v = values.get(name);
    if (v == null || v.isEmpty()) {
      throw new BadRequestException("the '" + name + "' parameter is required");
    }
    return v;
  }

  private static String decode(byte[] b, int from, int to) {
    byte[] out = new byte[to - from];
    int o = 0;
    for (int i = from; i < to; i++) {
      byte c = b[i];
      if (c == '+') {
        out[o++] = ' ';
      } else if (c == '%') {
        if (i + 2 >= to) {
          throw new BadRequestException("bad percent-encoding in the form body");
        }
        int hi = Character.digit(b[i + 1], 16);
        int lo = Character.digit(b[i + 2], 16);
        if (hi < 0 || lo < 0) {
          throw new BadRequestException("bad percent-encoding in the form body");
        }
        out[o++] = (byte) ((hi << 4) | lo);
        i += 2;
      } else {
        out[o++] = c;
      }
    }
    return new String(out, 0, o, StandardCharsets.UTF_8);
  }

  private static String safe(String s) {
    return Errors.printable(s.length() > 40 ? s.substring(0, 40) + "..." : s);
  }
}
