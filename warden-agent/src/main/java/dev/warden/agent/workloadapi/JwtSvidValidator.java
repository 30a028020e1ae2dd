package dev.warden.agent.workloadapi;

import com.nimbusds.jose.jwk.JWK;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.SpiffeId;
import dev.warden.core.trust.JwsKey;
import dev.warden.core.trust.UnverifiedJws;
import java.text.ParseException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Validates a JWT-SVID as the SPIFFE JWT-SVID spec asks of a validator: an algorithm from the
 * spec's list (never {@code none} or HMAC), {@code typ} absent or {@code JWT}/{@code JOSE} (so an
 * {@code at+jwt} access token is refused whatever key signed it), the key found by {@code kid}
 * among the JWT authorities of the token's own trust domain, {@code exp} present and not passed,
 * the audience contained in {@code aud}, {@code sub} a SPIFFE ID. Parsed and verified by Warden's
 * one JWS path ({@link UnverifiedJws}, {@link JwsKey}; decision 021): the rules of platform tokens,
 * so an authority's key must also be one a trust provider would accept (RSA of 2048 bits or more).
 */
final class JwtSvidValidator {
  static final Set<String> ALLOWED =
      Set.of("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512");
  static final int MAX_LENGTH = 16 * 1024;

  /** The JWT-SVID spec: typ, when present, is JWT or JOSE. */
  static final Set<String> TYPES = Set.of("JWT", "JOSE");

  record Result(SpiffeId id, Map<String, Object> claims) {}

  private JwtSvidValidator() {}

  /**
   * @throws ValidationException naming why the token is not a valid JWT-SVID for this audience
   */
  static Result validate(
      String token, String audience, Map<String, List<String>> authorities, Instant now) {
    if (token.length() > MAX_LENGTH) {
      throw new ValidationException("svid", "longer than " + MAX_LENGTH + " characters");
    }
    UnverifiedJws jwt;
    try {
      jwt = UnverifiedJws.parse(token);
    } catch (DeniedException e) {
      throw new ValidationException("svid", "not a signed JWT: " + e.getMessage());
    }
    Map<String, Object> header = jwt.header();
    Map<String, Object> claims = jwt.claims();
    if (!(header.get("alg") instanceof String alg) || !ALLOWED.contains(alg)) {
      Object a = header.get("alg");
      throw new ValidationException(
          "svid",
          "algorithm "
              + (a instanceof String s && s.length() <= 16 ? s : "(unreadable)")
              + " is not allowed for JWT-SVIDs");
    }
    Object typ = header.get("typ");
    if (typ != null && !(typ instanceof String t && TYPES.contains(t))) {
      throw new ValidationException(
          "svid",
          "typ "
              + (typ instanceof String t && t.length() <= 40 ? t : "(too long)")
              + " is not a JWT-SVID's (JWT or JOSE)");
    }
    if (!(claims.get("sub") instanceof String sub)) {
      throw new ValidationException("svid", "sub is not a SPIFFE ID");
    }
    SpiffeId id;
    try {
      id = SpiffeId.parse(sub);
    } catch (ValidationException e) {
      throw new ValidationException("svid", "sub is not a SPIFFE ID");
    }
    if (!(header.get("kid") instanceof String kid)) {
      throw new ValidationException("svid", "the header has no kid");
    }
    JWK key = null;
    for (String k : authorities.getOrDefault(id.trustDomain(), List.of())) {
      try {
        JWK j = JWK.parse(k);
        if (kid.equals(j.getKeyID())) {
          key = j;
          break;
        }
      } catch (ParseException e) {
        // skip an unreadable authority
      }
    }
    if (key == null) {
      throw new ValidationException(
          "svid", "no JWT authority of trust domain " + id.trustDomain() + " has kid " + kid);
    }
    JwsKey verifier;
    try {
      verifier = JwsKey.of(key, Set.of(alg));
    } catch (IllegalArgumentException e) {
      throw new ValidationException("svid", "the signature cannot be checked: " + e.getMessage());
    }
    if (!verifier.verifies(alg, jwt)) {
      throw new ValidationException("svid", "the signature does not verify");
    }
    Long exp = seconds(claims.get("exp"));
    if (exp == null) {
      throw new ValidationException("svid", "exp is required");
    }
    // compared in seconds: an exp past Instant's range must not escape as a DateTimeException
    if (now.getEpochSecond() >= exp) {
      throw new ValidationException(
          "svid",
          "expired at "
              + (exp >= Instant.MIN.getEpochSecond() ? Instant.ofEpochSecond(exp) : exp + " s"));
    }
    Object aud = claims.get("aud");
    if (!(aud instanceof String a
        ? a.equals(audience)
        : aud instanceof List<?> l && l.contains(audience))) {
      throw new ValidationException(
          "audience", "the JWT-SVID is not for audience '" + audience + "'");
    }
    return new Result(id, claims);
  }

  /** A NumericDate in whole seconds (RFC 7519 allows fractions; they are dropped), or null. */
  private static @Nullable Long seconds(@Nullable Object v) {
    if (v instanceof Long l) {
      return l;
    }
    if (v instanceof Double d && Double.isFinite(d)) {
      return d.longValue();
    }
    return null;
  }
}
