package dev.warden.core.dpop;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The proofs seen on this node within the freshness window, so a proof is accepted once (RFC 9449
 * section 11.1). An entry is kept until its proof would be refused as too old anyway, so memory is
 * bounded by the rate of proofs times the window; past {@code capacity} live entries a new proof is
 * refused rather than an old one forgotten (fail closed). Keyed by a digest of key thumbprint,
 * method, URI and {@code jti}: one client cannot use up another's {@code jti}.
 *
 * <p>Per node: a proof replayed to another node of a cluster within the window is not detected
 * here; decision 651 says why that is acceptable and what covers it.
 */
final class ReplayCache {
  private final int capacity;
  private final ConcurrentHashMap<String, Long> seen = new ConcurrentHashMap<>();

  ReplayCache(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity is at least 1");
    }
    this.capacity = capacity;
  }

  /** What {@link #remember} found. */
  enum Outcome {
    FIRST,
    REPLAYED,
    FULL
  }

  /**
   * Records a proof unless it was seen before.
   *
   * @param forgetAfter epoch second after which the proof is refused as too old, so need not be
   *     remembered
   * @param now the current epoch second
   */
  Outcome remember(
      String thumbprint, String htm, String htu, String jti, long forgetAfter, long now) {
    String key = digest(thumbprint, htm, htu, jti);
    if (seen.size() >= capacity) {
      sweep(now);
      if (seen.size() >= capacity) {
        return seen.containsKey(key) ? Outcome.REPLAYED : Outcome.FULL;
      }
    }
    Long previous = seen.putIfAbsent(key, forgetAfter);
    if (previous == null) {
      return Outcome.FIRST;
    }
    if (previous < now && seen.replace(key, previous, forgetAfter)) {
      // a stale entry no sweep has removed yet: the proof it stood for is too old to be accepted
      return Outcome.FIRST;
    }
    return Outcome.REPLAYED;
  }

  int size() {
    return seen.size();
  }

  private synchronized void sweep(long now) {
    seen.values().removeIf(forgetAfter -> forgetAfter < now);
  }

  private static String digest(String thumbprint, String htm, String htu, String jti) {
    StringBuilder sb = new StringBuilder(thumbprint.length() + htu.length() + jti.length() + 16);
    // lengths first: no two different tuples share an encoding
    for (String s : new String[] {thumbprint, htm, htu, jti}) {
      sb.append(s.length()).append(':').append(s);
    }
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(
            dev.warden.core.crypto.Hashes.sha256(sb.toString().getBytes(StandardCharsets.UTF_8)));
  }
}
