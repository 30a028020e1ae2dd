package dev.warden.core.token;

import dev.warden.core.error.ValidationException;

/**
 * Algorithms Warden signs its own tokens with. ES256 is the default because every JOSE library and
 * OIDC relying party verifies it; EdDSA (Ed25519) signs faster but is not yet accepted everywhere;
 * RS256 (RSA 2048) is the one algorithm AWS STS, GCP Workload Identity Federation and Microsoft
 * Entra all accept, so cloud federation tokens use it (decision 115). See
 * docs/decisions/003-signing-algorithm.md for the measurements.
 */
public enum SigningAlgorithm {
  ES256,
  EdDSA,
  RS256;

  /**
   * @throws ValidationException listing the allowed values
   */
  public static SigningAlgorithm parse(String field, String s) {
    for (SigningAlgorithm a : values()) {
      if (a.name().equalsIgnoreCase(s) || (a == EdDSA && "ed25519".equalsIgnoreCase(s))) {
        return a;
      }
    }
    throw new ValidationException(field, "'" + s + "' is not supported; use ES256, EdDSA or RS256");
  }
}
