package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.crypto.Secret;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leaks of secrets Warden did not issue reach the inventory and posture, matched to imported
 * credentials.
 */
class ForeignLeakTest {
  @TempDir Path dir;

  @Test
  void aLeakedSecretThatWasImportedIsFlaggedOnThatCredentialAndAnUnknownOneBecomesAnItem() {
    try (ServerFixture f = ServerFixture.start(dir)) {
      String value = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
      assertThat(
              f.admin(
                      "POST",
                      "/v1/inventory:import",
                      "{\"format\": \"env\", \"content\": \"STRIPE_KEY="
                          + value
                          + "\", \"source\": \"payments/.env\","
                          + " \"owner\": \"payments@example.org\"}")
                  .status())
          .isEqualTo(200);
      JsonNode keyDoc = f.admin("GET", "/v1/scan/fingerprint-key", null).json();
      Fingerprinter fingerprinter =
          new Fingerprinter(Base64.getUrlDecoder().decode(keyDoc.path("key").asText()));
      String known = fingerprinter.fingerprint(Secret.of(value));
      String unknown =
          fingerprinter.fingerprint(Secret.of("ghp_notImportedAnywhere0000000000000000"));
      ServerFixture.Response report =
          f.admin(
              "POST",
              "/v1/leaks",
              """
          {"source": "git@github.com:acme/app.git", "findings": [
            {"fingerprint": "%s", "ruleId": "stripe", "path": "src/pay.js", "line": 3},
            {"fingerprint": "%s", "ruleId": "github-pat", "path": "ci/deploy.sh", "line": 9}]}"""
                  .formatted(known, unknown));
      assertThat(report.status()).isEqualTo(200);
      assertThat(report.json().path("unmatched").asInt()).isEqualTo(2);

      JsonNode findings =
          f.admin("GET", "/v1/posture?rule=leak.reported", null).json().path("findings");
      assertThat(findings).hasSize(2);
      assertThat(findings.toString())
          .contains("STRIPE_KEY")
          .contains("the imported credential")
          .contains("ci/deploy.sh")
          .doesNotContain(value);
      JsonNode items =
          f.admin("GET", "/v1/inventory?kind=leaked-secret", null).json().path("items");
      assertThat(items).hasSize(2);
      assertThat(items.toString()).contains("payments@example.org");
      JsonNode audit = f.admin("GET", "/v1/audit?type=secret.leaked", null).json().path("events");
      assertThat(audit).hasSize(2);
    }
  }
}
