package dev.warden.core.secret;

import dev.warden.core.error.ValidationException;
import dev.warden.core.model.Names;
import java.time.Duration;

/**
 * What an admin says about a brokered secret, apart from its value.
 *
 * @param owner who answers for it (reminded when rotation is due); required
 * @param rotationInterval how often it should change; null: no schedule
 * @param maxVersions how many versions are kept; the oldest are removed beyond it
 * @param rotation how Warden rotates it itself; null: the owner rotates it by writing a new version
 */
public record SecretSettings(
    String owner,
    String description,
    Duration rotationInterval,
    int maxVersions,
    RotationSpec rotation) {
  public static final int DEFAULT_MAX_VERSIONS = 10;
  public static final int MAX_MAX_VERSIONS = 100;
  static final Duration MIN_ROTATION_INTERVAL = Duration.ofHours(1);

  public SecretSettings {
    Names.required("owner", owner);
    if (owner.length() > 256) {
      throw new ValidationException("owner", "must be at most 256 characters");
    }
    if (description != null && description.length() > 1024) {
      throw new ValidationException("description", "must be at most 1024 characters");
    }
    if (rotationInterval != null && rotationInterval.compareTo(MIN_ROTATION_INTERVAL) < 0) {
      throw new ValidationException(
          "rotationInterval", "must be at least 1h (or left out for no schedule)");
    }
    if (maxVersions < 1 || maxVersions > MAX_MAX_VERSIONS) {
      throw new ValidationException(
          "maxVersions",
          "must be a whole number from 1 to "
              + MAX_MAX_VERSIONS
              + " (default "
              + DEFAULT_MAX_VERSIONS
              + ")");
    }
  }
}
