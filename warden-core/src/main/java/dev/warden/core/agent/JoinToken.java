package dev.warden.core.agent;

import dev.warden.core.model.Selector;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A single-use bootstrap credential for one agent, stored only as the SHA-256 of its secret.
 *
 * @param selectors node selectors the agent gets when it attests with this token, in addition to
 *     {@code warden:join=<id>}
 */
public record JoinToken(
    String id,
    byte[] secretHash,
    Set<Selector> selectors,
    Instant createdAt,
    Instant expiresAt,
    Instant usedAt,
    String createdBy) {
  public JoinToken {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(secretHash, "secretHash");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    selectors = selectors == null ? Set.of() : Set.copyOf(selectors);
  }
}
