package dev.warden.core.secret;

import dev.warden.core.crypto.EnvelopeCipher;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.crypto.Secret;
import dev.warden.core.error.DeniedException;
import dev.warden.core.error.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The envelope of each version of a brokered secret: sealed by {@link EnvelopeCipher} under a data
 * key of its own, with the secret's name and version as associated data, and opened for reads with
 * the data key of the current version cached (decision 113).
 */
final class SealedVersions {
  private final EnvelopeCipher cipher;
  private final Fingerprinter fingerprinter;

  /**
   * The unwrapped data key of each secret's current version, kept after its first read: unwrapping
   * and parsing a Tink keyset cost more than the rest of opening. Every read still reads the
   * current version from the store (so a new, deleted or destroyed version counts at once, on every
   * node) and decrypts its ciphertext; a key is used only for the very wrapped key it came from,
   * and dropped when its version is no longer readable.
   */
  private final Map<String, EnvelopeCipher.DataKey> keys = new ConcurrentHashMap<>();

  SealedVersions(EnvelopeCipher cipher, Fingerprinter fingerprinter) {
    this.cipher = cipher;
    this.fingerprinter = fingerprinter;
  }

  /**
   * The associated data of a version: binds its ciphertext to the secret's name and the version.
   */
  static String associatedData(String name, long version) {
    return "brokered-secret|" + name + "|" + version;
  }

  SecretVersion seal(
      String name, long version, Secret value, VersionState state, Instant now, String actor) {
    return new SecretVersion(
        name,
        version,
        state,
        cipher.seal(value.reveal().getBytes(StandardCharsets.UTF_8), associatedData(name, version)),
        fingerprinter.fingerprint(value),
        now,
        actor,
        null,
        null);
  }

  /**
   * Opens the current version of a secret for a workload's read.
   *
   * @throws DeniedException ({@code secret_unavailable}) when there is no such secret or its
   *     current version is deleted or destroyed
   */
  BrokeredSecrets.Opened open(String name, Optional<BrokeredSecretStore.Current> current) {
    BrokeredSecretStore.Current c =
        current.orElseThrow(
            () ->
                new DeniedException(
                    Reason.SECRET_UNAVAILABLE,
                    "no brokered secret named '"
                        + name
                        + "' is stored; an admin must write it first"));
    SecretVersion v = c.version();
    if (v == null || v.state() != VersionState.ACTIVE) {
      keys.remove(name);
      throw new DeniedException(
          Reason.SECRET_UNAVAILABLE,
          "the current version ("
              + c.metadata().currentVersion()
              + ") of brokered secret '"
              + name
              + "' is "
              + (v == null ? "gone" : v.state().wire())
              + "; an admin must undelete it or write a new version");
    }
    String ad = associatedData(name, v.version());
    EnvelopeCipher.Envelope e = v.envelope();
    EnvelopeCipher.DataKey key = keys.get(name);
    if (key == null || !key.opens(e, ad)) {
      key = cipher.unwrap(e, ad);
      keys.put(name, key);
    }
    byte[] plain = key.open(e);
    return new BrokeredSecrets.Opened(
        name, v.version(), Secret.of(new String(plain, StandardCharsets.UTF_8)), v.fingerprint());
  }

  /** The value of a stored version, for setting a pending one at its target again. */
  Secret open(SecretVersion v) {
    String ad = associatedData(v.name(), v.version());
    byte[] plain = cipher.unwrap(v.envelope(), ad).open(v.envelope());
    return Secret.of(new String(plain, StandardCharsets.UTF_8));
  }

  /** Drops the cached data key of a secret whose current version changed or went away. */
  void forget(String name) {
    keys.remove(name);
  }
}
