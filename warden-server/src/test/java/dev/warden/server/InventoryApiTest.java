package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.testkit.TestOidcIssuer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Inventory, import, posture, blast radius, maturity and offboarding through the HTTP API. */
class InventoryApiTest {
  static final String AUD = "https://ledger.acme.test";
  static final String RELEASE = "spiffe://acme.test/ci/release";
  static final String SECRET_VALUE = "sk_live_9f8e7d6c5b4a39281706InventoryTest";

  @TempDir static Path dir;

  static TestOidcIssuer gh;
  static ServerFixture warden;

  @BeforeAll
  static void start() {
    gh = TestOidcIssuer.builder().audience("https://warden.acme.test").start();
    warden = ServerFixture.start(dir);
    warden.apply(
        """
        kind: TrustProvider
        metadata: {name: github}
        spec: {type: github-actions, issuer: %s, audiences: [https://warden.acme.test], algorithms: [RS256]}
        ---
        kind: Resource
        metadata: {name: ledger}
        spec: {audience: %s, sensitivity: critical}
        ---
        kind: Resource
        metadata: {name: cache}
        spec: {audience: https://cache.acme.test, sensitivity: low}
        ---
        kind: Workload
        spec: {spiffeId: %s, selectors: ["github:repository=acme/release"], owner: rel@acme.test, environment: prod}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/ci/docs, selectors: ["github:repository=acme/docs"], owner: leaver@acme.test}
        ---
        kind: AccessPolicy
        metadata: {name: release-to-ledger}
        spec: {workloads: {spiffeIds: [%s]}, resources: [ledger, cache]}
        ---
        kind: AccessPolicy
        metadata: {name: ci-cache}
        spec: {workloads: {spiffeIds: [spiffe://acme.test/ci/*]}, resources: [cache]}
        """
            .formatted(gh.issuer(), AUD, RELEASE, RELEASE));
  }

  @AfterAll
  static void stop() {
    warden.close();
    gh.close();
  }

  static String grant(String repo) {
    ServerFixture.Response r =
        warden.token(
            Map.of(
                "grant_type",
                "client_credentials",
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion",
                gh.githubActionsToken(repo, "refs/heads/main"),
                "resource",
                AUD));
    assertThat(r.status()).as("grant %s", r.json()).isEqualTo(200);
    return r.json().path("access_token").asText();
  }

  static ServerFixture.Response importText(
      String format, String content, Map<String, Object> extra) {
    ObjectNode b = ServerFixture.JSON.createObjectNode();
    b.put("format", format);
    b.put("content", content);
    extra.forEach((k, v) -> b.set(k, ServerFixture.JSON.valueToTree(v)));
    return warden.admin("POST", "/v1/inventory:import", b.toString());
  }

  static JsonNode items(String query) {
    ServerFixture.Response r = warden.admin("GET", "/v1/inventory" + query, null);
    assertThat(r.status()).as("%s", r.json()).isEqualTo(200);
    return r.json().path("items");
  }

  static JsonNode find(JsonNode items, String id) {
    for (JsonNode i : items) {
      if (i.path("id").asText().equals(id)) {
        return i;
      }
    }
    return null;
  }

  @Test
  void inventoryListsWorkloadsIssuedCredentialsAndAdminTokens() {
    grant("acme/release");
    JsonNode all = items("?limit=1000");

    JsonNode w = find(all, "workload:" + RELEASE);
    assertThat(w).isNotNull();
    assertThat(w.path("credentialType").asText()).isEqualTo("attested-identity");
    assertThat(w.path("owner").asText()).isEqualTo("rel@acme.test");
    assertThat(w.path("lastUsed").asText()).isNotEmpty();
    assertThat(w.path("created").asText()).isNotEmpty();
    assertThat(w.path("privileges"))
        .extracting(JsonNode::asText)
        .containsExactlyInAnyOrder("ledger", "cache");
    JsonNode c = find(all, "credential:" + RELEASE + "|ledger");
    assertThat(c).isNotNull();
    assertThat(c.path("credentialType").asText()).isEqualTo("short-lived");
    assertThat(c.path("attributes").path("count").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(all.findValuesAsText("kind")).contains("admin-token");

    assertThat(items("?credentialType=short-lived").findValuesAsText("kind"))
        .containsAnyOf("issued-credential")
        .isSubsetOf("issued-credential", "leaked-credential");
    assertThat(items("?owner=rel@acme.test&kind=workload&environment=prod")).hasSize(1);
  }

  @Test
  void inventoryPagesWithACursor() {
    JsonNode first = warden.admin("GET", "/v1/inventory?limit=1", null).json();
    assertThat(first.path("items")).hasSize(1);
    String next = first.path("next").asText();
    JsonNode second =
        warden
            .admin(
                "GET",
                "/v1/inventory?limit=1&cursor=" + URLEncoder.encode(next, StandardCharsets.UTF_8),
                null)
            .json();
    assertThat(second.path("items").path(0).path("id").asText()).isGreaterThan(next);
  }

  @Test
  void envImportKeepsNamesOnlyAndTheValueIsNeverStoredPrintedOrAudited() throws Exception {
    ServerFixture.Response r =
        importText(
            "env",
            "STRIPE_KEY=" + SECRET_VALUE + "\nSTRIPE_KEY_COPY=" + SECRET_VALUE + "\n",
            Map.of("source", "env:billing/.env", "owner", "rel@acme.test", "environment", "prod"));
    assertThat(r.status()).as("%s", r.json()).isEqualTo(200);
    assertThat(r.json().path("created").asInt()).isEqualTo(2);

    String everything =
        warden.admin("GET", "/v1/inventory?limit=1000", null).json().toString()
            + warden.admin("GET", "/v1/posture", null).json()
            + warden.admin("GET", "/v1/audit?limit=1000", null).json()
            + r.json();
    assertThat(everything)
        .contains("STRIPE_KEY")
        .doesNotContain(SECRET_VALUE)
        .doesNotContain("sk_live_9f8e");
    assertThat(bytesOfDataDir())
        .as("the database files")
        .doesNotContain(SECRET_VALUE)
        .contains("STRIPE_KEY_COPY");
    // the fingerprint is kept, so the copy is recognised as the same secret (NHI9)
    JsonNode reuse =
        warden
            .admin("GET", "/v1/posture?rule=reuse.shared-fingerprint", null)
            .json()
            .path("findings");
    assertThat(reuse.findValuesAsText("subject")).contains("STRIPE_KEY", "STRIPE_KEY_COPY");
  }

  @Test
  void gitlabVariablesImportRecognisesASecretAlsoInADotEnvFileWithoutKeepingIt() {
    String value = "glpat-CiVariablesImportTest0000";
    assertThat(
            importText(
                    "env",
                    "GITLAB_TOKEN=" + value + "\n",
                    Map.of("source", "env:tools/.env", "owner", "rel@acme.test"))
                .status())
        .isEqualTo(200);
    ServerFixture.Response r =
        importText(
            "ci-variables",
            """
        [{"variable_type": "env_var", "key": "GL_API_TOKEN", "value": "%s", "masked": true,
          "environment_scope": "production"},
         {"variable_type": "env_var", "key": "LOG_LEVEL", "value": "info", "masked": false}]
        """
                .formatted(value),
            Map.of("source", "gitlab:acme/tools", "owner", "rel@acme.test"));
    assertThat(r.status()).as("%s", r.json()).isEqualTo(200);
    assertThat(r.json().path("created").asInt()).isEqualTo(1);
    assertThat(r.json().path("skipped").asInt()).isEqualTo(1);
    JsonNode reuse =
        warden
            .admin("GET", "/v1/posture?rule=reuse.shared-fingerprint", null)
            .json()
            .path("findings");
    assertThat(reuse.findValuesAsText("subject")).contains("GL_API_TOKEN", "GITLAB_TOKEN");
    assertThat(items("?kind=ci-secret").toString()).contains("GL_API_TOKEN").doesNotContain(value);
    assertThat(bytesOfDataDir()).doesNotContain(value);
  }

  static String bytesOfDataDir() {
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        sb.append(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sb.toString();
  }

  @Test
  void malformedCsvRowImportsNothingUnlessPartial() {
    String csv = "name,kind,owner\nGOOD_KEY,api-key,ghost@acme.test\n\"BROKEN,api-key\n";
    ServerFixture.Response r = importText("csv", csv, Map.of("source", "csv:keys"));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.json().path("errors").path(0).path("line").asInt()).isEqualTo(3);
    assertThat(items("?kind=api-key")).isEmpty();

    ServerFixture.Response partial =
        importText("csv", csv, Map.of("source", "csv:keys", "partial", true));
    assertThat(partial.status()).isEqualTo(200);
    assertThat(items("?kind=api-key").findValuesAsText("name")).containsExactly("GOOD_KEY");
    // the owner is unknown to Warden: accepted, and flagged
    JsonNode unknown =
        warden
            .admin("GET", "/v1/posture?rule=ownership.unknown-owner", null)
            .json()
            .path("findings");
    assertThat(unknown.findValuesAsText("subject")).contains("GOOD_KEY");
    // importing again merges and reports unchanged
    ServerFixture.Response again =
        importText(
            "csv",
            "name,kind,owner\nGOOD_KEY,api-key,ghost@acme.test\n",
            Map.of("source", "csv:keys"));
    assertThat(again.json().path("unchanged").asInt()).isEqualTo(1);
  }

  @Test
  void githubWorkflowImportFindsSecretsAndOidc() {
    String wf =
        """
        name: deploy
        on: push
        permissions:
          id-token: write
          contents: read
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - run: ./deploy.sh
                env:
                  AWS_KEY: ${{ secrets.AWS_ACCESS_KEY_ID }}
        """;
    ServerFixture.Response r =
        importText(
            "github-workflow",
            wf,
            Map.of(
                "source",
                "github:acme/api",
                "location",
                ".github/workflows/deploy.yml",
                "owner",
                "rel@acme.test"));
    assertThat(r.status()).as("%s", r.json()).isEqualTo(200);
    JsonNode flows = items("?kind=github-workflow");
    assertThat(flows.path(0).path("attributes").path("oidc").asText()).isEqualTo("true");
    assertThat(items("?kind=ci-secret").findValuesAsText("name")).contains("AWS_ACCESS_KEY_ID");
    JsonNode f =
        warden.admin("GET", "/v1/posture?rule=ci.static-secret-with-oidc-available", null).json();
    assertThat(f.path("findings")).hasSize(1);
  }

  @Test
  void leakedCredentialAppearsInInventoryAndPosture() {
    String token = grant("acme/release");
    String key = warden.admin("GET", "/v1/scan/fingerprint-key", null).json().path("key").asText();
    String fp = new Fingerprinter(Base64.getUrlDecoder().decode(key)).fingerprint(token);
    warden.admin(
        "POST",
        "/v1/leaks",
        "{\"source\": \"git@github.com:acme/app.git\", \"findings\": [{\"fingerprint\": \""
            + fp
            + "\", \"path\": \"deploy/.env\"}]}");

    assertThat(items("?kind=leaked-credential").toString()).contains(fp).doesNotContain(token);
    JsonNode leaks = warden.admin("GET", "/v1/posture?rule=NHI2", null).json().path("findings");
    assertThat(leaks).isNotEmpty();
    assertThat(leaks.path(0).path("severity").asText()).isEqualTo("critical");
  }

  @Test
  void blastRadiusIsRankedByWeightWithThePolicyThatGrantsIt() {
    String id = URLEncoder.encode("workload:" + RELEASE, StandardCharsets.UTF_8);
    ServerFixture.Response r = warden.admin("GET", "/v1/inventory/" + id + "/blast-radius", null);
    assertThat(r.status()).as("%s", r.json()).isEqualTo(200);
    assertThat(r.json().path("score").asInt()).isEqualTo(27 + 1);
    assertThat(r.json().path("reachable").path(0).path("resource").asText()).isEqualTo("ledger");
    assertThat(r.json().path("reachable").path(0).path("policy").asText())
        .isEqualTo("release-to-ledger");
    assertThat(warden.admin("GET", "/v1/inventory/nope/blast-radius", null).status())
        .isEqualTo(404);
    assertThat(
            warden
                .admin("GET", "/v1/report/blast-radius", null)
                .json()
                .path("items")
                .path(0)
                .path("subject")
                .asText())
        .isEqualTo(RELEASE);
  }

  @Test
  void postureThresholdsCanBeOverriddenPerRequestAndWorkstationUseIsFlagged() {
    grant("acme/release"); // from 127.0.0.1
    JsonNode none = warden.admin("GET", "/v1/posture?rule=NHI10", null).json();
    assertThat(none.path("findings")).isEmpty();
    JsonNode hit =
        warden.admin("GET", "/v1/posture?rule=NHI10&workstationCidrs=127.0.0.0/8", null).json();
    assertThat(hit.path("findings").findValuesAsText("itemId")).contains("workload:" + RELEASE);
    assertThat(hit.path("thresholds").path("workstationCidrs").path(0).asText())
        .isEqualTo("127.0.0.0/8");
    assertThat(warden.admin("GET", "/v1/posture?staleDays=0", null).status()).isEqualTo(400);
    assertThat(
            warden.admin("GET", "/v1/posture?workstationCidrs=intranet.acme.test/8", null).status())
        .isEqualTo(400);
  }

  @Test
  void kpiReportsShares() {
    grant("acme/release");
    JsonNode k = warden.admin("GET", "/v1/report/kpi", null).json();
    assertThat(k.path("identities").asInt()).isGreaterThanOrEqualTo(3);
    assertThat(k.path("ownerShare").asDouble()).isBetween(0.0, 1.0);
    assertThat(k.path("credentialsSampled").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(k.path("p95CredentialLifetime").asText()).isEqualTo("PT5M");
  }

  @Test
  void maturityReportsAStagePerWorkloadAndTheDistribution() {
    JsonNode m = warden.admin("GET", "/v1/report/maturity", null).json();
    assertThat(m.path("distribution").size()).isEqualTo(7);
    assertThat(m.path("subjects").findValuesAsText("subject")).contains(RELEASE);
  }

  @Test
  void retireRevokesLiveLeasesDisablesPoliciesOnlyItUsedAndIsAudited() {
    warden.apply(
        """
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/batch/old, selectors: ["github:repository=acme/old"], owner: rel@acme.test}
        ---
        kind: AccessPolicy
        metadata: {name: old-to-ledger}
        spec: {workloads: {spiffeIds: [spiffe://acme.test/batch/old]}, resources: [ledger]}
        ---
        kind: AccessPolicy
        metadata: {name: batch-cache}
        spec: {workloads: {spiffeIds: [spiffe://acme.test/batch/*]}, resources: [cache]}
        """);
    String token = grant("acme/old");
    List<String> leases = new ArrayList<>();
    JsonNode live =
        warden
            .admin(
                "GET",
                "/v1/leases?workload="
                    + URLEncoder.encode("spiffe://acme.test/batch/old", StandardCharsets.UTF_8),
                null)
            .json();
    live.path("items").forEach(l -> leases.add(l.path("id").asText()));
    assertThat(leases).as("%s", live).isNotEmpty();

    ServerFixture.Response r =
        warden.admin(
            "POST", "/v1/workloads:retire", "{\"workload\": \"spiffe://acme.test/batch/old\"}");
    assertThat(r.status()).as("%s", r.json()).isEqualTo(200);
    assertThat(r.json().path("revokedLeases"))
        .extracting(JsonNode::asText)
        .containsExactlyInAnyOrderElementsOf(leases);
    assertThat(r.json().path("disabledPolicies"))
        .extracting(JsonNode::asText)
        .containsExactly("old-to-ledger");
    assertThat(r.json().path("keptPolicies"))
        .extracting(JsonNode::asText)
        .containsExactly("batch-cache");
    assertThat(r.json().path("notRevoked")).isEmpty();
    assertThat(r.json().path("verified").asBoolean()).isTrue();

    assertThat(
            warden
                .admin("GET", "/v1/workloads/spiffe%3A%2F%2Facme.test%2Fbatch%2Fold", null)
                .json()
                .path("spec")
                .path("state")
                .asText())
        .isEqualToIgnoringCase("retired");
    assertThat(warden.admin("GET", "/v1/policies/old-to-ledger", null).status()).isEqualTo(404);
    assertThat(
            warden
                .admin(
                    "GET",
                    "/v1/leases?workload="
                        + URLEncoder.encode("spiffe://acme.test/batch/old", StandardCharsets.UTF_8),
                    null)
                .json()
                .path("items"))
        .isEmpty();
    assertThat(warden.lastAuditEvent().path("type").asText()).isEqualTo("workload.retired");
    assertThat(
            warden
                .token(
                    Map.of(
                        "grant_type",
                        "client_credentials",
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                        "client_assertion",
                        gh.githubActionsToken("acme/old", "refs/heads/main"),
                        "resource",
                        AUD))
                .status())
        .isNotEqualTo(200);
    assertThat(token).isNotEmpty();
  }

  @Test
  void departRequiresADecisionListsHoldingsAndReassigns() {
    ServerFixture.Response none =
        warden.admin("POST", "/v1/owners:depart", "{\"owner\": \"leaver@acme.test\"}");
    assertThat(none.status()).isEqualTo(400);
    assertThat(none.json().path("message").asText())
        .contains("--reassign-to")
        .contains("--suspend");

    JsonNode list =
        warden
            .admin(
                "POST", "/v1/owners:depart", "{\"owner\": \"leaver@acme.test\", \"dryRun\": true}")
            .json();
    assertThat(list.path("workloads"))
        .extracting(JsonNode::asText)
        .containsExactly("spiffe://acme.test/ci/docs");
    assertThat(list.path("applied").asBoolean()).isFalse();

    JsonNode done =
        warden
            .admin(
                "POST",
                "/v1/owners:depart",
                "{\"owner\": \"leaver@acme.test\", \"reassignTo\": \"rel@acme.test\"}")
            .json();
    assertThat(done.path("applied").asBoolean()).isTrue();
    assertThat(items("?owner=leaver@acme.test")).isEmpty();
    assertThat(
            find(items("?kind=workload"), "workload:spiffe://acme.test/ci/docs")
                .path("owner")
                .asText())
        .isEqualTo("rel@acme.test");
    assertThat(warden.lastAuditEvent().path("type").asText()).isEqualTo("owner.departed");
  }

  @Test
  void departWithSuspendSuspendsWorkloadsAndRevokesTheirCredentials() {
    warden.apply(
        """
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/ops/gone, selectors: ["github:repository=acme/gone"], owner: gone@acme.test}
        ---
        kind: AccessPolicy
        metadata: {name: gone-ledger}
        spec: {workloads: {spiffeIds: [spiffe://acme.test/ops/gone]}, resources: [ledger]}
        """);
    grant("acme/gone");
    JsonNode r =
        warden
            .admin(
                "POST", "/v1/owners:depart", "{\"owner\": \"gone@acme.test\", \"suspend\": true}")
            .json();
    assertThat(r.path("action").asText()).isEqualTo("suspended");
    assertThat(r.path("revokedLeases")).isNotEmpty();
    assertThat(
            warden
                .admin("GET", "/v1/workloads/spiffe%3A%2F%2Facme.test%2Fops%2Fgone", null)
                .json()
                .path("spec")
                .path("state")
                .asText())
        .isEqualToIgnoringCase("suspended");
    assertThat(
            warden
                .admin(
                    "GET",
                    "/v1/leases?workload="
                        + URLEncoder.encode("spiffe://acme.test/ops/gone", StandardCharsets.UTF_8),
                    null)
                .json()
                .path("items"))
        .isEmpty();
  }

  @Test
  void readTokenCannotChangeAndNoTokenIsRefused() {
    String read =
        warden
            .admin(
                "POST",
                "/v1/admin-tokens",
                "{\"name\": \"auditor\", \"scopes\": [\"read\"], \"ttl\": \"1h\"}")
            .json()
            .path("token")
            .asText();
    assertThat(warden.admin("GET", "/v1/inventory", null, read).status()).isEqualTo(200);
    assertThat(warden.admin("GET", "/v1/posture", null, read).status()).isEqualTo(200);
    assertThat(
            warden
                .admin(
                    "POST",
                    "/v1/inventory:import",
                    "{\"format\": \"env\", \"content\": \"A=b\"}",
                    read)
                .status())
        .isEqualTo(403);
    assertThat(
            warden
                .admin("POST", "/v1/workloads:retire", "{\"workload\": \"" + RELEASE + "\"}", read)
                .status())
        .isEqualTo(403);
    assertThat(warden.admin("GET", "/v1/inventory", null, null).status()).isEqualTo(401);
  }
}
