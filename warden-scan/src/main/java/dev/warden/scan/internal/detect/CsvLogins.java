package dev.warden.scan.internal.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.MatchResult;

/**
 * Finds the passwords in a saved-login CSV export (Chrome, Edge, Firefox, Safari, Bitwarden,
 * LastPass, 1Password, KeePass, Dashlane): the header names a site column, a user column and a
 * password column; every following record's field in the password column is a password. Fields
 * follow RFC 4180: quoted fields may hold commas, doubled quotes and line breaks.
 */
final class CsvLogins {
  /** At most this many records are read after one header. */
  private static final int MAX_ROWS = 1000;

  private static final Set<String> SITE =
      Set.of("url", "uri", "login_uri", "login_url", "website", "web site", "origin", "hostname");
  private static final Set<String> USER =
      Set.of("username", "login_username", "login name", "user", "login", "email", "user name");
  private static final Set<String> PASSWORD = Set.of("password", "login_password");

  private CsvLogins() {}

  /** The rule's locator: group {@code c} is the header line, the records start at the match end. */
  static List<int[]> passwordValues(CharSequence text, MatchResult m, int limit) {
    List<int[]> header = fields(text, m.start("c"), m.end("c"));
    int password = -1;
    boolean site = false;
    boolean user = false;
    for (int k = 0; k < header.size(); k++) {
      int[] f = header.get(k);
      String name = unquote(text, f).strip().toLowerCase(Locale.ROOT);
      if (PASSWORD.contains(name) && password < 0) {
        password = k;
      }
      site |= SITE.contains(name);
      user |= USER.contains(name);
    }
    if (password < 0 || !site || !user) {
      return List.of(); // a CSV with a password column but not a login export
    }
    List<int[]> out = new ArrayList<>();
    int i = m.end();
    for (int row = 0; row < MAX_ROWS && i < limit; row++) {
      int end = recordEnd(text, i, limit);
      if (end < 0 || end == i || end == i + 1 && text.charAt(i) == '\r') {
        break; // incomplete record at the window's end, or a blank line: the export ends
      }
      List<int[]> record = fields(text, i, end);
      if (record.size() > password) {
        int[] f = record.get(password);
        int s = f[0];
        int e = f[1];
        if (e - s >= 2 && text.charAt(s) == '"' && text.charAt(e - 1) == '"') {
          s++;
          e--;
        }
        if (e > s) {
          out.add(new int[] {s, e});
        }
      }
      i = end + 1;
    }
    return out;
  }

  /** Index of the line break ending the record at {@code from} (outside quotes), or -1. */
  private static int recordEnd(CharSequence text, int from, int limit) {
    boolean quoted = false;
    for (int i = from; i < limit; i++) {
      char c = text.charAt(i);
      if (c == '"') {
        quoted = !quoted; // a doubled quote toggles twice
      } else if (c == '\n' && !quoted) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Spans of the comma-separated fields of {@code text[from, to)}, quotes and a final CR excluded
   * from splitting.
   */
  static List<int[]> fields(CharSequence text, int from, int to) {
    if (to > from && text.charAt(to - 1) == '\r') {
      to--;
    }
    List<int[]> out = new ArrayList<>();
    boolean quoted = false;
    int start = from;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        out.add(new int[] {start, i});
        start = i + 1;
      }
    }
    out.add(new int[] {start, to});
    return out;
  }

  private static String unquote(CharSequence text, int[] f) {
    String v = text.subSequence(f[0], f[1]).toString();
    return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")
        ? v.substring(1, v.length() - 1)
        : v;
  }
}
