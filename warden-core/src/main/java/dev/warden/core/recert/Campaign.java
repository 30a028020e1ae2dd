package dev.warden.core.recert;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A recertification campaign: every active workload in {@code scope} must be confirmed or retired
 * by its owner before {@code dueAt}; what is still pending then is suspended.
 *
 * @param scope workload attributes that select the campaign's workloads ({@code team}, {@code
 *     owner}, {@code environment}); empty means every active workload
 * @param webhookUrl where reminders go (null: the server's {@code notifications.webhookUrl}, if
 *     any)
 */
public record Campaign(
    String id,
    Map<String, String> scope,
    Instant createdAt,
    Instant dueAt,
    String createdBy,
    @Nullable String webhookUrl,
    @Nullable Instant lastReminderAt,
    @Nullable Instant closedAt) {
  public Campaign {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(dueAt, "dueAt");
    scope = Map.copyOf(scope);
  }

  public boolean open() {
    return closedAt == null;
  }
}
