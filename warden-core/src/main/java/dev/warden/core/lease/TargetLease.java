package dev.warden.core.lease;

import dev.warden.core.model.Lease;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A lease of a credential that lives at its target, with its lifecycle.
 *
 * @param target where the credential lives, as recorded with the intent (a database target's JSON),
 *     so that it can be removed there even after the resource changed or was deleted
 * @param removalDue when the next removal attempt is due (REVOKING, IRREVOCABLE), else null
 * @param removalError why the last removal attempt failed, never a secret
 * @param removedAt when the target confirmed it gone (or that it never existed)
 */
public record TargetLease(
    Lease lease,
    LeaseState state,
    String target,
    int removalAttempts,
    @Nullable Instant removalDue,
    @Nullable String removalError,
    @Nullable Instant removedAt) {
  public TargetLease {
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(target, "target");
  }

  public String id() {
    return lease.id();
  }
}
