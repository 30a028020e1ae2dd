package dev.warden.testkit;

/** Kinds of signing key a {@link TestOidcIssuer} or {@link TestKey} can hold. */
public enum KeyType {
  /** RSA 2048, signs RS256 by default (any RS* or PS* algorithm on request). */
  RSA_2048("RS256"),
  /** NIST P-256, signs ES256. */
  EC_P256("ES256"),
  /** Ed25519, signs EdDSA. */
  ED25519("EdDSA");

  private final String defaultAlgorithm;

  KeyType(String defaultAlgorithm) {
    this.defaultAlgorithm = defaultAlgorithm;
  }

  /** The JWS {@code alg} this key signs with unless told otherwise. */
  public String defaultAlgorithm() {
    return defaultAlgorithm;
  }
}
