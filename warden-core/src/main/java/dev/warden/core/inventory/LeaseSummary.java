package dev.warden.core.inventory;

import java.time.Duration;
import java.time.Instant;

/**
 * The credentials Warden issued to one workload for one resource, aggregated from leases.
 *
 * @param active how many are neither revoked nor expired at the time of the query
 * @param lastExpiry the latest expiry of any of them
 */
public record LeaseSummary(
    String workload,
    String resource,
    long count,
    long active,
    Instant firstIssued,
    Instant lastIssued,
    Duration longestTtl,
    Instant lastExpiry) {}
