package dev.warden.agent.workloadapi;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.warden.core.error.ValidationException;
import dev.warden.core.model.SpiffeId;
import java.text.ParseException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates a JWT-SVID as the SPIFFE JWT-SVID spec asks of a validator: an algorithm from the
 * spec's list (never {@code none} or HMAC), {@code typ} absent or {@code JWT}/{@code JOSE} (so an
 * {@code at+jwt} access token is refused whatever key signed it), the key found by {@code kid}
 * among the JWT authorities of the token's own trust domain, {@code exp} present and not passed,
 * the audience contained in {@code aud}, {@code sub} a SPIFFE ID.
 */
final class JwtSvidValidator {
  static final Set<JWSAlgorithm> ALLOWED =
      Set.of(
          JWSAlgorithm.RS256,
          JWSAlgorithm.RS384,
          JWSAlgorithm.RS512,
          JWSAlgorithm.ES256,
          JWSAlgorithm.ES384,
          JWSAlgorithm.ES512,
          JWSAlgorithm.PS256,
          JWSAlgorithm.PS384,
          JWSAlgorithm.PS512);
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
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(token);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new ValidationException("svid", "not a signed JWT: " + e.getMessage());
    }
    JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
    if (!ALLOWED.contains(alg)) {
      throw new ValidationException("svid", "algorithm " + alg + " is not allowed for JWT-SVIDs");
    }
    JOSEObjectType typ = jwt.getHeader().getType();
    if (typ != null && !TYPES.contains(typ.getType())) {
      throw new ValidationException(
          "svid",
          "typ "
              + (typ.getType().length() > 40 ? "(too long)" : typ.getType())
              + " is not a JWT-SVID's (JWT or JOSE)");
    }
    SpiffeId id;
    try {
      id = SpiffeId.parse(claims.getSubject());
    } catch (ValidationException | NullPointerException e) {
      throw new ValidationException("svid", "sub is not a SPIFFE ID");
    }
    String kid = jwt.getHeader().getKeyID();
    if (kid == null) {
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
    try {
      JWSVerifier v =
          new DefaultJWSVerifierFactory().createJWSVerifier(jwt.getHeader(), keyFor(key));
      if (!jwt.verify(v)) {
        throw new ValidationException("svid", "the signature does not verify");
      }
    } catch (JOSEException e) {
      throw new ValidationException("svid", "the signature cannot be checked: " + e.getMessage());
    }
    if (claims.getExpirationTime() == null) {
      throw new ValidationException("svid", "exp is required");
    }
    if (!now.isBefore(claims.getExpirationTime().toInstant())) {
      throw new ValidationException("svid", "expired at " + claims.getExpirationTime().toInstant());
    }
    if (claims.getAudience() == null || !claims.getAudience().contains(audience)) {
      throw new ValidationException(
          "audience", "the JWT-SVID is not for audience '" + audience + "'");
    }
    return new Result(id, claims.toJSONObject());
  }

  private static java.security.Key keyFor(JWK k) throws JOSEException {
    return switch (k.getKeyType().getValue()) {
      case "EC" -> k.toECKey().toECPublicKey();
      case "RSA" -> k.toRSAKey().toRSAPublicKey();
      default -> throw new JOSEException("unsupported key type " + k.getKeyType());
    };
  }
}
