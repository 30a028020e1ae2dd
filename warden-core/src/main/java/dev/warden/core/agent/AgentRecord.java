package dev.warden.core.agent;

import dev.warden.core.model.Selector;
import dev.warden.core.model.SpiffeId;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * An attested agent: its identity, what node attestation proved about it, and the hash of its
 * current session secret (rotated at every renewal, valid no longer than its SVID).
 *
 * @param attestation how it attested: {@code join_token} or {@code trust_provider:<name>}
 */
public record AgentRecord(
    SpiffeId id,
    Set<Selector> nodeSelectors,
    String attestation,
    byte[] sessionHash,
    Instant sessionExpiresAt,
    Instant attestedAt,
    Instant renewedAt,
    Instant bannedAt) {
  public AgentRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(attestation, "attestation");
    Objects.requireNonNull(sessionHash, "sessionHash");
    Objects.requireNonNull(sessionExpiresAt, "sessionExpiresAt");
    Objects.requireNonNull(attestedAt, "attestedAt");
    nodeSelectors = Set.copyOf(nodeSelectors);
  }

  public AgentRecord withSession(byte[] hash, Instant expiresAt, Instant renewed) {
    return new AgentRecord(
        id, nodeSelectors, attestation, hash, expiresAt, attestedAt, renewed, bannedAt);
  }
}
