package dev.warden.core.secret;

import java.time.Instant;

/**
 * A rotation that stored its new value (a {@link VersionState#PENDING} version) and has not made it
 * current yet: it is being set at the target, or that failed, or the process stopped in between
 * (decision 117).
 *
 * @param version the pending version, always the current version + 1
 * @param claimedAt when a node began its attempt to set it at the target; null while no attempt
 *     runs. A claim older than {@link BrokeredSecrets#PENDING_CLAIM} belongs to a node that
 *     stopped.
 * @param attempts attempts that failed so far
 * @param failedAt when the last attempt failed (null: none failed)
 * @param lastError what the target or Warden said then (never a value)
 */
public record PendingRotation(
    long version, Instant claimedAt, int attempts, Instant failedAt, String lastError) {
  public PendingRotation {
    if (version < 2) {
      throw new IllegalArgumentException("a pending version follows a current one");
    }
  }
}
