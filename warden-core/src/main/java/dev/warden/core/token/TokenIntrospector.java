package dev.warden.core.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import dev.warden.core.keys.KeyState;
import dev.warden.core.keys.SigningKeyRecord;
import dev.warden.core.lease.Lease;
import dev.warden.core.lease.LeaseStore;
import dev.warden.core.trust.UnverifiedJws;
import java.text.ParseException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * RFC 7662 introspection of Warden's own access tokens: active only if the signature verifies
 * under a published key, the issuer is this server, it has not expired, and its lease has not been
 * revoked (for example after a leak report). This is how revocation reaches resource servers that
 * cannot wait for expiry.
 *
 * <p>The token is parsed as strictly as a platform token ({@link UnverifiedJws}: strict UTF-8 and
 * JSON in header and payload, decision 301), not by Nimbus's lenient parser, which decodes
 * malformed UTF-8 to replacement characters.
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
      UnverifiedJws jwt = UnverifiedJws.parse(token);
      Map<String, Object> header = jwt.header();
      // Warden writes alg, typ and kid only: anything critical is not ours
      if (!(header.get("alg") instanceof String alg) || !(header.get("kid") instanceof String kid)
          || header.containsKey("crit")) {
        return inactive;
      }
      SigningKeyRecord key = null;
      for (SigningKeyRecord r : keys.keyset().records()) {
        if (r.kid().equals(kid) && r.state() != KeyState.DESTROYED) {
          key = r;
        }
      }
      if (key == null || !alg.equals(key.algorithm())) {
        return inactive;
      }
      JWK jwk = JWK.parse(key.publicJwk());
      JWSVerifier verifier = jwk instanceof ECKey ec ? new ECDSAVerifier(ec)
          : jwk instanceof com.nimbusds.jose.jwk.RSAKey rsa ? new com.nimbusds.jose.crypto.RSASSAVerifier(rsa)
          : new Ed25519Verifier((OctetKeyPair) jwk);
      if (!verifier.verify(new JWSHeader(JWSAlgorithm.parse(alg)), jwt.signingInput(), new Base64URL(jwt.signature()))) {
        return inactive;
      }
      Map<String, Object> c = jwt.claims();
      if (!issuer.equals(c.get("iss")) || !(c.get("exp") instanceof Long exp)
          || clock.instant().getEpochSecond() >= exp) {
        return inactive;
      }
      Optional<Lease> lease = c.get("jti") instanceof String jti ? leases.get(jti) : Optional.empty();
      if (lease.isEmpty() || lease.get().revokedAt() != null) {
        return inactive;
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("active", true);
      out.put("token_type", "Bearer");
      out.put("iss", c.get("iss"));
      out.put("sub", string(c.get("sub")));
      Object aud = c.get("aud");
      out.put("aud", aud instanceof List<?> l && l.size() == 1 ? string(l.get(0)) : aud);
      out.put("exp", exp);
      out.put("iat", c.get("iat") instanceof Long iat ? iat : null);
      out.put("jti", c.get("jti"));
      out.put("client_id", string(c.get("client_id")));
      out.put("scope", string(c.get("scope")));
      out.values().removeIf(java.util.Objects::isNull);
      return out;
    } catch (ParseException | JOSEException | RuntimeException e) {
      // RuntimeException includes DeniedException: a malformed token is simply not active
      return inactive;
    }
  }

  private static String string(Object v) {
    return v instanceof String s ? s : null;
  }
}
