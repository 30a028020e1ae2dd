package dev.warden.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cloud IAM exports through {@code POST /v1/inventory:import}: each format lands in the inventory
 * with its kind, age, owner and expiry, posture says what federation replaces, and no value an
 * export carries (a SecretAccessKey, privateKeyData, secretText, hint) reaches the API, the audit
 * log or the database files.
 */
class CloudImportApiTest {
  static final String AWS_SECRET = "wJalrXUtnFEMIK7MDENGbPxRfiCYCLOUDAPITEST";
  static final String GCP_SECRET = "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCloudApiTest";
  static final String AZURE_SECRET = "Q~zCloudApiTestAzureSecretText0123456789";
  static final String AZURE_HINT = "Q~z";

  static final String REPORT =
      """
      user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,\
      mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,\
      access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,\
      access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,\
      cert_2_last_rotated
      <root_account>,arn:aws:iam::210987654321:root,2016-02-10T08:00:00+00:00,not_supported,no_information,\
      not_supported,not_supported,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
      ci-deployer,arn:aws:iam::210987654321:user/ci-deployer,2019-03-04T05:06:07+00:00,false,N/A,N/A,N/A,false,true,\
      2019-03-04T05:10:00+00:00,2026-01-15T03:00:00+00:00,eu-west-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
      """;

  static final String AUTHORIZATION =
      """
      {"UserDetailList": [{"UserName": "ci-deployer", "Arn": "arn:aws:iam::210987654321:user/ci-deployer",
         "CreateDate": "2019-03-04T05:06:07Z", "Tags": [{"Key": "owner", "Value": "rel@acme.test"}],
         "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess",
           "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}],
         "SecretAccessKey": "%s"}],
       "RoleDetailList": [{"RoleName": "github-deploy", "Arn": "arn:aws:iam::210987654321:role/github-deploy",
         "CreateDate": "2024-02-01T00:00:00Z",
         "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
           "Principal": {"Federated": "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"},
           "Condition": {"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:acme/api:ref:refs/heads/main"}}}]}}],
       "GroupDetailList": [], "Policies": []}
      """
          .formatted(AWS_SECRET);

  static final String GCP =
      """
      [{"keyAlgorithm": "KEY_ALG_RSA_2048", "keyOrigin": "GOOGLE_PROVIDED", "keyType": "USER_MANAGED",
        "name": "projects/acme-prod/serviceAccounts/etl@acme-prod.iam.gserviceaccount.com/keys/abc123",
        "validAfterTime": "2022-04-05T06:07:08Z", "validBeforeTime": "9999-12-31T23:59:59Z", "privateKeyData": "%s"},
       {"keyType": "SYSTEM_MANAGED", "name": "projects/acme-prod/serviceAccounts/etl@acme-prod.iam.gserviceaccount.com/keys/sys1",
        "validAfterTime": "2026-01-01T00:00:00Z", "validBeforeTime": "2026-01-15T00:00:00Z"}]
      """
          .formatted(GCP_SECRET);

  static final String AZURE =
      """
      [{"appId": "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", "displayName": "billing-api", "tags": ["owner:rel@acme.test"],
        "keyCredentials": [],
        "passwordCredentials": [{"displayName": "rbac", "keyId": "c0ffee00-1234-4abc-9def-000000000002",
          "startDateTime": "2024-01-15T10:00:00Z", "endDateTime": "2099-01-01T00:00:00Z", "hint": "%s",
          "secretText": "%s"}]}]
      """
          .formatted(AZURE_HINT, AZURE_SECRET);

  static final String VAULT =
      """
      {"path": "secret/payments/stripe", "data": {"created_time": "2021-05-06T07:08:09Z", "current_version": 1,
        "custom_metadata": {"owner": "payments@acme.test"}, "updated_time": "2021-05-06T07:08:09Z",
        "versions": {"1": {"created_time": "2021-05-06T07:08:09Z", "deletion_time": "", "destroyed": false}}}}
      """;

  @TempDir static Path dir;

  static ServerFixture warden;

  @BeforeAll
  static void start() {
    warden = ServerFixture.start(dir);
    warden.apply(
        """
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/release, selectors: ["k8s:sa=release"], owner: rel@acme.test}
        """);
    String report =
        "{\"Content\": \""
            + Base64.getEncoder().encodeToString(REPORT.getBytes(StandardCharsets.UTF_8))
            + "\", \"ReportFormat\": \"text/csv\", \"GeneratedTime\": \"2026-02-01T10:00:00Z\"}";
    for (String[] f :
        List.of(
            new String[] {"aws-credential-report", report},
            new String[] {"aws-authorization-details", AUTHORIZATION},
            new String[] {"gcp-service-account-keys", GCP},
            new String[] {"azure-credentials", AZURE},
            new String[] {"vault-kv-metadata", VAULT})) {
      ServerFixture.Response r = importText(f[0], f[1], false);
      assertThat(r.status()).as("%s: %s", f[0], r.json()).isEqualTo(200);
    }
  }

  @AfterAll
  static void stop() {
    warden.close();
  }

  static ServerFixture.Response importText(String format, String content, boolean partial) {
    ObjectNode b = ServerFixture.JSON.createObjectNode();
    b.put("format", format);
    b.put("content", content);
    b.put("partial", partial);
    return warden.admin("POST", "/v1/inventory:import", b.toString());
  }

  static JsonNode items(String query) {
    ServerFixture.Response r = warden.admin("GET", "/v1/inventory?limit=1000" + query, null);
    assertThat(r.status()).as("%s", r.json()).isEqualTo(200);
    return r.json().path("items");
  }

  static JsonNode posture(String rule) {
    return warden
        .admin("GET", "/v1/posture?rule=" + URLEncoder.encode(rule, StandardCharsets.UTF_8), null)
        .json()
        .path("findings");
  }

  @Test
  void eachExportLandsInTheInventoryWithItsKindAgeOwnerAndExpiry() {
    JsonNode key = items("&kind=aws-access-key").path(0);
    assertThat(key.path("name").asText()).isEqualTo("ci-deployer/access_key_1");
    assertThat(key.path("source").asText()).isEqualTo("aws:210987654321");
    assertThat(key.path("credentialType").asText()).isEqualTo("static");
    assertThat(key.path("created").asText()).isEqualTo("2019-03-04T05:10:00Z");
    assertThat(key.path("lastUsed").asText()).isEqualTo("2026-01-15T03:00:00Z");
    assertThat(items("&kind=aws-root-account")).hasSize(1);
    assertThat(items("&kind=aws-iam-user").path(0).path("owner").asText())
        .isEqualTo("rel@acme.test");
    assertThat(items("&credentialType=federated").findValuesAsText("name"))
        .containsExactly("github-deploy");
    JsonNode gcp = items("&kind=gcp-service-account-key");
    assertThat(gcp).hasSize(1);
    assertThat(gcp.path(0).path("expiry").isMissingNode() || gcp.path(0).path("expiry").isNull())
        .isTrue();
    JsonNode azure = items("&kind=azure-client-secret").path(0);
    assertThat(azure.path("owner").asText()).isEqualTo("rel@acme.test");
    assertThat(azure.path("expiry").asText()).isEqualTo("2099-01-01T00:00:00Z");
    JsonNode vault = items("&kind=vault-kv-secret").path(0);
    assertThat(vault.path("name").asText()).isEqualTo("secret/payments/stripe");
    assertThat(vault.path("owner").asText()).isEqualTo("payments@acme.test");
  }

  @Test
  void postureSaysWhichStaticCredentialsFederationReplacesAndWithWhat() {
    JsonNode fed = posture("federation.replace-static-credential");
    // (another test may import one more GCP key)
    assertThat(fed.findValuesAsText("subject"))
        .contains(
            "ci-deployer/access_key_1",
            "etl@acme-prod.iam.gserviceaccount.com/abc123",
            "billing-api/c0ffee00-1234-4abc-9def-000000000002",
            "secret/payments/stripe")
        .doesNotContain("ci-deployer", "github-deploy", "<root_account>");
    String remediations = String.join("\n", fed.findValuesAsText("remediation"));
    assertThat(remediations)
        .contains(
            "sts:AssumeRoleWithWebIdentity",
            "Workload Identity Federation",
            "federated identity credential",
            "dynamic credential");
    assertThat(posture("NHI7").findValuesAsText("ruleId"))
        .contains("federation.replace-static-credential");
  }

  @Test
  void noValueAnExportCarriesReachesTheApiTheAuditLogOrTheDatabase() {
    String everything =
        items("").toString()
            + warden.admin("GET", "/v1/posture", null).json()
            + warden.admin("GET", "/v1/audit?limit=1000", null).json();
    assertThat(everything)
        .contains("ci-deployer")
        .doesNotContain(AWS_SECRET)
        .doesNotContain(GCP_SECRET)
        .doesNotContain(AZURE_SECRET)
        .doesNotContain("\"" + AZURE_HINT + "\"");
    String files = bytesOfDataDir();
    assertThat(files)
        .contains("billing-api")
        .doesNotContain(AWS_SECRET)
        .doesNotContain(GCP_SECRET)
        .doesNotContain(AZURE_SECRET);
  }

  @Test
  void aWrongOrMalformedExportImportsNothingAndSaysWhy() {
    int before = items("").size();
    ServerFixture.Response wrong =
        importText("aws-credential-report", "name,kind\nA,api-key\n", false);
    assertThat(wrong.status()).isEqualTo(400);
    assertThat(wrong.json().toString()).contains("no 'user' column");
    ServerFixture.Response unknown = importText("aws", REPORT, false);
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().toString()).contains("aws-credential-report");
    ServerFixture.Response bad =
        importText(
            "gcp-service-account-keys",
            "[{\"name\": \"projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k9\", \"keyType\": \"USER_MANAGED\"},"
                + "\n{\"name\": \"not-a-key\"}]",
            false);
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.json().path("errors").path(0).path("line").asInt()).isEqualTo(2);
    assertThat(items("").size()).as("nothing imported").isEqualTo(before);
    ServerFixture.Response partial =
        importText(
            "gcp-service-account-keys",
            "[{\"name\": \"projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/k9\", \"keyType\": \"USER_MANAGED\"},"
                + "\n{\"name\": \"not-a-key\"}]",
            true);
    assertThat(partial.status()).isEqualTo(200);
    assertThat(partial.json().path("created").asInt()).isEqualTo(1);
  }

  @Test
  void anExportOverTheImportLimitIsRefusedWith413() {
    StringBuilder big = new StringBuilder(17 * 1024 * 1024 + 100).append(REPORT);
    String row =
        "u,arn:aws:iam::210987654321:user/u,2019-03-04T05:06:07+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,"
            + "N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n";
    while (big.length() < 17 * 1024 * 1024) {
      big.append(row);
    }
    ServerFixture.Response r = importText("aws-credential-report", big.toString(), false);
    assertThat(r.status()).isEqualTo(413);
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
}
