package dev.warden.core.trust;

import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Durations;
import dev.warden.core.model.Selector;
import dev.warden.core.model.TrustProviderSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One trust provider, compiled from its {@link TrustProviderSpec}: allow-lists as sets, claim paths
 * parsed, selector keys checked, keys behind a {@link KeySource}. Immutable apart from the key
 * cache inside the key source; thread-safe.
 *
 * <p>The order of checks is deliberate: everything the header says is checked against this
 * provider's rules before a key is chosen, the signature before any claim is believed, and claims
 * only from then on — so an unsigned or forged token learns nothing about the claim rules.
 *
 * <p>The spec is compiled by {@link ProviderCompiler}; the verified claims become selectors through
 * {@link ClaimSelectors}.
 */
final class CompiledProvider {
  /** Longest selector value (the limit of {@link Selector}). */
  static final int MAX_SELECTOR_VALUE = 512;

  /** NumericDates past 9999-12-31 are not dates. */
  private static final long MAX_EPOCH_SECOND = 253_402_300_799L;

  /** Beyond this a maximum age means nothing (and would overflow time arithmetic). */
  static final Duration MAX_TOKEN_AGE = Duration.ofDays(3650);

  /** A verification's result plus what the verified-token cache needs to re-check it later. */
  record Verified(AttestedIdentity identity, VerificationKey key, Instant notBefore) {}

  final TrustProviderSpec spec;
  final String name;
  final String issuer;
  final String selectorType;
  final Duration maxTokenAge;
  final Duration clockSkew;
  final KeySource keys;
  private final Set<String> algorithms;
  private final Set<String> audiences;
  private final List<ClaimPath> required;
  private final ClaimSelectors selectors;

  CompiledProvider(
      TrustProviderSpec spec,
      KeySource keys,
      List<ClaimSelectors.Mapping> mappings,
      List<ClaimPath> required) {
    this.spec = spec;
    this.name = spec.name();
    this.issuer = spec.issuer();
    this.selectorType = spec.type().selectorType();
    this.maxTokenAge = spec.maxTokenAge();
    this.clockSkew = spec.clockSkew();
    this.keys = keys;
    this.algorithms = Set.copyOf(spec.algorithms());
    this.audiences = new LinkedHashSet<>(spec.audiences());
    this.required = List.copyOf(required);
    this.selectors = new ClaimSelectors(name, selectorType, issuer, mappings);
  }

  /**
   * What this provider checks, in words and in the order {@link #verify} checks it, for an
   * administrator testing a token against it (the console's "test a token").
   */
  List<String> rules() {
    List<String> r = new ArrayList<>();
    r.add("iss is exactly " + issuer + " (it is what chose this provider)");
    r.add(
        "alg is one of "
            + String.join(", ", spec.algorithms())
            + "; no crit or cty header, typ JWT or none;"
            + " jku, x5u, x5c and jwk headers are never followed");
    r.add(
        "the signature verifies with the key its kid names in "
            + (spec.jwks() != null
                ? "the inline JWKS"
                : spec.jwksUri() != null
                    ? "the JWKS at " + spec.jwksUri()
                    : "the JWKS that " + issuer + "/.well-known/openid-configuration names"));
    r.add("aud contains one of " + String.join(", ", audiences));
    r.add("sub is a non-empty string");
    r.add(
        "exp has not passed, nbf and iat are not in the future (clock skew "
            + Durations.format(clockSkew)
            + "), and iat is no older than "
            + Durations.format(maxTokenAge));
    if (!required.isEmpty()) {
      r.add(
          "these claims are present: "
              + String.join(", ", required.stream().map(ClaimPath::toString).toList()));
    }
    r.add(selectors.rule(name));
    return r;
  }

  /**
   * Compiles a spec. Does no I/O: remote keys are fetched on first use.
   *
   * @throws ValidationException naming the provider and field when the spec cannot work: a claim
   *     mapping to a reserved or already used selector key, a broken claim path, an issuer too long
   *     for a selector, an inline JWKS that is not usable
   */
  static CompiledProvider compile(
      TrustProviderSpec spec, DocumentFetcher fetcher, Clock clock, TrustOptions options) {
    return ProviderCompiler.compile(spec, fetcher, clock, options);
  }

  /**
   * Verifies a parsed token whose {@code iss} selected this provider.
   *
   * @throws DeniedException with the reason of the first rule the token breaks
   */
  Verified verify(ParsedJwt jwt, Instant now) {
    Map<String, Object> h = jwt.header();
    // 1. header, against this provider's rules
    Object alg = h.get("alg");
    if (!(alg instanceof String a)) {
      throw new DeniedException(Reason.MALFORMED_TOKEN, "the token header has no alg");
    }
    if (!algorithms.contains(a)) {
      throw new DeniedException(
          Reason.ALG_NOT_ALLOWED,
          "alg "
              + Msg.q(a)
              + " is not allowed by trust provider '"
              + name
              + "'; allowed: "
              + spec.algorithms());
    }
    if (h.containsKey("crit")) {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN,
          "the token header has crit (critical extensions); none are supported");
    }
    Object typ = h.get("typ");
    if (typ != null
        && !(typ instanceof String t
            && (t.equalsIgnoreCase("JWT") || t.equalsIgnoreCase("application/jwt")))) {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN,
          "typ " + Msg.q(typ) + " is not accepted; expected JWT (or no typ)");
    }
    if (h.containsKey("cty")) {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN, "the token header has cty; nested tokens are not accepted");
    }
    // jku, x5u, x5c and jwk are deliberately never read: keys come only from this provider's JWKS.
    Object kidValue = h.get("kid");
    if (kidValue != null && !(kidValue instanceof String)) {
      throw new DeniedException(Reason.MALFORMED_TOKEN, "kid must be a string");
    }
    // 2. key and signature
    VerificationKey key = selectKey((String) kidValue, a);
    if (!key.verify(a, jwt.signingInput(), jwt.signature())) {
      throw new DeniedException(
          Reason.BAD_SIGNATURE,
          "the signature does not verify with "
              + (key.kid == null ? "the only " + a + " key" : "key " + Msg.q(key.kid))
              + " of trust provider '"
              + name
              + "'");
    }
    // 3. claims, now that they are signed
    Map<String, Object> c = jwt.claims();
    if (!issuer.equals(c.get("iss"))) {
      throw new DeniedException(
          Reason.WRONG_ISSUER,
          "iss "
              + Msg.q(c.get("iss"))
              + " does not exactly match the issuer '"
              + issuer
              + "' of trust provider '"
              + name
              + "'");
    }
    checkAudience(c.get("aud"));
    Instant exp = numericDate(c, "exp", true);
    Instant nbf = numericDate(c, "nbf", false);
    Instant iat = numericDate(c, "iat", true);
    checkTimes(exp, nbf, iat, now);
    Object sub = c.get("sub");
    if (!(sub instanceof String s) || s.isEmpty()) {
      throw new DeniedException(
          sub == null || "".equals(sub) ? Reason.MISSING_CLAIM : Reason.MALFORMED_TOKEN,
          "the token has no sub claim (a non-empty string); trust provider '"
              + name
              + "' requires one");
    }
    for (ClaimPath r : required) {
      if (!present(r.resolve(c))) {
        throw new DeniedException(
            Reason.MISSING_CLAIM,
            "the token lacks claim '" + r + "', which trust provider '" + name + "' requires");
      }
    }
    AttestedIdentity id =
        new AttestedIdentity(
            name,
            spec.type(),
            issuer,
            s,
            c,
            iat,
            exp,
            Collections.unmodifiableSet(selectors.of(s, c)));
    return new Verified(id, key, nbf);
  }

  /**
   * The time rules, on their own so that a cached verification can be re-checked on every use.
   *
   * @throws DeniedException TOKEN_EXPIRED, TOKEN_NOT_YET_VALID or TOKEN_TOO_OLD
   */
  void checkTimes(Instant exp, Instant nbf, Instant iat, Instant now) {
    if (!now.isBefore(exp.plus(clockSkew))) {
      throw new DeniedException(
          Reason.TOKEN_EXPIRED,
          "the token expired at "
              + exp
              + " (clock skew allowed: "
              + Durations.format(clockSkew)
              + ")");
    }
    if (nbf != null && now.plus(clockSkew).isBefore(nbf)) {
      throw new DeniedException(
          Reason.TOKEN_NOT_YET_VALID,
          "the token is not valid before "
              + nbf
              + " (clock skew allowed: "
              + Durations.format(clockSkew)
              + ")");
    }
    if (now.plus(clockSkew).isBefore(iat)) {
      throw new DeniedException(
          Reason.TOKEN_NOT_YET_VALID,
          "the token claims to be issued in the future (iat "
              + iat
              + "); check the issuer's clock");
    }
    if (now.isAfter(iat.plus(maxTokenAge).plus(clockSkew))) {
      throw new DeniedException(
          Reason.TOKEN_TOO_OLD,
          "the token was issued at "
              + iat
              + ", longer ago than the maximum age "
              + Durations.format(maxTokenAge)
              + " of trust provider '"
              + name
              + "'; get a fresh token");
    }
  }

  private VerificationKey selectKey(String kid, String alg) {
    VerificationKeys ks = keys.current();
    if (kid == null) {
      List<VerificationKey> candidates = ks.forAlgorithm(alg);
      if (candidates.size() != 1) {
        throw new DeniedException(
            Reason.UNKNOWN_KID,
            "the token has no kid and trust provider '"
                + name
                + "' has "
                + candidates.size()
                + " keys for "
                + alg
                + "; a kid is required unless there is exactly one");
      }
      return candidates.get(0);
    }
    List<VerificationKey> withKid = ks.withKid(kid);
    if (withKid.isEmpty()) {
      withKid = keys.refreshForUnknownKid(ks).withKid(kid);
      if (withKid.isEmpty()) {
        throw new DeniedException(
            Reason.UNKNOWN_KID,
            "key " + Msg.q(kid) + " is not in the JWKS of trust provider '" + name + "'");
      }
    }
    for (VerificationKey k : withKid) {
      if (k.algorithms.contains(alg)) {
        return k;
      }
    }
    throw new DeniedException(
        Reason.ALG_NOT_ALLOWED,
        "key "
            + Msg.q(kid)
            + " of trust provider '"
            + name
            + "' is "
            + withKid.get(0).description()
            + " and cannot verify "
            + alg);
  }

  private void checkAudience(Object aud) {
    if (aud == null) {
      throw new DeniedException(
          Reason.WRONG_AUDIENCE,
          "the token has no aud claim; trust provider '" + name + "' accepts " + spec.audiences());
    }
    if (aud instanceof String s) {
      if (audiences.contains(s)) {
        return;
      }
    } else if (aud instanceof List<?> l) {
      for (Object o : l) {
        if (!(o instanceof String)) {
          throw new DeniedException(
              Reason.MALFORMED_TOKEN, "aud must be a string or an array of strings");
        }
      }
      for (Object o : l) {
        if (audiences.contains(o)) {
          return;
        }
      }
    } else {
      throw new DeniedException(
          Reason.MALFORMED_TOKEN, "aud must be a string or an array of strings");
    }
    throw new DeniedException(
        Reason.WRONG_AUDIENCE,
        "the token's audience is none of "
            + spec.audiences()
            + ", which trust provider '"
            + name
            + "' accepts");
  }

  private Instant numericDate(Map<String, Object> c, String claim, boolean required) {
    Object v = c.get(claim);
    if (v == null) {
      if (required) {
        throw new DeniedException(
            Reason.MISSING_CLAIM,
            "the token has no " + claim + " claim; trust provider '" + name + "' requires one");
      }
      return null;
    }
    if (v instanceof Long l && l >= 0 && l <= MAX_EPOCH_SECOND) {
      return Instant.ofEpochSecond(l);
    }
    if (v instanceof Double d && d >= 0 && d <= MAX_EPOCH_SECOND) {
      return Instant.ofEpochMilli((long) (d * 1000));
    }
    throw new DeniedException(
        Reason.MALFORMED_TOKEN,
        claim + " must be a NumericDate (seconds since 1970, up to year 9999)");
  }

  private static boolean present(Object v) {
    return v != null && !(v instanceof String s && s.isEmpty());
  }
}
