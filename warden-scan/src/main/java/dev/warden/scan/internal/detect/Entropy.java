package dev.warden.scan.internal.detect;

/**
 * Shannon entropy of a candidate value, and the character-set-aware floor that generic detectors
 * use. A 40-character hex string can carry at most 4 bits per character and base64 at most 6, so
 * a single threshold would either miss hex secrets or flood base64 identifiers; the floor is a
 * fraction of what a random string of the same length and alphabet would reach.
 */
public final class Entropy {
  private Entropy() {}

  /** Bits per character of {@code s}, 0 for an empty string. */
  public static double shannon(CharSequence s) {
    int n = s.length();
    if (n == 0) {
      return 0;
    }
    int[] counts = new int[128];
    int other = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 128) {
        counts[c]++;
      } else {
        other++;
      }
    }
    double h = 0;
    for (int c : counts) {
      if (c > 0) {
        double p = (double) c / n;
        h -= p * Math.log(p);
      }
    }
    if (other > 0) {
      double p = (double) other / n;
      h -= p * Math.log(p);
    }
    return h / Math.log(2);
  }

  /** The alphabet a value is drawn from, smallest first. */
  enum Charset {
    HEX(16),
    ALNUM(62),
    BASE64(64),
    PRINTABLE(94);

    final int size;

    Charset(int size) {
      this.size = size;
    }
  }

  static Charset charsetOf(CharSequence s) {
    boolean hex = true;
    boolean alnum = true;
    boolean b64 = true;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '-' || c == '.' || c == '_') {
        // separators (UUIDs, dotted tokens) do not widen the alphabet of the random parts
        continue;
      }
      boolean isHex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      boolean isAlnum = Character.isLetterOrDigit(c) && c < 128;
      hex &= isHex;
      alnum &= isAlnum;
      b64 &= isAlnum || c == '+' || c == '/' || c == '=' || c == '-' || c == '_';
    }
    return hex ? Charset.HEX : alnum ? Charset.ALNUM : b64 ? Charset.BASE64 : Charset.PRINTABLE;
  }

  /**
   * The entropy a uniformly random string of this length over this value's alphabet is expected
   * to reach, approximately: it cannot exceed log2(length) nor log2(alphabet).
   */
  static double expectedRandom(CharSequence s) {
    int n = s.length();
    double alphabet = Math.log(charsetOf(s).size) / Math.log(2);
    double byLength = Math.log(Math.max(n, 1)) / Math.log(2);
    // Short random strings repeat characters rarely, so the empirical entropy is ~log2(n) minus a
    // small correction; long ones approach the alphabet's bound.
    return Math.min(alphabet, byLength) - (n < 64 ? 0.25 : 0.1);
  }

  /** True when {@code s} looks random enough: at least {@code fraction} of the expected bound. */
  static boolean looksRandom(CharSequence s, double fraction) {
    return shannon(s) >= fraction * expectedRandom(s);
  }
}
