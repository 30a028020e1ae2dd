package dev.warden.core.keys;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A signing key as stored: public JWK in clear, private key only as AEAD ciphertext.
 *
 * @param purpose what the key signs; it never changes over the key's life
 * @param publicJwk the public key as a JWK JSON object
 * @param encryptedPrivateKey the private key encrypted with the installation's AEAD keyset, with
 *     {@link KeyPurpose#associatedData(String)} as associated data; null once destroyed
 * @param destroyAfter when a retired key may be destroyed (no token it signed is still valid)
 */
public record SigningKeyRecord(
    String kid,
    KeyPurpose purpose,
    String algorithm,
    KeyState state,
    String publicJwk,
    byte @Nullable [] encryptedPrivateKey,
    Instant createdAt,
    @Nullable Instant activatedAt,
    @Nullable Instant retiredAt,
    @Nullable Instant destroyAfter) {

  public SigningKeyRecord {
    Objects.requireNonNull(kid, "kid");
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(publicJwk, "publicJwk");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** This key, now signing. */
  public SigningKeyRecord activated(Instant at) {
    return new SigningKeyRecord(
        kid,
        purpose,
        algorithm,
        KeyState.ACTIVE,
        publicJwk,
        encryptedPrivateKey,
        createdAt,
        at,
        null,
        null);
  }

  /** This key, retired at {@code at} and kept published until {@code destroyAfter}. */
  public SigningKeyRecord retired(Instant at, Instant destroyAfter) {
    return new SigningKeyRecord(
        kid,
        purpose,
        algorithm,
        KeyState.RETIRED,
        publicJwk,
        encryptedPrivateKey,
        createdAt,
        activatedAt,
        at,
        destroyAfter);
  }

  /** This key with its private half gone. */
  public SigningKeyRecord destroyed() {
    return new SigningKeyRecord(
        kid,
        purpose,
        algorithm,
        KeyState.DESTROYED,
        publicJwk,
        null,
        createdAt,
        activatedAt,
        retiredAt,
        destroyAfter);
  }
}
