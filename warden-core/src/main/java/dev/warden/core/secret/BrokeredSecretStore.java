package dev.warden.core.secret;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Brokered secrets: metadata per name and versions per name, values only as envelopes. Every
 * change of versions is check-and-set on the current version, so two writers never both win.
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
   * @throws dev.warden.core.error.ConflictException when the current version is not {@code expectedCurrent}
   * @throws dev.warden.core.error.NotFoundException when there is no such secret
   */
  void addVersion(String name, long expectedCurrent, SecretVersion v, Instant rotatedAt, String by);

  /**
   * Replaces the settings (owner, description, rotation…) and removes versions beyond a smaller
   * {@code maxVersions}.
   *
   * @return false when there is no such secret
   */
  boolean updateSettings(String name, SecretSettings settings, Instant at, String by);

  /**
   * Moves a version from {@code from} to {@code to}; to DESTROYED also erases its envelope.
   *
   * @return false when the version does not exist or is not in {@code from}
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
   * Sets the time of the rotation reminder, only if it is still {@code previous}, so that of several
   * nodes exactly one sends it.
   */
  boolean markRotationNotice(String name, Instant previous, Instant at);
}
