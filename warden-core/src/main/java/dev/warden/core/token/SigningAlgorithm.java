package dev.warden.core.token;

import dev.warden.core.error.ValidationException;

/**
 * Algorithms Warden signs its own tokens with. ES256 is the default because every JOSE library and
 * OIDC relying party verifies it; EdDSA (Ed25519) signs faster but is not yet accepted everywhere.
 * See docs/decisions/003-signing-algorithm.md for the measurements.
 */
public enum SigningAlgorithm {
  ES256, EdDSA;

  /** @throws ValidationException listing the allowed values */
  public static SigningAlgorithm parse(String field, String s) {
    for (SigningAlgorithm a : values()) {
      if (a.name().equalsIgnoreCase(s) || (a == EdDSA && "ed25519".equalsIgnoreCase(s))) {
        return a;
      }
    }
    throw new ValidationException(field, "'" + s + "' is not supported; use ES256 or EdDSA");
  }
}
