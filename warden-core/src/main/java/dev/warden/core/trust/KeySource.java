package dev.warden.core.trust;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/** Where a provider's keys come from: inline configuration, or its issuer over the network. */
sealed interface KeySource {
  /**
   * The keys to verify with now.
   *
   * @throws DeniedException JWKS_UNAVAILABLE when there are no keys at all
   */
  VerificationKeys current();

  /**
   * Called when a token names a {@code kid} that {@code seen} lacks: refreshes unless the last
   * attempt is younger than the refresh interval, and returns the keys to retry with (possibly
   * {@code seen} itself).
   */
  VerificationKeys refreshForUnknownKid(VerificationKeys seen);

  /** The keys held now, without any I/O; null when none were ever loaded. */
  VerificationKeys peek();

  /** Keys given inline in the configuration: nothing is ever fetched. */
  record Inline(VerificationKeys keys) implements KeySource {
    @Override
    public VerificationKeys current() {
      return keys;
    }

    @Override
    public VerificationKeys refreshForUnknownKid(VerificationKeys seen) {
      return keys;
    }

    @Override
    public VerificationKeys peek() {
      return keys;
    }
  }

  /**
   * Keys fetched from {@code jwksUri}, or from the {@code jwks_uri} of the issuer's discovery
   * document. Design: one immutable {@link VerificationKeys} in a volatile field; refreshes happen
   * under a lock, at most once per refresh interval whatever the cause (unknown kid, age, failure),
   * so neither a flood of forged kids nor a dead issuer turns into a flood of fetches. A failed
   * refresh keeps the keys already held (stale-while-error). Keys older than the maximum age are
   * refreshed by whichever caller gets the lock first while the others carry on with the cached
   * ones. The first load is lazy — building providers never blocks on the network.
   */
  final class Remote implements KeySource {
    private static final System.Logger LOG = System.getLogger(KeySource.class.getName());

    private final String provider;
    private final String issuer;
    private final URI configuredJwksUri;
    private final Set<String> allowed;
    private final DocumentFetcher fetcher;
    private final Clock clock;
    private final Duration interval;
    private final Duration maxAge;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile VerificationKeys keys;
    private volatile Instant lastAttempt;
    private volatile Exception lastError;
    private volatile URI discoveredJwksUri;

    Remote(
        String provider,
        String issuer,
        URI jwksUri,
        Set<String> allowed,
        DocumentFetcher fetcher,
        Clock clock,
        TrustOptions options) {
      this.provider = provider;
      this.issuer = issuer;
      this.configuredJwksUri = jwksUri;
      this.allowed = allowed;
      this.fetcher = fetcher;
      this.clock = clock;
      this.interval = options.jwksRefreshInterval();
      this.maxAge = options.jwksMaxAge();
    }

    @Override
    public VerificationKeys current() {
      VerificationKeys ks = keys;
      if (ks == null) {
        return loadFirst();
      }
      Instant now = clock.instant();
      if (now.isAfter(ks.fetchedAt.plus(maxAge)) && mayAttempt(now) && lock.tryLock()) {
        try {
          if (keys == ks && mayAttempt(clock.instant())) {
            refreshLocked();
          }
        } finally {
          lock.unlock();
        }
        return keys;
      }
      return ks;
    }

    @Override
    public VerificationKeys refreshForUnknownKid(VerificationKeys seen) {
      lock.lock();
      try {
        if (keys != seen) {
          return keys; // refreshed by someone else while we waited
        }
        if (mayAttempt(clock.instant())) {
          refreshLocked();
        }
        return keys;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public VerificationKeys peek() {
      return keys;
    }

    private VerificationKeys loadFirst() {
      lock.lock();
      try {
        if (keys == null && mayAttempt(clock.instant())) {
          refreshLocked();
        }
        if (keys == null) {
          throw new DeniedException(
              Reason.JWKS_UNAVAILABLE,
              "the signing keys of trust provider '"
                  + provider
                  + "' are unavailable (its JWKS could not be fetched); try again later",
              lastError);
        }
        return keys;
      } finally {
        lock.unlock();
      }
    }

    private boolean mayAttempt(Instant now) {
      Instant last = lastAttempt;
      return last == null || !now.isBefore(last.plus(interval));
    }

    private void refreshLocked() {
      Instant now = clock.instant();
      lastAttempt = now;
      try {
        URI uri = configuredJwksUri != null ? configuredJwksUri : discover();
        byte[] body = fetcher.fetch(uri);
        if (body == null) {
          throw new IOException("no body from " + uri);
        }
        keys = Jwks.parse(new String(body, StandardCharsets.UTF_8), allowed, now, keys);
        lastError = null;
      } catch (IOException | Jwks.JwksException | RuntimeException e) {
        lastError = e;
        discoveredJwksUri = null; // the issuer may have moved its keys: discover again next time
        LOG.log(
            System.Logger.Level.WARNING,
            "trust provider ''{0}'': JWKS refresh failed: {1}; {2}",
            provider,
            e.getMessage(),
            keys == null ? "no keys to verify with" : "keeping the cached keys");
      }
    }

    private URI discover() throws IOException, Jwks.JwksException {
      URI known = discoveredJwksUri;
      if (known != null) {
        return known;
      }
      URI at = Urls.discovery(issuer);
      byte[] body = fetcher.fetch(at);
      Map<String, Object> doc;
      try {
        doc = JSONObjectUtils.parse(new String(body, StandardCharsets.UTF_8));
      } catch (java.text.ParseException | RuntimeException e) {
        throw new Jwks.JwksException("the discovery document at " + at + " is not a JSON object");
      }
      Object iss = doc.get("issuer");
      if (!issuer.equals(iss)) {
        throw new Jwks.JwksException(
            "the discovery document at "
                + at
                + " names issuer "
                + Msg.q(iss)
                + ", not the configured '"
                + issuer
                + "'");
      }
      URI jwks = doc.get("jwks_uri") instanceof String s ? Urls.fetchable(s) : null;
      if (jwks == null) {
        throw new Jwks.JwksException("the discovery document at " + at + " has no https jwks_uri");
      }
      discoveredJwksUri = jwks;
      return jwks;
    }
  }
}
