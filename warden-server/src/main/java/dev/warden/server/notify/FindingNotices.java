package dev.warden.server.notify;

import dev.warden.core.inventory.Finding;
import dev.warden.core.inventory.InventoryStore;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends each new posture finding once across all nodes: the first node to record it in the store
 * sends it.
 */
public final class FindingNotices {
  private static final System.Logger LOG = System.getLogger(FindingNotices.class.getName());

  private final InventoryStore inventory;
  private final WebhookNotifier webhook;
  private final Clock clock;

  public FindingNotices(InventoryStore inventory, WebhookNotifier webhook, Clock clock) {
    this.inventory = inventory;
    this.webhook = webhook;
    this.clock = clock;
  }

  /** Announces the findings no node has announced yet; never throws. */
  public void announce(List<Finding> found) {
    for (Finding f : found) {
      try {
        if (!inventory.claimNotice(f.ruleId(), f.itemId(), clock.instant())) {
          continue;
        }
      } catch (RuntimeException e) {
        LOG.log(
            System.Logger.Level.WARNING,
            "posture notice not sent (store unavailable): " + e.getMessage());
        continue;
      }
      Map<String, Object> payload = new LinkedHashMap<>();
      payload.put("ruleId", f.ruleId());
      payload.put("severity", f.severity().wire());
      payload.put("owasp", f.owasp());
      payload.put("itemId", f.itemId());
      if (f.subject() != null) {
        payload.put("subject", f.subject());
      }
      payload.put("evidence", f.evidence());
      payload.put("remediation", f.remediation());
      webhook.send(null, "posture.finding", payload);
    }
  }
}
