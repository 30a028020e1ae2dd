package dev.warden.server.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Formatting the templates share: times, ages, durations, query values, fingerprints. */
final class Fmt {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private Fmt() {}

  static String time(@Nullable Instant t) {
    return t == null ? "—" : TIME.format(t);
  }

  /** "3h ago" or "in 12m", relative to {@code now}. */
  static String ago(Instant t, Instant now) {
    if (t == null) {
      return "—";
    }
    Duration d = Duration.between(t, now);
    return d.isNegative() ? "in " + span(d.negated()) : span(d) + " ago";
  }

  static String span(Duration d) {
    if (d == null) {
      return "—";
    }
    long s = d.getSeconds();
    if (s < 120) {
      return s + "s";
    }
    if (s < 7200) {
      return s / 60 + "m";
    }
    if (s < 172_800) {
      return s / 3600 + "h";
    }
    return s / 86_400 + "d";
  }

  /** A value for a query string. */
  static String q(@Nullable String v) {
    return v == null ? "" : URLEncoder.encode(v, StandardCharsets.UTF_8);
  }

  /** The first 16 hex digits of a fingerprint: enough to match one by eye, never the credential. */
  static String fp(String fingerprint) {
    return fingerprint == null
        ? "—"
        : fingerprint.length() > 16 ? fingerprint.substring(0, 16) + "…" : fingerprint;
  }

  /** An enum constant as the API and CLI spell it: lower case. */
  static String lower(Enum<?> e) {
    return e == null ? "—" : e.name().toLowerCase(Locale.ROOT);
  }

  static String or(String v, String fallback) {
    return v == null || v.isEmpty() ? fallback : v;
  }

  static String pct(double share) {
    return String.format(Locale.ROOT, "%.0f%%", share * 100);
  }

  static String n(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }
}
