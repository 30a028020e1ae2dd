package dev.warden.core.trust;

import com.nimbusds.jose.jwk.JWK;
import java.text.ParseException;
import java.util.Map;
import java.util.Set;

/**
 * A public key a JWS carries in its own header ({@code jwk}), as a DPoP proof does (RFC 9449
 * section 4.2), parsed and checked by the same rules as a key of a trust provider's JWKS (no
 * private or symmetric key, RSA of 2048 to 8192 bits, the curve fits the algorithm, point on the
 * curve), so that a proof is verified by exactly the code that verifies platform tokens.
 */
public final class EmbeddedKey {
  /** JWK members that hold private or symmetric key material (RFC 7518 section 6). */
  private static final Set<String> PRIVATE_MEMBERS =
      Set.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");

  private final VerificationKey key;

  private EmbeddedKey(VerificationKey key) {
    this.key = key;
  }

  /**
   * Parses the {@code jwk} header member.
   *
   * @param jwk the member's value as strict JSON decoded it
   * @param allowed the algorithms the key may verify
   * @throws IllegalArgumentException saying why the key cannot be used (private material, not an
   *     object, an unsupported or weak key, no algorithm of {@code allowed} fits)
   */
  public static EmbeddedKey parse(Object jwk, Set<String> allowed) {
    if (!(jwk instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException("jwk is not a JSON object");
    }
    for (String member : PRIVATE_MEMBERS) {
      if (m.containsKey(member)) {
        throw new IllegalArgumentException(
            "jwk holds private key material ('" + member + "'); send the public key only");
      }
    }
    JWK parsed;
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> members = (Map<String, Object>) m;
      parsed = JWK.parse(members);
    } catch (ParseException | RuntimeException e) {
      throw new IllegalArgumentException("jwk is not a valid JSON Web Key (RFC 7517)");
    }
    try {
      return new EmbeddedKey(VerificationKey.from(parsed, allowed));
    } catch (VerificationKey.UnusableKeyException e) {
      throw new IllegalArgumentException("jwk cannot be used: " + e.getMessage());
    }
  }

  /** The RFC 7638 SHA-256 thumbprint, base64url: a DPoP token's {@code cnf.jkt}. */
  public String thumbprint() {
    return key.thumbprint;
  }

  /**
   * Checks {@code signature} (base64url) over {@code signingInput} with {@code alg}; false for an
   * algorithm the key does not fit, never throws.
   */
  public boolean verify(String alg, byte[] signingInput, String signature) {
    return key.verify(alg, signingInput, signature);
  }
}
