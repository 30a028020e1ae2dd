package dev.warden.scan.internal.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.MatchResult;

/**
 * Finds the password values of a SQL {@code INSERT INTO t (cols) VALUES (...), (...)}: the quoted
 * string at the password column's position in every row. A regular expression cannot count columns,
 * so the rule's expression stops after {@code VALUES} and this walks the rows (which may be spread
 * over lines, as in hand-written seeds).
 */
final class SqlInsert {
  /** At most this many rows of one statement are read (a dump's INSERT may hold thousands). */
  private static final int MAX_ROWS = 64;

  private SqlInsert() {}

  /** The rule's locator: group {@code c} holds the column list, the rows start at the match end. */
  static List<int[]> passwordValues(CharSequence text, MatchResult m, int limit) {
    int column = passwordColumn(text.subSequence(m.start("c"), m.end("c")).toString());
    if (column < 0) {
      return List.of();
    }
    List<int[]> out = new ArrayList<>();
    int i = m.end();
    for (int row = 0; row < MAX_ROWS && i < limit; row++) {
      while (i < limit && (Character.isWhitespace(text.charAt(i)) || text.charAt(i) == ',')) {
        i++;
      }
      if (i >= limit || text.charAt(i) != '(') {
        break;
      }
      i++;
      int field = 0;
      while (i < limit && text.charAt(i) != ')') {
        char c = text.charAt(i);
        if (c == '\'') {
          int start = i + 1;
          int end = closingQuote(text, start, limit);
          if (end < 0) {
            return out; // the row runs past the window: report what is complete
          }
          if (field == column) {
            out.add(new int[] {start, end});
          }
          i = end + 1;
        } else if (c == ',') {
          field++;
          i++;
        } else if (c == '(') {
          return out; // a function call in a value (NOW(), MD5('x')): the row is not plain data
        } else {
          i++;
        }
      }
      i++;
    }
    return out;
  }

  /**
   * Index of the first column named like a password in {@code `id`, `email`, `password`}, or -1.
   */
  static int passwordColumn(String columns) {
    String[] names = columns.split(",");
    for (int i = 0; i < names.length; i++) {
      String n = names[i].strip().replaceAll("^[`\"\\[]|[`\"\\]]$", "").toLowerCase(Locale.ROOT);
      if (n.matches(
          "(?:[a-z0-9]+_)?(?:password|passwd|pass|pwd)(?:_(?:hash|digest))?|(?:hashed|encrypted)_password")) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Offset of the quote closing a SQL string starting at {@code from} ('' and \' escape), or -1.
   */
  private static int closingQuote(CharSequence text, int from, int limit) {
    for (int i = from; i < limit; i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '\'') {
        if (i + 1 < limit && text.charAt(i + 1) == '\'') {
          i++;
        } else {
          return i;
        }
      } else if (c == '\n') {
        return -1; // a password does not span lines: more likely an unbalanced quote
      }
    }
    return -1;
  }
}
