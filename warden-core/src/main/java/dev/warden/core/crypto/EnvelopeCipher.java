package dev.warden.core.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeyTemplates;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * Envelope encryption under the master key: every {@link #seal} makes a fresh data key (a Tink
 * AES-256-GCM keyset), encrypts the plaintext with it, and wraps the data key with the master
 * {@link SecretBox}. Both layers take the same associated data, so neither the wrapped key nor the
 * ciphertext can be moved to another record; re-keying the master key rewraps data keys without
 * touching ciphertexts, and a data key never encrypts more than one value.
 */
public final class EnvelopeCipher {
  /**
   * A sealed value: the wrapped data key and the ciphertext it made. Both are needed to open it.
   */
  public record Envelope(byte[] wrappedKey, byte[] ciphertext) {
    public Envelope {
      wrappedKey = wrappedKey.clone();
      ciphertext = ciphertext.clone();
    }

    @Override
    public byte[] wrappedKey() {
      return wrappedKey.clone();
    }

    @Override
    public byte[] ciphertext() {
      return ciphertext.clone();
    }
  }

  private static final String KEY_AD_PREFIX = "data-key|";

  private final SecretBox master;

  public EnvelopeCipher(SecretBox master) {
    this.master = master;
    try {
      AeadConfig.register();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot register Tink AEAD", e);
    }
  }

  /** Seals {@code plaintext} under a new data key, bound to {@code associatedData}. */
  public Envelope seal(byte[] plaintext, String associatedData) {
    try {
      KeysetHandle dataKey = KeysetHandle.generateNew(KeyTemplates.get("AES256_GCM"));
      byte[] ciphertext =
          dataKey
              .getPrimitive(RegistryConfiguration.get(), Aead.class)
              .encrypt(plaintext, ad(associatedData));
      byte[] keyBytes =
          TinkProtoKeysetFormat.serializeKeyset(dataKey, InsecureSecretKeyAccess.get());
      return new Envelope(master.encrypt(keyBytes, KEY_AD_PREFIX + associatedData), ciphertext);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("envelope encryption failed", e);
    }
  }

  /**
   * Opens an envelope sealed for {@code associatedData}.
   *
   * @throws IllegalStateException when either layer was not made for this record (moved between
   *     records or versions, altered, or sealed under another master key); the message names the
   *     record, never a value
   */
  public byte[] open(Envelope e, String associatedData) {
    return unwrap(e, associatedData).open(e);
  }

  /**
   * The data key of an envelope, unwrapped for {@code associatedData}, to open that record again
   * without unwrapping and parsing the key each time (a brokered secret's reads).
   *
   * @throws IllegalStateException when the wrapped key was not made for this record
   */
  public DataKey unwrap(Envelope e, String associatedData) {
    byte[] keyBytes = master.decrypt(e.wrappedKey, KEY_AD_PREFIX + associatedData);
    try {
      KeysetHandle dataKey =
          TinkProtoKeysetFormat.parseKeyset(keyBytes, InsecureSecretKeyAccess.get());
      return new DataKey(
          dataKey.getPrimitive(RegistryConfiguration.get(), Aead.class),
          e.wrappedKey.clone(),
          associatedData);
    } catch (GeneralSecurityException ex) {
      throw new IllegalStateException(
          "cannot decrypt '"
              + associatedData
              + "': the ciphertext does not belong to this data key, or it was altered");
    } finally {
      java.util.Arrays.fill(keyBytes, (byte) 0);
    }
  }

  /**
   * An unwrapped data key, bound to the record (associated data) and the wrapped key it came from.
   */
  public static final class DataKey {
    private final Aead aead;
    private final byte[] wrappedKey;
    private final String associatedData;

    private DataKey(Aead aead, byte[] wrappedKey, String associatedData) {
      this.aead = aead;
      this.wrappedKey = wrappedKey;
      this.associatedData = associatedData;
    }

    /**
     * True when {@code e} is of this record and carries this very wrapped key (not a rewrapped or
     * replaced one).
     */
    public boolean opens(Envelope e, String associatedData) {
      return this.associatedData.equals(associatedData)
          && java.security.MessageDigest.isEqual(wrappedKey, e.wrappedKey);
    }

    /**
     * Decrypts the envelope's ciphertext, checked against the record's associated data.
     *
     * @throws IllegalStateException when the ciphertext is not this key's for this record
     */
    public byte[] open(Envelope e) {
      try {
        return aead.decrypt(e.ciphertext, ad(associatedData));
      } catch (GeneralSecurityException ex) {
        throw new IllegalStateException(
            "cannot decrypt '"
                + associatedData
                + "': the ciphertext does not belong to this data key, or it was altered");
      }
    }
  }

  private static byte[] ad(String associatedData) {
    return associatedData.getBytes(StandardCharsets.UTF_8);
  }
}
