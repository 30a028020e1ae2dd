package dev.warden.core.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.warden.core.keys.KeyState;
import dev.warden.core.keys.SigningKeyRecord;
import dev.warden.core.lease.Lease;
import dev.warden.core.store.LeaseStore;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * RFC 7662 introspection of Warden's own access tokens: active only if the signature verifies
 * under a published key, the issuer is this server, it has not expired, and its lease has not been
 * revoked (for example after a leak report). This is how revocation reaches resource servers that
 * cannot wait for expiry.
 */
public final class TokenIntrospector {
  private final KeyManager keys;
  private final LeaseStore leases;
  private final Clock clock;
  private final String issuer;

  /**
   * @param keys the access-token keys: a JWT-SVID is never introspected as active
   * @throws IllegalArgumentException when {@code keys} are not access-token keys
   */
  public TokenIntrospector(KeyManager keys, LeaseStore leases, Clock clock, String issuer) {
    if (keys.purpose() != dev.warden.core.keys.KeyPurpose.ACCESS_TOKEN) {
      throw new IllegalArgumentException("introspection verifies access tokens, not " + keys.purpose() + " tokens");
    }
    this.keys = keys;
    this.leases = leases;
    this.clock = clock;
    this.issuer = issuer;
  }

  /** The RFC 7662 response members; {@code {"active": false}} for anything not currently valid. */
  public Map<String, Object> introspect(String token) {
    Map<String, Object> inactive = Map.of("active", false);
    if (token == null || token.length() > 16_384) {
      return inactive;
    }
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      String kid = jwt.getHeader().getKeyID();
      SigningKeyRecord key = null;
      for (SigningKeyRecord r : keys.keyset().records()) {
        if (r.kid().equals(kid) && r.state() != KeyState.DESTROYED) {
          key = r;
        }
      }
      if (key == null || !jwt.getHeader().getAlgorithm().getName().equals(key.algorithm())) {
        return inactive;
      }
      JWK jwk = JWK.parse(key.publicJwk());
      JWSVerifier verifier = jwk instanceof ECKey ec ? new ECDSAVerifier(ec) : new Ed25519Verifier((OctetKeyPair) jwk);
      if (!jwt.verify(verifier)) {
        return inactive;
      }
      JWTClaimsSet c = jwt.getJWTClaimsSet();
      Instant now = clock.instant();
      if (!issuer.equals(c.getIssuer()) || c.getExpirationTime() == null || !now.isBefore(c.getExpirationTime().toInstant())) {
        return inactive;
      }
      Optional<Lease> lease = c.getJWTID() == null ? Optional.empty() : leases.get(c.getJWTID());
      if (lease.isEmpty() || lease.get().revokedAt() != null) {
        return inactive;
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("active", true);
      out.put("token_type", "Bearer");
      out.put("iss", c.getIssuer());
      out.put("sub", c.getSubject());
      out.put("aud", c.getAudience().size() == 1 ? c.getAudience().get(0) : c.getAudience());
      out.put("exp", c.getExpirationTime().toInstant().getEpochSecond());
      out.put("iat", c.getIssueTime() == null ? null : c.getIssueTime().toInstant().getEpochSecond());
      out.put("jti", c.getJWTID());
      out.put("client_id", c.getStringClaim("client_id"));
      if (c.getStringClaim("scope") != null) {
        out.put("scope", c.getStringClaim("scope"));
      }
      out.values().removeIf(java.util.Objects::isNull);
      return out;
    } catch (ParseException | JOSEException | RuntimeException e) {
      return inactive;
    }
  }
}
