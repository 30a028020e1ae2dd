package dev.warden.core.recert;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Recertification campaigns and their items. */
public interface RecertStore {

  /** Creates a campaign with all its items, atomically. */
  void create(Campaign campaign, List<CampaignItem> items);

  List<Campaign> campaigns();

  Optional<Campaign> campaign(String id);

  List<CampaignItem> items(String campaignId);

  /**
   * Records a decision if the item is still pending (compare-and-set: an owner's decision and the
   * overdue suspension cannot both win).
   *
   * @return true if recorded
   */
  boolean decide(
      String campaignId,
      String workload,
      CampaignItem.Decision decision,
      Instant at,
      String by,
      @Nullable String note);

  void markReminded(String campaignId, Instant at);

  void close(String campaignId, Instant at);
}
