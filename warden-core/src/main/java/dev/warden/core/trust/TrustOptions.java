package dev.warden.core.trust;

import dev.warden.core.error.ValidationException;
import java.time.Duration;

/**
 * Tuning of {@link TrustProviders}; {@link #defaults()} suits production.
 *
 * @param jwksRefreshInterval the least time between two fetches of one provider's JWKS. A token
 *     with an unknown {@code kid} triggers a refresh only when the last attempt is at least this
 *     old, so a flood of made-up kids cannot become a flood of fetches; a failed attempt also waits
 *     this long before the next. Default 30 s.
 * @param jwksMaxAge keys fetched longer ago than this are refreshed by the next verification (while
 *     other callers carry on with the cached keys), so a key the issuer withdrew stops being
 *     trusted. Default 15 min.
 * @param verifiedTokenCacheSize how many verified tokens to remember (by SHA-256) so that a token
 *     presented again skips the signature check; 0 turns the cache off. Default 10,000.
 */
public record TrustOptions(
    Duration jwksRefreshInterval, Duration jwksMaxAge, int verifiedTokenCacheSize) {
  public static final Duration DEFAULT_JWKS_REFRESH_INTERVAL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_JWKS_MAX_AGE = Duration.ofMinutes(15);
  public static final int DEFAULT_VERIFIED_TOKEN_CACHE_SIZE = 10_000;

  /**
   * Upper bound on {@link #verifiedTokenCacheSize}, to keep the cache's memory bounded (~ a few
   * hundred MB at most).
   */
  public static final int MAX_VERIFIED_TOKEN_CACHE_SIZE = 1_000_000;

  /**
   * @throws ValidationException naming the option when a value is out of range
   */
  public TrustOptions {
    if (jwksRefreshInterval == null
        || jwksRefreshInterval.compareTo(Duration.ofSeconds(1)) < 0
        || jwksRefreshInterval.compareTo(Duration.ofHours(1)) > 0) {
      throw new ValidationException("jwksRefreshInterval", "must be between 1s and 1h");
    }
    if (jwksMaxAge == null
        || jwksMaxAge.compareTo(jwksRefreshInterval) < 0
        || jwksMaxAge.compareTo(Duration.ofDays(1)) > 0) {
      throw new ValidationException("jwksMaxAge", "must be between jwksRefreshInterval and 1d");
    }
    if (verifiedTokenCacheSize < 0 || verifiedTokenCacheSize > MAX_VERIFIED_TOKEN_CACHE_SIZE) {
      throw new ValidationException(
          "verifiedTokenCacheSize", "must be between 0 (off) and " + MAX_VERIFIED_TOKEN_CACHE_SIZE);
    }
  }

  public static TrustOptions defaults() {
    return new TrustOptions(
        DEFAULT_JWKS_REFRESH_INTERVAL, DEFAULT_JWKS_MAX_AGE, DEFAULT_VERIFIED_TOKEN_CACHE_SIZE);
  }

  /**
   * @throws ValidationException when out of range
   */
  public TrustOptions withJwksRefreshInterval(Duration d) {
    return new TrustOptions(
        d, jwksMaxAge.compareTo(d) < 0 ? d : jwksMaxAge, verifiedTokenCacheSize);
  }

  /**
   * @throws ValidationException when out of range
   */
  public TrustOptions withJwksMaxAge(Duration d) {
    return new TrustOptions(jwksRefreshInterval, d, verifiedTokenCacheSize);
  }

  /**
   * @throws ValidationException when out of range
   */
  public TrustOptions withVerifiedTokenCacheSize(int n) {
    return new TrustOptions(jwksRefreshInterval, jwksMaxAge, n);
  }
}
