package dev.warden.core.trust;

import com.nimbusds.jose.jwk.JWK;
import java.text.ParseException;
import java.util.Set;

/**
 * A public JWK made ready to check JWS signatures: the one component through which Warden verifies
 * a compact JWS, whoever signed it — a platform token's issuer, a DPoP client, Warden itself
 * (access tokens, JWT-SVIDs, audit checkpoints, federation tokens) or another SPIFFE trust domain.
 * Paired with {@link UnverifiedJws}, the one parser, so every JWS Warden reads is split and decoded
 * by the same strict rules and its signature checked by the same code (decision 021).
 *
 * <p>The key is parsed and checked once, by the rules of a trust provider's JWKS (decision 301):
 * public only, {@code use}/{@code key_ops} for signatures, RSA of 2048 to 8192 bits with an odd
 * exponent, a point on its curve, and at least one algorithm of the caller's allow-list that its
 * type, curve and own {@code alg} fit. Immutable and thread-safe.
 */
public final class JwsKey {
  private final VerificationKey key;

  private JwsKey(VerificationKey key) {
    this.key = key;
  }

  /**
   * Parses a public JWK (JSON text) for the algorithms in {@code allowed}.
   *
   * @throws IllegalArgumentException saying why the key cannot verify any of {@code allowed}: not a
   *     JWK, private or symmetric, not for signatures, too weak, or fitting none of them
   */
  public static JwsKey parse(String jwkJson, Set<String> allowed) {
    JWK jwk;
    try {
      jwk = JWK.parse(jwkJson);
    } catch (ParseException | RuntimeException e) {
      throw new IllegalArgumentException("not a valid JSON Web Key (RFC 7517)");
    }
    return of(jwk, allowed);
  }

  /**
   * A key already parsed by Nimbus (from a JWK set), for the algorithms in {@code allowed}.
   *
   * @throws IllegalArgumentException as {@link #parse}
   */
  public static JwsKey of(JWK jwk, Set<String> allowed) {
    try {
      return new JwsKey(VerificationKey.from(jwk, allowed));
    } catch (VerificationKey.UnusableKeyException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  /**
   * Checks the signature of {@code jws} with {@code alg}, which the caller has already matched
   * against its own allow-list; false when the key does not fit {@code alg} or the signature does
   * not verify. Never throws.
   */
  public boolean verifies(String alg, UnverifiedJws jws) {
    return key.verify(alg, jws.signingInput(), jws.signature());
  }

  /**
   * Checks {@code signature} (base64url, no padding) over {@code signingInput} with {@code alg};
   * false when the key does not fit {@code alg} or the signature does not verify. Never throws.
   */
  public boolean verifies(String alg, byte[] signingInput, String signature) {
    return key.verify(alg, signingInput, signature);
  }

  /** The algorithms this key verifies: the allow-list narrowed to what the key fits. */
  public Set<String> algorithms() {
    return key.algorithms;
  }

  /** The RFC 7638 SHA-256 thumbprint, base64url. */
  public String thumbprint() {
    return key.thumbprint;
  }

  @Override
  public String toString() {
    return key.toString();
  }
}
