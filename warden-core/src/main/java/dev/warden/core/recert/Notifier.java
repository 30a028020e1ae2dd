package dev.warden.core.recert;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Sends a notification somewhere (a webhook). Implementations must never block the caller and must
 * retry on their own: an unreachable receiver may delay a reminder, never a decision.
 */
public interface Notifier {
  /**
   * @param url the receiver, or null for the configured default (nothing is sent when there is
   *     none)
   */
  void send(@Nullable String url, String event, Map<String, Object> payload);
}
