package dev.warden.scan.internal.detect;

/**
 * Shannon entropy of a candidate value, and the character-set-aware floor that generic detectors
 * use. A 40-character hex string can carry at most 4 bits per character and base64 at most 6, so a
 * single threshold would either miss hex secrets or flood base64 identifiers; the floor is a
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
   * The entropy a uniformly random string of this length over this value's alphabet is expected to
   * reach, approximately: it cannot exceed log2(length) nor log2(alphabet).
   */
  static double expectedRandom(CharSequence s) {
    int n = s.length();
    double alphabet = Math.log(charsetOf(s).size) / Math.log(2);
    double byLength = Math.log(Math.max(n, 1)) / Math.log(2);
    // Short random strings repeat characters rarely, so the empirical entropy is ~log2(n) minus a
    // small correction; long ones approach the alphabet's bound.
    return Math.min(alphabet, byLength) - (n < 64 ? 0.25 : 0.1);
  }

  /** Longest value the exact model below has a table for; longer values use the longest row. */
  static final int MODEL_MAX = 256;

  private static final double[] NLOG2N = new double[MODEL_MAX + 1];
  private static final java.util.Map<Integer, double[]> EXPECTED =
      new java.util.concurrent.ConcurrentHashMap<>();

  static {
    for (int c = 1; c <= MODEL_MAX; c++) {
      NLOG2N[c] = c * Math.log(c) / Math.log(2);
    }
  }

  /**
   * The exact expected Shannon entropy, in bits per character, of a uniformly random string of
   * {@code n} characters over an alphabet of {@code alphabet} symbols. Short strings cannot reach
   * log2(alphabet): a random 20-character base64 string averages 4.04 bits, not 6. With N_c the
   * count of one symbol, Binomial(n, 1/alphabet): E[H] = log2 n - (alphabet / n) E[N_c log2 N_c].
   */
  static double expected(int n, int alphabet) {
    if (n <= 1) {
      return 0;
    }
    double[] row = EXPECTED.computeIfAbsent(alphabet, Entropy::expectedRow);
    return row[Math.min(n, MODEL_MAX)];
  }

  private static double[] expectedRow(int alphabet) {
    double[] row = new double[MODEL_MAX + 1];
    double p = 1.0 / alphabet;
    double lp = Math.log(p);
    double lq = Math.log1p(-p);
    for (int n = 2; n <= MODEL_MAX; n++) {
      double sum = 0;
      double logChoose = 0; // log C(n, j), built up term by term
      for (int j = 1; j <= n; j++) {
        logChoose += Math.log(n - j + 1) - Math.log(j);
        sum += Math.exp(logChoose + j * lp + (n - j) * lq) * NLOG2N[j];
      }
      row[n] = Math.log(n) / Math.log(2) - alphabet * sum / n;
    }
    return row;
  }

  /** Bits per character of {@code b[from, to)}, with {@code counts} (length 256) as scratch. */
  static double shannon(byte[] b, int from, int to, int[] counts) {
    int n = to - from;
    if (n <= 0) {
      return 0;
    }
    java.util.Arrays.fill(counts, 0);
    for (int i = from; i < to; i++) {
      counts[b[i] & 0xff]++;
    }
    double sum = 0;
    for (int c : counts) {
      if (c > 0) {
        sum += c <= MODEL_MAX ? NLOG2N[c] : c * Math.log(c) / Math.log(2);
      }
    }
    return Math.log(n) / Math.log(2) - sum / n;
  }

  /** True when {@code s} looks random enough: at least {@code fraction} of the expected bound. */
  static boolean looksRandom(CharSequence s, double fraction) {
    return shannon(s) >= fraction * expectedRandom(s);
  }
}
