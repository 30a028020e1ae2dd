package dev.warden.server.console;

import java.util.ArrayList;
import java.util.List;

/** A line diff of two small texts (policy documents), by longest common subsequence. */
final class LineDiff {
  /** One line of the diff: {@code op} is ' ' (both), '-' (only the old) or '+' (only the new). */
  record Line(char op, String text) {
    String css() {
      return op == '+' ? "add" : op == '-' ? "del" : "same";
    }
  }

  /** Above this many lines on either side the diff is not computed (documents are far smaller). */
  static final int MAX_LINES = 2000;

  private LineDiff() {}

  static List<Line> of(String before, String after) {
    String[] a = before.split("\n", -1);
    String[] b = after.split("\n", -1);
    if (a.length > MAX_LINES || b.length > MAX_LINES) {
      return List.of(
          new Line(' ', "(too long to compare here: " + a.length + " and " + b.length + " lines)"));
    }
    int[][] lcs = new int[a.length + 1][b.length + 1];
    for (int i = a.length - 1; i >= 0; i--) {
      for (int j = b.length - 1; j >= 0; j--) {
        lcs[i][j] =
            a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    List<Line> out = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < a.length && j < b.length) {
      if (a[i].equals(b[j])) {
        out.add(new Line(' ', a[i]));
        i++;
        j++;
      } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
        out.add(new Line('-', a[i++]));
      } else {
        out.add(new Line('+', b[j++]));
      }
    }
    while (i < a.length) {
      out.add(new Line('-', a[i++]));
    }
    while (j < b.length) {
      out.add(new Line('+', b[j++]));
    }
    return out;
  }
}
