package dev.warden.core.database;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Secrets Warden needs to reach a resource's target, such as a database admin password: stored only
 * as ciphertext (sealed by the master key, bound to the secret's name) with an HMAC fingerprint,
 * never in a configuration document.
 */
public interface TargetSecretStore {

  /** One stored secret: its ciphertext and what may be shown of it. */
  record Sealed(
      String name,
      byte[] ciphertext,
      String fingerprint,
      long version,
      Instant updatedAt,
      String updatedBy) {
    public Sealed {
      ciphertext = ciphertext.clone();
    }

    @Override
    public byte[] ciphertext() {
      return ciphertext.clone();
    }
  }

  Optional<Sealed> get(String name);

  /** Every stored secret, by name. */
  List<Sealed> list();

  /**
   * Stores a new version of a secret.
   *
   * @param expectedVersion the version being replaced, 0 when it must not exist yet
   * @throws dev.warden.core.error.ConflictException when another writer changed it meanwhile
   * @return the version written
   */
  long put(
      String name,
      byte[] ciphertext,
      String fingerprint,
      long expectedVersion,
      Instant at,
      String by);
}
