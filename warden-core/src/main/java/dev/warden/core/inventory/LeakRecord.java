package dev.warden.core.inventory;

import java.time.Instant;

/**
 * A Warden-issued credential reported leaked through {@code /v1/leaks}, from its
 * {@code lease.revoked}/{@code leaked} audit event. Only the fingerprint, never the value.
 */
public record LeakRecord(String leaseId, String workload, String resource, String fingerprint, Instant reportedAt,
    String source, String path) {}
