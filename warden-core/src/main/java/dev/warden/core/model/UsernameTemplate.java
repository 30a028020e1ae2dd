package dev.warden.core.model;

import dev.warden.core.error.ValidationException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How issued database users are named, so a DBA who sees one can trace it to its workload: literal
 * text in {@code [a-z0-9_]}, {@code {workload}} (the SPIFFE ID's path as a slug) at most once, and
 * {@code {random}} (12 base32 characters) exactly once, e.g. the default {@code
 * w_{workload}_{random}} gives {@code w_ns_payments_sa_api_k3j9x2mq7v4a}. A name never exceeds
 * PostgreSQL's 63-byte identifier limit: the slug is cut to fit, keeping its end (the most specific
 * part of the path).
 */
public record UsernameTemplate(String text) {
  public static final UsernameTemplate DEFAULT = new UsernameTemplate("w_{workload}_{random}");

  /** Length of {@code {random}}: 12 characters of base32, 60 bits. */
  public static final int RANDOM_LENGTH = 12;

  public static final String RANDOM_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
  private static final String WORKLOAD = "{workload}";
  private static final String RANDOM = "{random}";
  private static final int MIN_SLUG = 8;

  public UsernameTemplate {
    String f = "spec.database.usernameTemplate";
    if (text == null || text.isEmpty()) {
      throw new ValidationException(f, "is required");
    }
    if (count(text, RANDOM) != 1) {
      throw new ValidationException(f, "must contain {random} exactly once, so names never repeat");
    }
    if (count(text, WORKLOAD) > 1) {
      throw new ValidationException(f, "may contain {workload} at most once");
    }
    String literal = text.replace(WORKLOAD, "").replace(RANDOM, "");
    if (!literal.matches("[a-z0-9_]*")) {
      throw new ValidationException(
          f, "'" + text + "': outside {workload} and {random} use only a-z, 0-9 and '_'");
    }
    if (!text.matches("[a-z_].*")) {
      throw new ValidationException(
          f, "must start with a letter or '_' (e.g. w_{workload}_{random})");
    }
    int budget = DatabaseTarget.MAX_IDENTIFIER_BYTES - literal.length() - RANDOM_LENGTH;
    if (budget < (text.contains(WORKLOAD) ? MIN_SLUG : 0)) {
      throw new ValidationException(
          f,
          "is too long: names must fit in 63 bytes with a "
              + RANDOM_LENGTH
              + "-character {random}"
              + (text.contains(WORKLOAD) ? " and at least " + MIN_SLUG + " of {workload}" : ""));
    }
  }

  /**
   * The user name for a workload, with {@code random} (from {@link #RANDOM_ALPHABET}) as {@code
   * {random}}.
   */
  public String expand(SpiffeId workload, String random) {
    if (random.length() != RANDOM_LENGTH
        || !random.chars().allMatch(c -> RANDOM_ALPHABET.indexOf(c) >= 0)) {
      throw new IllegalArgumentException(
          "random part must be " + RANDOM_LENGTH + " base32 characters");
    }
    String literal = text.replace(WORKLOAD, "").replace(RANDOM, "");
    int budget = DatabaseTarget.MAX_IDENTIFIER_BYTES - literal.length() - RANDOM_LENGTH;
    String slug = slug(workload.path(), budget);
    return text.replace(WORKLOAD, slug).replace(RANDOM, random);
  }

  /**
   * The literal text before the first placeholder: every name this template makes starts with it.
   */
  public String prefix() {
    int w = text.indexOf(WORKLOAD);
    int r = text.indexOf(RANDOM);
    int first = w < 0 ? r : Math.min(w, r);
    return text.substring(0, first);
  }

  /**
   * A pattern that every name this template can produce matches. With the marker role it is the
   * second check before Warden drops a user: a role that merely carries the marker, but could not
   * have come from this template, is left alone.
   */
  public Pattern pattern() {
    StringBuilder re = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      if (text.startsWith(WORKLOAD, i)) {
        re.append("[a-z0-9_]*");
        i += WORKLOAD.length();
      } else if (text.startsWith(RANDOM, i)) {
        re.append("[a-z2-7]{").append(RANDOM_LENGTH).append('}');
        i += RANDOM.length();
      } else {
        re.append(Pattern.quote(String.valueOf(text.charAt(i))));
        i++;
      }
    }
    return Pattern.compile(re.toString());
  }

  /**
   * The path as {@code [a-z0-9_]}: lower-cased, every other character (including '/', '.', '-')
   * turned into '_', runs of '_' collapsed, none at either end; cut to {@code max} keeping the end.
   */
  static String slug(String path, int max) {
    StringBuilder sb = new StringBuilder();
    for (char c : path.toLowerCase(Locale.ROOT).toCharArray()) {
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (ok) {
        sb.append(c);
      } else if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '_') {
        sb.append('_');
      }
    }
    String s = sb.toString();
    if (s.length() > max) {
      s = s.substring(s.length() - max);
    }
    s = s.replaceAll("^_+|_+$", "");
    return s;
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  @Override
  public String toString() {
    return text;
  }
}
