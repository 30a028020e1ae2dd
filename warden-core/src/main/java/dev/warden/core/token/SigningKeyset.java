package dev.warden.core.token;

import dev.warden.core.crypto.SecretBox;
import dev.warden.core.keys.KeyPurpose;
import dev.warden.core.keys.KeyState;
import dev.warden.core.keys.SigningKeyRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One immutable view of the signing keys of one {@link KeyPurpose}: the active key that signs, and
 * the JWKS that publishes every prepared, active and retired key of that purpose (never a key of
 * another). Rebuilt as a whole and swapped behind one reference when keys change, so no reader sees
 * half a rotation.
 */
public final class SigningKeyset {
  private final KeyPurpose purpose;
  private final @Nullable KeyMaterial active;
  private final List<SigningKeyRecord> records;
  private final String jwksJson;

  private SigningKeyset(
      KeyPurpose purpose,
      @Nullable KeyMaterial active,
      List<SigningKeyRecord> records,
      String jwksJson) {
    this.purpose = purpose;
    this.active = active;
    this.records = records;
    this.jwksJson = jwksJson;
  }

  /**
   * Builds the view of the keys of {@code purpose} among {@code keys}, decrypting only the active
   * one.
   *
   * @throws IllegalStateException when the active key cannot be decrypted with this master key (or
   *     its purpose was changed after it was stored)
   */
  public static SigningKeyset load(KeyPurpose purpose, List<SigningKeyRecord> keys, SecretBox box) {
    KeyMaterial active = null;
    StringBuilder jwks = new StringBuilder("{\"keys\":[");
    boolean first = true;
    List<SigningKeyRecord> sorted = new ArrayList<>();
    for (SigningKeyRecord r : keys) {
      if (r.purpose() == purpose) {
        sorted.add(r);
      }
    }
    sorted.sort((a, b) -> a.createdAt().compareTo(b.createdAt()));
    for (SigningKeyRecord r : sorted) {
      if (r.state() == KeyState.DESTROYED && !purpose.publishedAfterDestroy()) {
        continue;
      }
      if (!first) {
        jwks.append(',');
      }
      jwks.append(r.publicJwk());
      first = false;
      if (r.state() == KeyState.ACTIVE) {
        if (active != null && r.activatedAt() != null) {
          // two ACTIVE keys can only be seen mid-rotation on another node: the newest one signs
          SigningKeyRecord prev = findRecord(sorted, active.kid());
          if (prev != null
              && prev.activatedAt() != null
              && prev.activatedAt().isAfter(r.activatedAt())) {
            continue;
          }
        }
        byte[] pkcs8 =
            box.decrypt(
                Objects.requireNonNull(
                    r.encryptedPrivateKey(), "an active key keeps its private key"),
                purpose.associatedData(r.kid()));
        active = KeyMaterial.fromPkcs8(SigningAlgorithm.parse("algorithm", r.algorithm()), pkcs8);
      }
    }
    jwks.append("]}");
    return new SigningKeyset(purpose, active, List.copyOf(sorted), jwks.toString());
  }

  private static @Nullable SigningKeyRecord findRecord(List<SigningKeyRecord> rs, String kid) {
    for (SigningKeyRecord r : rs) {
      if (r.kid().equals(kid)) {
        return r;
      }
    }
    return null;
  }

  /**
   * The key that signs now.
   *
   * @throws IllegalStateException when there is none (start-up creates one, so this is a bug or a
   *     wiped key table)
   */
  public KeyMaterial active() {
    if (active == null) {
      throw new IllegalStateException(
          "no active "
              + purpose.wire()
              + " signing key; run 'warden keys rotate --now"
              + (purpose == KeyPurpose.ACCESS_TOKEN ? "" : " --purpose " + purpose.wire())
              + "'");
    }
    return active;
  }

  /** What these keys sign. */
  public KeyPurpose purpose() {
    return purpose;
  }

  public boolean hasActive() {
    return active != null;
  }

  /** The JWK set document of every published key of this purpose. */
  public String jwksJson() {
    return jwksJson;
  }

  public List<SigningKeyRecord> records() {
    return records;
  }
}
