package dev.warden.core.secret;

import dev.warden.core.crypto.Secret;

/**
 * Rotates a brokered secret at its target in two steps, so that Warden stores a new value before
 * the target knows it (decision 117): {@link #generate} makes the value, {@link BrokeredSecrets}
 * stores it as a pending version, then {@link #apply} sets it at the target. Applying the same
 * value again must be harmless: after a crash Warden applies a pending value a second time.
 */
public interface RotationConnector {

  /** The name a secret's {@code rotation.connector} uses, e.g. {@code postgres}. */
  String name();

  /**
   * Checks a rotation spec when it is set, so a spec that can never work is refused up front.
   *
   * @throws dev.warden.core.error.ValidationException naming the field that is wrong, with what to
   *     do
   */
  void check(RotationSpec spec);

  /**
   * A new random value for the target, without touching it.
   *
   * @throws dev.warden.core.error.ValidationException when the spec no longer fits (its resource
   *     was removed)
   */
  Secret generate(RotationSpec spec);

  /**
   * Sets {@code value} at the target, so that it accepts only that value afterwards. Idempotent:
   * setting the value it already holds changes nothing that matters.
   *
   * @throws dev.warden.core.error.TargetException when the target cannot be reached or refuses;
   *     {@link dev.warden.core.error.TargetException#maybeChanged()} says whether it may hold the
   *     value
   * @throws dev.warden.core.error.ValidationException when the spec no longer fits (its resource or
   *     account was removed); nothing was changed
   */
  void apply(RotationSpec spec, Secret value);
}
