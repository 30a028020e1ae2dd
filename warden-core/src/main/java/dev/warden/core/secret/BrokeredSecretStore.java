package dev.warden.core.secret;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Brokered secrets: metadata per name and versions per name, values only as envelopes. Every change
 * of versions is check-and-set on the current version, so two writers never both win.
 *
 * <p>A rotation stores its new value first as the one {@link VersionState#PENDING} version (current
 * + 1), claimed by the node attempting it, and promotes it once the target accepted it (decision
 * 117). While a version is pending no other version can be added.
 */
public interface BrokeredSecretStore {

  /** The metadata and its current version, read together for a workload's read. */
  record Current(SecretMetadata metadata, SecretVersion version) {}

  /** A workload's read, recorded in batches. */
  record Read(String name, String workload, long version, Instant at) {}

  /** One workload that read a secret, and when it last did. */
  record Reader(String workload, Instant lastReadAt, long lastVersion, long reads) {}

  Optional<SecretMetadata> get(String name);

  /** The metadata and current version in one read; empty when there is no such secret. */
  Optional<Current> current(String name);

  /** Every secret, by name. */
  List<SecretMetadata> list();

  Optional<SecretVersion> version(String name, long version);

  /** The versions kept, newest first. */
  List<SecretVersion> versions(String name);

  /**
   * Creates a secret with its first version (version 1).
   *
   * @throws dev.warden.core.error.ConflictException when it exists already
   */
  void create(SecretMetadata metadata, SecretVersion first);

  /**
   * Adds {@code v} (numbered {@code expectedCurrent + 1}) and makes it current, then removes the
   * oldest versions beyond the secret's {@code maxVersions}, all in one transaction.
   *
   * @param rotatedAt the new last-rotated time
   * @throws dev.warden.core.error.ConflictException when the current version is not {@code
   *     expectedCurrent} or a rotation is pending
   * @throws dev.warden.core.error.NotFoundException when there is no such secret
   */
  void addVersion(String name, long expectedCurrent, SecretVersion v, Instant rotatedAt, String by);

  /**
   * Stores {@code v} (state {@link VersionState#PENDING}, numbered {@code expectedCurrent + 1}) as
   * the secret's pending rotation, claimed at {@code at}, without changing the current version.
   *
   * @throws dev.warden.core.error.ConflictException when the current version is not {@code
   *     expectedCurrent} or a rotation is pending already
   * @throws dev.warden.core.error.NotFoundException when there is no such secret
   */
  void addPending(String name, long expectedCurrent, SecretVersion v, Instant at);

  /**
   * Claims pending {@code version} for an attempt at {@code at}: only when no attempt holds it, or
   * the one that does claimed it before {@code staleBefore} (its node stopped).
   *
   * @return false when {@code version} is not pending or a fresh claim holds it
   */
  boolean claimPending(String name, long version, Instant staleBefore, Instant at);

  /**
   * Ends the attempt that claimed pending {@code version} at {@code claimedAt} as failed: counts
   * it, keeps {@code error} and {@code at}, and releases the claim.
   *
   * @return false when that claim no longer holds the version
   */
  boolean releasePending(String name, long version, Instant claimedAt, String error, Instant at);

  /**
   * Makes pending {@code version} current and active (check-and-set: it must still be pending and
   * follow the current version), sets the last-rotated time and removes versions beyond {@code
   * maxVersions}, in one transaction.
   *
   * @return false when {@code version} is not pending (completed or discarded elsewhere)
   */
  boolean promotePending(String name, long version, Instant at, String by);

  /**
   * Removes pending {@code version}, envelope and all, when the attempt that claimed it at {@code
   * claimedAt} still holds it.
   *
   * @return false when it is not pending or another claim holds it
   */
  boolean dropPending(String name, long version, Instant claimedAt);

  /**
   * Replaces the settings (owner, description, rotation…) and removes versions beyond a smaller
   * {@code maxVersions}.
   *
   * @return false when there is no such secret
   */
  boolean updateSettings(String name, SecretSettings settings, Instant at, String by);

  /**
   * Moves a version from {@code from} to {@code to}; to DESTROYED also erases its envelope. Pending
   * versions move only through the pending methods above.
   *
   * @return false when the version does not exist or is not in {@code from}, or either state is
   *     PENDING
   */
  boolean changeState(String name, long version, VersionState from, VersionState to, Instant at);

  /** Removes a secret and every version of it. @return false when there was none */
  boolean delete(String name);

  /** Records reads (the newest per secret becomes its last read; per workload, its reader row). */
  void recordReads(List<Read> reads);

  /** Workloads that read {@code name} since {@code since}, most recent first. */
  List<Reader> readers(String name, Instant since);

  /** Readers since {@code since} of every secret, by secret name. */
  Map<String, List<Reader>> readers(Instant since);

  /**
   * Sets the time of the rotation reminder, only if it is still {@code previous}, so that of
   * several nodes exactly one sends it.
   */
  boolean markRotationNotice(String name, Instant previous, Instant at);
}
