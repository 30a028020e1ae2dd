package dev.warden.core.dpop;

import java.time.Instant;

/**
 * A DPoP proof that {@link DpopVerifier} verified: signed by the key it carries, made for this
 * request, fresh and not seen before. Only the verifier creates one.
 */
public final class DpopProof {
  private final String thumbprint;
  private final String jti;
  private final Instant issuedAt;

  DpopProof(String thumbprint, String jti, Instant issuedAt) {
    this.thumbprint = thumbprint;
    this.jti = jti;
    this.issuedAt = issuedAt;
  }

  /**
   * The RFC 7638 SHA-256 thumbprint of the proof's key: what a bound token's {@code cnf.jkt} is.
   */
  public String thumbprint() {
    return thumbprint;
  }

  /** The proof's {@code jti}. */
  public String jti() {
    return jti;
  }

  /** The proof's {@code iat}. */
  public Instant issuedAt() {
    return issuedAt;
  }

  @Override
  public String toString() {
    return "DpopProof[jkt=" + thumbprint + "]";
  }
}
