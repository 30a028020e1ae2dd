package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.error.ValidationException;
import dev.warden.server.config.ConfigLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** New posture findings at or above the configured severity reach the webhook, once each. */
class PostureNotificationTest {
  @TempDir Path dir;

  WebhookReceiver hook;
  List<JsonNode> received;
  ServerFixture warden;

  @BeforeEach
  void start() {
    hook = new WebhookReceiver();
    received = hook.received;
    warden =
        ServerFixture.start(
            dir, Map.of("notifications.webhookUrl", hook.url(), "notifications.findings", "high"));
  }

  @AfterEach
  void stop() {
    warden.close();
    hook.close();
  }

  @Test
  void aLeakAndASharedSecretAreAnnouncedOnceAndLowFindingsAreNot() throws Exception {
    assertThat(warden.admin("GET", "/v1/posture", null).status()).isEqualTo(200);
    String fp = "cd".repeat(32);
    ServerFixture.Response imported =
        warden.admin(
            "POST",
            "/v1/inventory:import",
            """
        {"format": "csv", "source": "csv:notify", "owner": "nobody-known@acme.test", "content":
         "name,kind,environment,fingerprint\\nPAY_KEY,api-key,prod,%s\\nPAY_KEY_COPY,api-key,prod,%s\\n"}
        """
                .formatted(fp, fp));
    assertThat(imported.status()).as("%s", imported.json()).isEqualTo(200);
    assertThat(
            warden
                .admin(
                    "POST",
                    "/v1/leaks",
                    "{\"source\": \"git@github.com:acme/app.git\", \"findings\":"
                        + " [{\"fingerprint\": \""
                        + fp
                        + "\", \"ruleId\": \"generic\", \"path\": \"pay.env\", \"line\": 2}]}")
                .status())
        .isEqualTo(200);
    for (int i = 0; i < 3; i++) {
      assertThat(warden.admin("GET", "/v1/posture", null).status()).isEqualTo(200);
    }

    RecertificationTest.await(() -> received.size() >= 3);
    Thread.sleep(500); // anything sent twice would have arrived by now
    assertThat(received)
        .allSatisfy(n -> assertThat(n.path("event").asText()).isEqualTo("posture.finding"));
    List<String> sent =
        received.stream()
            .map(n -> n.path("ruleId").asText() + " " + n.path("subject").asText())
            .toList();
    assertThat(sent)
        .hasSize(3)
        .contains("reuse.shared-fingerprint PAY_KEY", "reuse.shared-fingerprint PAY_KEY_COPY");
    // the leak lands on the first imported item with the fingerprint, whichever that is
    assertThat(sent)
        .filteredOn(x -> x.startsWith("leak.reported "))
        .singleElement()
        .asString()
        .isIn("leak.reported PAY_KEY", "leak.reported PAY_KEY_COPY");
    assertThat(received)
        .extracting(n -> n.path("severity").asText())
        .containsOnly("high", "critical");
    assertThat(received.toString())
        .doesNotContain("unknown-owner")
        .doesNotContain("missing-expiry");
  }

  @Test
  void aSecretThatAgesPastTheLimitIsAnnouncedAfterTheNextRebuild(@TempDir Path other)
      throws Exception {
    dev.warden.testkit.MutableClock clock =
        dev.warden.testkit.MutableClock.startingAt(java.time.Instant.now());
    try (ServerFixture node =
        ServerFixture.start(
            other,
            Map.of("notifications.webhookUrl", hook.url(), "notifications.findings", "high"),
            clock)) {
      String created = clock.instant().minus(java.time.Duration.ofDays(89)).toString();
      assertThat(
              node.admin(
                      "POST",
                      "/v1/inventory:import",
                      """
          {"format": "csv", "source": "csv:aging", "owner": "o@acme.test", "content":
           "name,kind,createdAt,expiresAt\\nAGING_KEY,api-key,%s,2099-01-01T00:00:00Z\\n"}
          """
                          .formatted(created))
                  .status())
          .isEqualTo(200);
      assertThat(
              node.admin("GET", "/v1/posture?rule=lifetime.long-lived-static", null)
                  .json()
                  .path("total")
                  .asInt())
          .isZero();

      clock.advance(java.time.Duration.ofDays(2));
      assertThat(node.admin("POST", "/v1/posture:rebuild", "{}").status()).isEqualTo(200);
      RecertificationTest.await(
          () -> received.stream().anyMatch(n -> n.path("subject").asText().equals("AGING_KEY")));
      assertThat(received)
          .filteredOn(n -> n.path("subject").asText().equals("AGING_KEY"))
          .singleElement()
          .satisfies(
              n -> assertThat(n.path("ruleId").asText()).isEqualTo("lifetime.long-lived-static"));
    }
  }

  @Test
  void anUnknownSeverityIsRefusedWithTheChoices() {
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of(), Map.of("notifications.findings", "loud")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("none, low, medium, high or critical");
  }
}
