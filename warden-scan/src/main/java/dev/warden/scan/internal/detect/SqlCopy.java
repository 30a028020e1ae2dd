package dev.warden.scan.internal.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.MatchResult;

/**
 * Finds the password values of a PostgreSQL {@code COPY t (cols) FROM stdin;} block as pg_dump
 * writes it: one row per line, columns separated by tabs, {@code \N} for NULL, the block ended by a
 * line holding {@code \.}. The value is reported as written (COPY's backslash escapes kept).
 */
final class SqlCopy {
  /** At most this many rows of one block are read (a users table may hold millions). */
  private static final int MAX_ROWS = 1000;

  private SqlCopy() {}

  /** The rule's locator: group {@code c} holds the column list, the rows start at the match end. */
  static List<int[]> passwordValues(CharSequence text, MatchResult m, int limit) {
    int column = SqlInsert.passwordColumn(text.subSequence(m.start("c"), m.end("c")).toString());
    if (column < 0) {
      return List.of();
    }
    List<int[]> out = new ArrayList<>();
    int i = m.end();
    for (int row = 0; row < MAX_ROWS && i < limit; row++) {
      int end = i;
      while (end < limit && text.charAt(end) != '\n') {
        end++;
      }
      if (end >= limit) {
        break; // the row runs past the window: not complete
      }
      int lineEnd = end > i && text.charAt(end - 1) == '\r' ? end - 1 : end;
      if (lineEnd - i == 2 && text.charAt(i) == '\\' && text.charAt(i + 1) == '.') {
        break; // end of the block
      }
      int field = 0;
      int start = i;
      for (int j = i; j <= lineEnd; j++) {
        if (j == lineEnd || text.charAt(j) == '\t') {
          if (field == column
              && j > start
              && !(j - start == 2 && text.charAt(start) == '\\' && text.charAt(start + 1) == 'N')) {
            out.add(new int[] {start, j});
          }
          field++;
          start = j + 1;
        }
      }
      i = end + 1;
    }
    return out;
  }
}
