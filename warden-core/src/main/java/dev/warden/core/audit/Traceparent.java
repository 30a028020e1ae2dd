package dev.warden.core.audit;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The W3C Trace Context {@code traceparent} a caller sent, as Warden records it on a hop: version,
 * a trace id and a parent id that are not all zeros, and flags, in lower-case hex. Section 3.2 of
 * the recommendation says a {@code traceparent} that does not parse is ignored, not refused: so
 * this class only answers whether to keep it.
 */
public final class Traceparent {
  /** Longest value looked at: a version-00 value is 55 characters. */
  static final int MAX_LENGTH = 55;

  private static final Pattern FORMAT =
      Pattern.compile("[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}");

  private Traceparent() {}

  /**
   * @return {@code header} when it is a well-formed {@code traceparent}, else null (ignored)
   */
  public static @Nullable String validOrNull(@Nullable String header) {
    return header != null && header.length() <= MAX_LENGTH && FORMAT.matcher(header).matches()
        ? header
        : null;
  }
}
