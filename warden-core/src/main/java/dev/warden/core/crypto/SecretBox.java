package dev.warden.core.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeyTemplates;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import java.security.GeneralSecurityException;

/**
 * Encryption at rest for keys and stored secrets: a Tink AEAD keyset (AES-256-GCM), with the
 * record's identity as associated data so a ciphertext cannot be moved to another record. The
 * keyset itself is the master key and lives outside the database (a 0600 file or an env var).
 */
public final class SecretBox {
  private final Aead aead;
  private final KeysetHandle handle;

  private SecretBox(KeysetHandle handle) throws GeneralSecurityException {
    this.handle = handle;
    this.aead = handle.getPrimitive(com.google.crypto.tink.RegistryConfiguration.get(), Aead.class);
  }

  /** A new random master keyset. */
  public static SecretBox generate() {
    try {
      AeadConfig.register();
      return new SecretBox(KeysetHandle.generateNew(KeyTemplates.get("AES256_GCM")));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an AES-256-GCM keyset", e);
    }
  }

  /**
   * Loads a master keyset from Tink's JSON keyset format.
   *
   * @throws IllegalArgumentException when the text is not a usable AEAD keyset
   */
  public static SecretBox fromJson(String keysetJson) {
    try {
      AeadConfig.register();
      return new SecretBox(
          TinkJsonProtoKeysetFormat.parseKeyset(keysetJson, InsecureSecretKeyAccess.get()));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException(
          "the master key is not a valid Tink AEAD keyset (JSON): " + e.getClass().getSimpleName());
    }
  }

  /** The keyset in Tink's JSON format, to be written once to a 0600 file. Contains key material. */
  public Secret toJson() {
    try {
      return Secret.of(
          TinkJsonProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot serialize keyset", e);
    }
  }

  public byte[] encrypt(byte[] plaintext, String associatedData) {
    try {
      return aead.encrypt(
          plaintext, associatedData.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("encryption failed", e);
    }
  }

  /**
   * @throws IllegalStateException when the ciphertext was not made by this keyset for this record
   *     (wrong master key, tampering, or moved between records)
   */
  public byte[] decrypt(byte[] ciphertext, String associatedData) {
    try {
      return aead.decrypt(
          ciphertext, associatedData.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "cannot decrypt '"
              + associatedData
              + "': wrong master key, or the stored value was altered");
    }
  }
}
