package dev.warden.core.audit;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Filters for reading the audit log; null fields do not filter. Pages run newest first, and {@code
 * beforeSeq} is the cursor (the seq of the last event of the previous page). Newest is by seq; with
 * a time filter ({@code from} or {@code to}) it is by event time, then seq, which is the same order
 * except for events that two nodes with skewed clocks appended side by side.
 */
public record AuditQuery(
    @Nullable Instant from,
    @Nullable Instant to,
    @Nullable String workload,
    @Nullable String resource,
    @Nullable String outcome,
    @Nullable String type,
    @Nullable String reason,
    @Nullable String actor,
    @Nullable Long beforeSeq,
    int limit) {

  public static final int MAX_LIMIT = 1000;

  public AuditQuery {
    if (limit <= 0) {
      limit = 100;
    }
    limit = Math.min(limit, MAX_LIMIT);
  }

  /** A query without the reason and actor filters. */
  public AuditQuery(
      @Nullable Instant from,
      @Nullable Instant to,
      @Nullable String workload,
      @Nullable String resource,
      @Nullable String outcome,
      @Nullable String type,
      @Nullable Long beforeSeq,
      int limit) {
    this(from, to, workload, resource, outcome, type, null, null, beforeSeq, limit);
  }
}
