package dev.warden.core.secret;

import dev.warden.core.crypto.Secret;

/**
 * Rotates a brokered secret at its target: makes a new value and sets it there, so that the
 * target accepts only the new value afterwards. Warden stores the new value as the next version
 * only once the target accepted it (see {@link BrokeredSecrets#rotate}).
 */
public interface RotationConnector {

  /** The name a secret's {@code rotation.connector} uses, e.g. {@code postgres}. */
  String name();

  /**
   * Checks a rotation spec when it is set, so a spec that can never work is refused up front.
   *
   * @throws dev.warden.core.error.ValidationException naming the field that is wrong, with what to do
   */
  void check(RotationSpec spec);

  /**
   * Generates a new value and sets it at the target.
   *
   * @return the value the target now accepts
   * @throws dev.warden.core.error.TargetException when the target cannot be reached or refuses;
   *     {@link dev.warden.core.error.TargetException#maybeChanged()} says whether it may hold the new value
   * @throws dev.warden.core.error.ValidationException when the spec no longer fits (its resource was removed)
   */
  Secret rotate(SecretMetadata secret, RotationSpec spec);
}
