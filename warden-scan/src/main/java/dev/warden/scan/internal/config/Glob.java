package dev.warden.scan.internal.config;

import java.util.regex.Pattern;

/**
 * Gitignore-style globs: {@code *} and {@code ?} stay inside one path segment, {@code **} crosses
 * segments, {@code [abc]} and {@code [!abc]} are character classes. Paths use {@code /}.
 */
public final class Glob {
  private final String glob;
  private final Pattern pattern;

  private Glob(String glob, Pattern pattern) {
    this.glob = glob;
    this.pattern = pattern;
  }

  /**
   * Compiles a glob.
   *
   * @throws IllegalArgumentException if a character class is not closed
   */
  public static Glob compile(String glob) {
    return new Glob(glob, Pattern.compile(toRegex(glob)));
  }

  public boolean matches(String path) {
    return pattern.matcher(path).matches();
  }

  @Override
  public String toString() {
    return glob;
  }

  static String toRegex(String glob) {
    StringBuilder re = new StringBuilder();
    int n = glob.length();
    for (int i = 0; i < n; i++) {
      char c = glob.charAt(i);
      switch (c) {
        case '*' -> {
          if (i + 1 < n && glob.charAt(i + 1) == '*') {
            boolean slashAfter = i + 2 < n && glob.charAt(i + 2) == '/';
            boolean atSegmentStart = i == 0 || glob.charAt(i - 1) == '/';
            if (slashAfter && atSegmentStart) {
              re.append("(?:.*/)?");
              i += 2;
            } else {
              re.append(".*");
              i += 1;
            }
          } else {
            re.append("[^/]*");
          }
        }
        case '?' -> re.append("[^/]");
        case '[' -> {
          int close = glob.indexOf(']', i + 2);
          if (close < 0) {
            throw new IllegalArgumentException("unclosed '[' in glob '" + glob + "'");
          }
          String body = glob.substring(i + 1, close);
          if (body.startsWith("!")) {
            body = "^" + body.substring(1);
          }
          re.append('[').append(body.replace("\\", "\\\\").replace("[", "\\[")).append(']');
          i = close;
        }
        case '\\' -> {
          if (i + 1 < n) {
            re.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
          }
        }
        default -> {
          if ("().+^$|{}".indexOf(c) >= 0) {
            re.append('\\');
          }
          re.append(c);
        }
      }
    }
    return re.toString();
  }
}
