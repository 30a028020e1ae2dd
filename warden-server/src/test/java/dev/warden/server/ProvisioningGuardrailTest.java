package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provisioning guardrail and posture thresholds as server configuration, over HTTP. */
class ProvisioningGuardrailTest {
  @TempDir Path dir;

  static String workload(String id, String expiresAt) {
    return "{\"documents\":[{\"kind\":\"Workload\",\"spec\":{\"spiffeId\":\""
        + id
        + "\",\"selectors\":[\"k8s:ns=a\"],"
        + "\"owner\":\"team@example.org\""
        + (expiresAt == null ? "" : ",\"expiresAt\":\"" + expiresAt + "\"")
        + "}}]}";
  }

  @Test
  void aWorkloadWithoutExpiryOrWithTooLongALifeIsRefusedWithWhatIsMissing() {
    try (ServerFixture f =
        ServerFixture.start(
            dir, Map.of("workloads.requireExpiry", "true", "workloads.maxLifetime", "90d"))) {
      ServerFixture.Response none =
          f.admin("POST", "/v1/apply", workload("spiffe://warden.local/a", null));
      assertThat(none.status()).isEqualTo(400);
      assertThat(none.json().get("field").asText()).isEqualTo("spec.expiresAt");
      assertThat(none.json().get("message").asText())
          .contains("is required")
          .contains("workloads.requireExpiry");

      String far =
          Instant.now().plus(200, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
      ServerFixture.Response tooFar =
          f.admin("POST", "/v1/apply", workload("spiffe://warden.local/a", far));
      assertThat(tooFar.status()).isEqualTo(400);
      assertThat(tooFar.json().get("message").asText()).contains("workloads.maxLifetime");

      String ok =
          Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
      assertThat(f.admin("POST", "/v1/apply", workload("spiffe://warden.local/a", ok)).status())
          .isEqualTo(200);
      // the owner may still suspend it without touching the expiry
      String suspend =
          workload("spiffe://warden.local/a", ok)
              .replace("\"owner\"", "\"state\":\"suspended\",\"owner\"");
      assertThat(f.admin("POST", "/v1/apply", suspend).status()).isEqualTo(200);
    }
  }

  @Test
  void withoutTheGuardrailWorkloadsMayOmitTheirExpiry() {
    try (ServerFixture f = ServerFixture.start(dir)) {
      assertThat(f.admin("POST", "/v1/apply", workload("spiffe://warden.local/b", null)).status())
          .isEqualTo(200);
    }
  }

  @Test
  void postureThresholdsComeFromConfiguration() {
    try (ServerFixture f =
        ServerFixture.start(
            dir, Map.of("posture.stale", "7d", "posture.workstationCidrs", "10.20.0.0/16"))) {
      JsonNode r = f.admin("GET", "/v1/posture", null).json();
      assertThat(r.get("thresholds").toString()).contains("10.20.0.0/16");
    }
  }
}
