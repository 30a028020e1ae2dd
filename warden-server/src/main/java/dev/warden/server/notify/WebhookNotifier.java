package dev.warden.server.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditOutcome;
import dev.warden.core.audit.AuditType;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.recert.Notifier;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Delivers notifications as JSON POSTs on a virtual thread: the caller never waits. A receiver that
 * is down or answers 5xx is retried with exponential backoff (base, 2×, 4×, …); after the last
 * attempt the failure is audited ({@code notification.failed}) and logged, never thrown.
 */
public final class WebhookNotifier implements Notifier {
  private static final System.Logger LOG = System.getLogger(WebhookNotifier.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final @Nullable String defaultUrl;
  private final Duration retryBase;
  private final int attempts;
  private final AuditWriter audit;
  private final Clock clock;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * @param defaultUrl where notifications go when the event names no receiver; null: nowhere
   */
  public WebhookNotifier(
      @Nullable String defaultUrl,
      Duration retryBase,
      int attempts,
      AuditWriter audit,
      Clock clock) {
    this.defaultUrl = defaultUrl;
    this.retryBase = retryBase;
    this.attempts = attempts;
    this.audit = audit;
    this.clock = clock;
  }

  @Override
  public void send(@Nullable String url, String event, Map<String, Object> payload) {
    String target = url != null ? url : defaultUrl;
    if (target == null) {
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>(payload);
    body.putIfAbsent("event", event);
    body.put("sentAt", clock.instant().toString());
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Thread.ofVirtual().name("warden-webhook").start(() -> deliver(target, event, bytes));
  }

  private void deliver(String url, String event, byte[] body) {
    String last = "";
    for (int i = 0; i < attempts; i++) {
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("User-Agent", dev.warden.core.WardenVersion.userAgent("webhook"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() / 100 == 2) {
          return;
        }
        last = "HTTP " + r.statusCode();
        if (r.statusCode() / 100 == 4 && r.statusCode() != 429) {
          break; // the receiver refuses this request; repeating it will not help
        }
      } catch (IOException | IllegalArgumentException e) {
        last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (i + 1 < attempts) {
        try {
          Thread.sleep(retryBase.multipliedBy(1L << i));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    LOG.log(
        System.Logger.Level.WARNING,
        "webhook " + event + " to " + url + " failed after " + attempts + " attempts: " + last);
    try {
      audit.write(
          AuditEvent.of(
              AuditType.NOTIFICATION_FAILED,
              AuditOutcome.FAILURE,
              null,
              clock.instant(),
              "system",
              null,
              null,
              Map.of("event", event, "url", url, "error", last)));
    } catch (RuntimeException ignored) {
      // the warning above is all that can be done
    }
  }
}
