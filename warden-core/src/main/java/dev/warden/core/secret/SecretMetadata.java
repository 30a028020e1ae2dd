package dev.warden.core.secret;

import java.time.Instant;

/**
 * A brokered secret as the store holds it, without any value.
 *
 * @param currentVersion the version a workload reads; 0 never happens for a stored secret
 * @param lastRotatedAt when the current value was set (written or rotated)
 * @param lastReadAt when a workload last read it (null: never), flushed from reads every few
 *     seconds
 * @param lastReadBy the workload (SPIFFE ID) of that read
 * @param rotationNoticeAt when the owner was last reminded that rotation is due (null: never)
 * @param pending the rotation whose new value is stored but not yet current (null: none)
 */
public record SecretMetadata(
    String name,
    SecretSettings settings,
    long currentVersion,
    Instant createdAt,
    String createdBy,
    Instant updatedAt,
    String updatedBy,
    Instant lastRotatedAt,
    Instant lastReadAt,
    String lastReadBy,
    Instant rotationNoticeAt,
    PendingRotation pending) {

  /** When rotation is due, or null when the secret has no rotation interval. */
  public Instant rotationDueAt() {
    return settings.rotationInterval() == null
        ? null
        : lastRotatedAt.plus(settings.rotationInterval());
  }
}
