package dev.warden.core.keys;

import java.time.Instant;
import java.util.Objects;

/**
 * A signing key as stored: public JWK in clear, private key only as AEAD ciphertext.
 *
 * @param publicJwk the public key as a JWK JSON object
 * @param encryptedPrivateKey the private key encrypted with the installation's AEAD keyset, with
 *     the kid as associated data; null once destroyed
 * @param destroyAfter when a retired key may be destroyed (no token it signed is still valid)
 */
public record SigningKeyRecord(
    String kid, String algorithm, KeyState state, String publicJwk, byte[] encryptedPrivateKey,
    Instant createdAt, Instant activatedAt, Instant retiredAt, Instant destroyAfter) {

  public SigningKeyRecord {
    Objects.requireNonNull(kid, "kid");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(publicJwk, "publicJwk");
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
