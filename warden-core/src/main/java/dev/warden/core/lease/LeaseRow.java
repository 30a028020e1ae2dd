package dev.warden.core.lease;

import dev.warden.core.model.Lease;

/**
 * One lease as a list shows it: the lease, its stored lifecycle state, and for a credential that
 * lives at a target (a database user) how its removal went.
 *
 * @param atTarget true when the credential exists at a target, not only as Warden's own token
 * @param removalError why the last removal at the target failed, or null
 */
public record LeaseRow(
    Lease lease, LeaseState state, boolean atTarget, int removalAttempts, String removalError) {}
