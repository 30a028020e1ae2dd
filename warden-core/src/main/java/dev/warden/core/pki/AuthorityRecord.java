package dev.warden.core.pki;

import dev.warden.core.keys.KeyState;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A certificate authority of the trust domain as stored: certificates in clear, the private key
 * only as AEAD ciphertext.
 *
 * @param id hex SHA-256 of the CA certificate
 * @param chainDer the CA certificate, then any upstream intermediates, as concatenated DER
 * @param rootsDer what goes into the trust bundle for this authority (the CA itself when
 *     self-signed, else the upstream certificate), concatenated DER
 * @param encryptedPrivateKey PKCS#8 of the CA key encrypted with the installation's AEAD keyset,
 *     the id as associated data; null once destroyed
 */
public record AuthorityRecord(
    String id,
    KeyState state,
    byte[] chainDer,
    byte[] rootsDer,
    byte @Nullable [] encryptedPrivateKey,
    Instant notBefore,
    Instant notAfter,
    Instant createdAt,
    @Nullable Instant activatedAt) {

  public AuthorityRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(chainDer, "chainDer");
    Objects.requireNonNull(rootsDer, "rootsDer");
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(notAfter, "notAfter");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  public AuthorityRecord withState(
      KeyState s, @Nullable Instant activated, byte @Nullable [] encryptedKey) {
    return new AuthorityRecord(
        id, s, chainDer, rootsDer, encryptedKey, notBefore, notAfter, createdAt, activated);
  }
}
