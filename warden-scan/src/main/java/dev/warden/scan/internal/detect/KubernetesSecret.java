package dev.warden.scan.internal.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.MatchResult;

/**
 * Finds the values of a Kubernetes Secret manifest written in YAML: every {@code key: value} one
 * level under the top-level {@code data:} (base64) or {@code stringData:} (plain) of the document
 * whose {@code kind: Secret} line matched. The keys may come before {@code kind} ({@code kubectl
 * get -o yaml} sorts them), so the document is read from its {@code ---} separator to the next one.
 * Certificates ({@code tls.crt}, {@code ca.crt}), public keys and the namespace of service-account
 * token secrets are public and not reported; block scalars ({@code key: |}) are left to the other
 * rules (a private key in one is {@code private-key}'s).
 */
final class KubernetesSecret {
  /** How far before the kind line the document may start. */
  private static final int MAX_BACK = 16_384;

  private static final int MAX_VALUES = 200;

  private KubernetesSecret() {}

  static List<int[]> values(CharSequence text, MatchResult m, int limit) {
    int start = documentStart(text, m.start());
    int end = documentEnd(text, m.end(), limit);
    List<int[]> out = new ArrayList<>();
    int i = start;
    boolean inData = false;
    while (i < end && out.size() < MAX_VALUES) {
      int lineEnd = i;
      while (lineEnd < end && text.charAt(lineEnd) != '\n') {
        lineEnd++;
      }
      int contentEnd = lineEnd > i && text.charAt(lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
      int indent = 0;
      while (i + indent < contentEnd && text.charAt(i + indent) == ' ') {
        indent++;
      }
      boolean blank = i + indent >= contentEnd || text.charAt(i + indent) == '#';
      if (!blank) {
        if (indent == 0) {
          String line = text.subSequence(i, contentEnd).toString().stripTrailing();
          inData = line.equals("data:") || line.equals("stringData:");
        } else if (inData) {
          value(text, i + indent, contentEnd, out);
        }
      }
      i = lineEnd + 1;
    }
    return out;
  }

  /** Adds the span of the value on the entry line {@code key: value}, unquoted. */
  private static void value(CharSequence text, int from, int to, List<int[]> out) {
    int colon = -1;
    for (int j = from; j < to; j++) {
      if (text.charAt(j) == ':' && (j + 1 == to || text.charAt(j + 1) == ' ')) {
        colon = j;
        break;
      }
    }
    if (colon < 0) {
      return;
    }
    String key =
        text.subSequence(from, colon)
            .toString()
            .replace("\"", "")
            .replace("'", "")
            .toLowerCase(Locale.ROOT);
    if (key.endsWith(".crt")
        || key.endsWith(".pub")
        || key.endsWith(".cert")
        || key.equals("namespace")
        || key.startsWith("ca.")
        || key.contains("certificate")
        || key.contains("public")) {
      return;
    }
    int s = colon + 1;
    while (s < to && text.charAt(s) == ' ') {
      s++;
    }
    int e = to;
    while (e > s && (text.charAt(e - 1) == ' ' || text.charAt(e - 1) == '\t')) {
      e--;
    }
    if (e - s >= 2
        && (text.charAt(s) == '"' || text.charAt(s) == '\'')
        && text.charAt(e - 1) == text.charAt(s)) {
      s++;
      e--;
    }
    if (e <= s || text.charAt(s) == '|' || text.charAt(s) == '>') {
      return; // empty or a block scalar
    }
    out.add(new int[] {s, e});
  }

  private static int documentStart(CharSequence text, int at) {
    int floor = Math.max(0, at - MAX_BACK);
    for (int i = at - 1; i >= floor; i--) {
      if (text.charAt(i) == '\n'
          && i + 3 < at
          && text.charAt(i + 1) == '-'
          && text.charAt(i + 2) == '-'
          && text.charAt(i + 3) == '-') {
        return i + 1;
      }
    }
    // start at a line boundary so the first line read is whole
    int i = floor;
    while (i > 0 && i < at && text.charAt(i - 1) != '\n') {
      i++;
    }
    return i;
  }

  private static int documentEnd(CharSequence text, int from, int limit) {
    for (int i = from; i + 3 < limit; i++) {
      if (text.charAt(i) == '\n'
          && text.charAt(i + 1) == '-'
          && text.charAt(i + 2) == '-'
          && text.charAt(i + 3) == '-') {
        return i;
      }
    }
    return limit;
  }
}
