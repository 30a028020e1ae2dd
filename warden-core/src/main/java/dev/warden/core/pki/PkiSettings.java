package dev.warden.core.pki;

import dev.warden.core.error.ValidationException;
import java.time.Duration;

/**
 * Lifetimes of the trust domain's certificates, checked against upper bounds: a CA that lives for
 * years or an SVID that lives for days defeats the point of short-lived identity.
 */
public record PkiSettings(
    String trustDomain, Duration caTtl, Duration x509SvidTtl, Duration jwtSvidTtl) {
  public static final Duration MAX_CA_TTL = Duration.ofDays(365);
  public static final Duration MAX_X509_SVID_TTL = Duration.ofDays(7);
  public static final Duration MAX_JWT_SVID_TTL = Duration.ofHours(24);

  public PkiSettings {
    if (trustDomain == null || trustDomain.isBlank()) {
      throw new ValidationException("trustDomain", "is required");
    }
    check("ca.ttl", caTtl, Duration.ofMinutes(10), MAX_CA_TTL);
    check("svid.x509Ttl", x509SvidTtl, Duration.ofMinutes(1), MAX_X509_SVID_TTL);
    check("svid.jwtTtl", jwtSvidTtl, Duration.ofSeconds(30), MAX_JWT_SVID_TTL);
    if (x509SvidTtl.compareTo(caTtl.dividedBy(6)) > 0) {
      // a leaf must fit in the window where its CA is still trusted after rotation
      throw new ValidationException(
          "svid.x509Ttl",
          "must be at most a sixth of ca.ttl ("
              + caTtl.dividedBy(6)
              + "), so an SVID never outlives its CA's place in the bundle; raise ca.ttl or lower svid.x509Ttl");
    }
  }

  /** SPIRE's defaults: CA 24 h, X.509-SVID 1 h, JWT-SVID 5 min. */
  public static PkiSettings defaults(String trustDomain) {
    return new PkiSettings(
        trustDomain, Duration.ofHours(24), Duration.ofHours(1), Duration.ofMinutes(5));
  }

  private static void check(String key, Duration d, Duration min, Duration max) {
    if (d == null) {
      throw new ValidationException(key, "is required");
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new ValidationException(key, "must be between " + min + " and " + max + ", got " + d);
    }
  }
}
