package dev.warden.core.recert;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** One workload in a campaign and what its owner decided. */
public record CampaignItem(
    String campaignId,
    String workload,
    String owner,
    Decision decision,
    @Nullable Instant decidedAt,
    @Nullable String decidedBy,
    @Nullable String note) {
  public CampaignItem {
    Objects.requireNonNull(campaignId, "campaignId");
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(decision, "decision");
  }

  /** What happened to the item. */
  public enum Decision {
    PENDING,
    CONFIRMED,
    RETIRED,
    SUSPENDED_OVERDUE;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
