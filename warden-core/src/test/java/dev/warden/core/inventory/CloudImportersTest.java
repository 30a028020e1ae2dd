package dev.warden.core.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.warden.core.error.ValidationException;
import dev.warden.core.inventory.Importers.Format;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The cloud IAM export importers on sample exports written after the documented formats (under
 * src/test/resources/.../cloud): what each keeps, what it skips, and that no value an export may
 * carry (a SecretAccessKey, privateKeyData, secretText, hint) is ever kept.
 */
class CloudImportersTest {
  static final Importers.Defaults NONE = new Importers.Defaults(null, null, null, null, null);
  static final String AWS = "aws:123456789012";

  static String sample(String name) {
    try (InputStream in = CloudImportersTest.class.getResourceAsStream("cloud/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Importers.Parsed parse(Format f, String text) {
    return Importers.parse(f, text, null, NONE, ImportersTest.FPR);
  }

  static Map<String, ImportedNhi> byName(Importers.Parsed p) {
    return p.items().stream().collect(Collectors.toMap(ImportedNhi::name, Function.identity()));
  }

  // --- AWS credential report

  @Test
  void credentialReportYieldsEachActiveKeyWithItsAgeAndLastUseAndTheRootAccount() {
    Importers.Parsed p = parse(Format.AWS_CREDENTIAL_REPORT, sample("aws-credential-report.csv"));

    assertThat(p.errors()).isEmpty();
    assertThat(p.items())
        .extracting(ImportedNhi::source, ImportedNhi::kind, ImportedNhi::name)
        .containsExactly(
            tuple(AWS, "aws-root-account", "<root_account>"),
            tuple(AWS, "aws-access-key", "<root_account>/access_key_1"),
            tuple(AWS, "aws-access-key", "ci-deployer/access_key_1"),
            tuple(AWS, "aws-access-key", "ci-deployer/access_key_2"),
            tuple(AWS, "aws-access-key", "alice/access_key_1"),
            tuple(AWS, "aws-signing-certificate", "legacy-soap/cert_1"));
    assertThat(p.skipped())
        .as("alice's inactive second key, and bob who has only a console password")
        .isEqualTo(2);
    Map<String, ImportedNhi> items = byName(p);
    ImportedNhi ci = items.get("ci-deployer/access_key_1");
    assertThat(ci.createdAt())
        .isEqualTo(Instant.parse("2019-03-04T05:10:00Z"))
        .isEqualTo(ci.lastRotatedAt());
    assertThat(ci.lastUsedAt()).isEqualTo(Instant.parse("2026-01-15T03:00:00Z"));
    assertThat(ci.location()).isEqualTo("arn:aws:iam::123456789012:user/ci/ci-deployer");
    assertThat(ci.attributes())
        .containsEntry("lastUsedService", "s3")
        .containsEntry("lastUsedRegion", "eu-west-1")
        .containsEntry("passwordEnabled", "false")
        .containsEntry("replaceWith", "aws-web-identity");
    ImportedNhi unused = items.get("ci-deployer/access_key_2");
    assertThat(unused.lastUsedAt()).as("N/A: never used").isNull();
    assertThat(unused.attributes())
        .containsEntry("neverUsed", "true")
        .doesNotContainKey("lastUsedService");
    assertThat(items.get("<root_account>/access_key_1").attributes()).containsEntry("root", "true");
    assertThat(items.get("<root_account>").attributes())
        .containsEntry("passwordLastUsed", "2025-11-02T10:11:12+00:00")
        .containsEntry("mfaActive", "true");
    assertThat(Inventory.importedType(ci)).isEqualTo(CredentialType.STATIC);
    assertThat(Posture.isCredential(ci)).isTrue();
    assertThat(Posture.isCredential(items.get("<root_account>")))
        .as("judged by its keys")
        .isFalse();
  }

  @Test
  void credentialReportIsAlsoReadFromTheCommandsJsonOutput() {
    String csv = sample("aws-credential-report.csv");
    String json =
        """
        {"Content": "%s", "ReportFormat": "text/csv", "GeneratedTime": "2026-02-01T10:00:00+00:00"}
        """
            .formatted(Base64.getEncoder().encodeToString(csv.getBytes(StandardCharsets.UTF_8)));
    assertThat(parse(Format.AWS_CREDENTIAL_REPORT, json).items())
        .isEqualTo(parse(Format.AWS_CREDENTIAL_REPORT, csv).items());
  }

  @Test
  void credentialReportNeverReadsAColumnItDoesNotKnow() {
    String csv =
        """
        user,arn,access_key_1_active,access_key_1_last_rotated,secret_access_key,password
        svc,arn:aws:iam::123456789012:user/svc,true,2025-01-01T00:00:00+00:00,%s,%s
        """
            .formatted(ImportersTest.VALUE, ImportersTest.VALUE);
    Importers.Parsed p = parse(Format.AWS_CREDENTIAL_REPORT, csv);
    assertThat(p.items()).extracting(ImportedNhi::name).containsExactly("svc/access_key_1");
    assertThat(p.toString()).doesNotContain(ImportersTest.VALUE);
  }

  @Test
  void credentialReportBadRowsAreReportedByLineAndTheRestIsKept() {
    String csv =
        """
        user,arn,access_key_1_active,access_key_1_last_rotated
        good,arn:aws:iam::123456789012:user/good,true,2025-01-01T00:00:00+00:00
        short,arn:aws:iam::123456789012:user/short,true
        "open,arn,true,N/A
        ,arn:aws:iam::123456789012:user/x,true,N/A
        late,arn:aws:iam::123456789012:user/late,true,last tuesday
        """;
    Importers.Parsed p = parse(Format.AWS_CREDENTIAL_REPORT, csv);
    assertThat(p.items()).extracting(ImportedNhi::name).containsExactly("good/access_key_1");
    assertThat(p.errors()).extracting(Importers.LineError::line).containsExactly(3, 4, 5, 6);
    assertThat(p.errors().get(3).message()).contains("access_key_1_last_rotated");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "empty||empty",
        "a plain inventory CSV|name,kind\\nA,api-key|no 'user' column",
        "JSON without Content|{\"ReportFormat\": \"text/csv\"}|no text/csv Content",
        "Content that is not base64|{\"Content\": \"%%%not-base64%%%\"}|not base64",
        "broken JSON|{\"Content\": |malformed JSON",
        "header with an open quote|\"user,arn|unterminated quote"
      })
  void whatIsNotACredentialReportIsRefusedAsAWhole(String why, String text, String message) {
    assertThatThrownBy(
            () ->
                parse(Format.AWS_CREDENTIAL_REPORT, text == null ? "" : text.replace("\\n", "\n")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining(message);
  }

  // --- AWS account authorization details

  @Test
  void authorizationDetailsYieldUsersWithPoliciesAndRolesWithWhoTheyTrust() {
    String json = sample("aws-authorization-details.json");
    Importers.Parsed p = parse(Format.AWS_AUTHORIZATION_DETAILS, json);

    assertThat(p.errors()).isEmpty();
    assertThat(p.skipped()).as("the service-linked role").isEqualTo(1);
    assertThat(p.items())
        .extracting(ImportedNhi::kind, ImportedNhi::name)
        .containsExactly(
            tuple("aws-iam-user", "ci-deployer"),
            tuple("aws-iam-user", "break-glass"),
            tuple("aws-iam-role", "github-deploy"),
            tuple("aws-iam-role", "warden-any-workload"),
            tuple("aws-iam-role", "lambda-billing"));
    Map<String, ImportedNhi> items = byName(p);
    ImportedNhi ci = items.get("ci-deployer");
    assertThat(ci.source()).isEqualTo(AWS);
    assertThat(ci.owner()).as("from the Owner tag, any case").isEqualTo("josé@acme.test");
    assertThat(ci.team()).isEqualTo("plateforme");
    assertThat(ci.createdAt()).isEqualTo(Instant.parse("2019-03-04T05:06:07Z"));
    assertThat(ci.attributes())
        .containsEntry("groups", "deployers")
        .containsEntry("path", "/ci/")
        .containsEntry("permissions", "ReadOnlyAccess,acme-everything,deploy-artifacts")
        .as("its group's policy allows * on *")
        .containsEntry("admin", "true");
    assertThat(items.get("break-glass").attributes()).containsEntry("admin", "true");
    assertThat(Inventory.importedPrivileges(ci)).contains("acme-everything");

    ImportedNhi gh = items.get("github-deploy");
    assertThat(gh.attributes())
        .containsEntry("federated", "true")
        .containsEntry("oidcProviders", "token.actions.githubusercontent.com")
        .containsEntry("tokenConstrained", "true");
    assertThat(gh.owner()).isEqualTo("platform@acme.test");
    assertThat(gh.lastUsedAt()).isEqualTo(Instant.parse("2026-01-30T12:00:00Z"));
    assertThat(Inventory.importedType(gh)).isEqualTo(CredentialType.FEDERATED);
    ImportedNhi any = items.get("warden-any-workload");
    assertThat(any.attributes())
        .as("the raw API's URL-encoded trust policy is read too")
        .containsEntry("oidcProviders", "warden.acme.test")
        .containsEntry("tokenConstrained", "false");
    ImportedNhi lambda = items.get("lambda-billing");
    assertThat(lambda.attributes())
        .containsEntry("trustedBy", "lambda.amazonaws.com")
        .doesNotContainKey("federated")
        .containsEntry("permissions", "billing-table")
        .doesNotContainKey("admin");
    assertThat(lambda.environment()).isEqualTo("prod");
    assertThat(Inventory.importedType(lambda)).isEqualTo(CredentialType.ATTESTED_IDENTITY);
    assertThat(Posture.isCredential(ci)).as("an IAM user is judged by its keys").isFalse();

    assertThat(json).contains("EXPORTSECRET");
    assertThat(p.toString()).doesNotContain("EXPORTSECRET").doesNotContain("wJalrXUtnFEMI");
  }

  @Test
  void authorizationDetailsRefuseWhatIsNotOneAndReportNamelessEntries() {
    assertThatThrownBy(() -> parse(Format.AWS_AUTHORIZATION_DETAILS, "[{\"name\": \"A\"}]"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("get-account-authorization-details");
    assertThatThrownBy(
            () ->
                parse(
                    Format.AWS_AUTHORIZATION_DETAILS,
                    "{\"UserDetailList\": [ " + ImportersTest.VALUE))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("malformed JSON")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(ImportersTest.VALUE));
    Importers.Parsed p =
        parse(
            Format.AWS_AUTHORIZATION_DETAILS,
            """
        {"UserDetailList": [{"Arn": "arn:aws:iam::1:user/x"}, {"UserName": "ok", "CreateDate": "yesterday"}],
         "RoleDetailList": [], "GroupDetailList": [], "Policies": []}""");
    assertThat(p.items()).isEmpty();
    assertThat(p.errors())
        .extracting(Importers.LineError::message)
        .satisfiesExactly(
            m -> assertThat(m).contains("UserDetailList item 1").contains("UserName"),
            m -> assertThat(m).contains("UserDetailList item 2").contains("CreateDate"));
    assertThat(parse(Format.AWS_AUTHORIZATION_DETAILS, "{\"UserDetailList\": []}").items())
        .isEmpty();
  }

  // --- GCP service-account keys

  @Test
  void gcpKeyListingsKeepOnlyEnabledUserManagedKeysWithTheirValidity() {
    String json = sample("gcp-service-account-keys.json");
    Importers.Parsed p = parse(Format.GCP_SERVICE_ACCOUNT_KEYS, json);

    assertThat(p.errors()).isEmpty();
    assertThat(p.skipped()).as("the system-managed key and the disabled key").isEqualTo(2);
    assertThat(p.items())
        .extracting(ImportedNhi::source, ImportedNhi::name)
        .containsExactly(
            tuple(
                "gcp:acme-prod",
                "ci-deployer@acme-prod.iam.gserviceaccount.com/8f2c1d0e9b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e"),
            tuple(
                "gcp:acme-data",
                "etl@acme-data.iam.gserviceaccount.com/3333333333333333333333333333333333333333"));
    ImportedNhi ci = p.items().get(0);
    assertThat(ci.kind()).isEqualTo("gcp-service-account-key");
    assertThat(ci.createdAt()).isEqualTo(Instant.parse("2022-04-05T06:07:08Z"));
    assertThat(ci.expiresAt()).as("year 9999 means no expiry").isNull();
    assertThat(ci.attributes())
        .containsEntry("serviceAccount", "ci-deployer@acme-prod.iam.gserviceaccount.com")
        .containsEntry("keyAlgorithm", "KEY_ALG_RSA_2048")
        .containsEntry("replaceWith", "gcp-workload-identity");
    assertThat(p.items().get(1).expiresAt()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
    assertThat(p.items().get(1).attributes()).containsEntry("keyOrigin", "USER_PROVIDED");
    assertThat(json).contains("privateKeyData");
    assertThat(p.toString()).doesNotContain("ewogICJ0eXBl").doesNotContain("GCPEXPORTSECRET");
  }

  @Test
  void gcpKeysAlsoComeWrappedOrNestedAndBadEntriesAreReportedByLine() {
    String key =
        "{\"name\": \"projects/p/serviceAccounts/sa@p.iam.gserviceaccount.com/keys/k1\","
            + " \"keyType\": \"USER_MANAGED\"}";
    assertThat(parse(Format.GCP_SERVICE_ACCOUNT_KEYS, "{\"keys\": [" + key + "]}").items())
        .hasSize(1);
    assertThat(parse(Format.GCP_SERVICE_ACCOUNT_KEYS, "[[" + key + "], []]").items()).hasSize(1);
    assertThat(parse(Format.GCP_SERVICE_ACCOUNT_KEYS, "[]").items()).isEmpty();
    Importers.Parsed p =
        parse(
            Format.GCP_SERVICE_ACCOUNT_KEYS,
            "[\n"
                + key
                + ",\n{\"name\": \"keys/k2\"},\n\"k3\",\n"
                + "{\"name\": \"projects/p/serviceAccounts/sa/keys/k4\", \"validAfterTime\": \"soon\"}\n]");
    assertThat(p.items()).hasSize(1);
    assertThat(p.errors()).extracting(Importers.LineError::line).containsExactly(3, 4, 5);
    assertThat(parse(Format.GCP_SERVICE_ACCOUNT_KEYS, "[" + key + ", {").errors())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).startsWith("malformed JSON"));
    assertThatThrownBy(() -> parse(Format.GCP_SERVICE_ACCOUNT_KEYS, "  "))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("gcloud iam service-accounts keys list");
  }

  // --- Azure service-principal credentials

  @Test
  void azurePrincipalListingsYieldClientSecretsAndCertificatesWithTheirValidity() {
    String json = sample("azure-sp-list.json");
    Importers.Parsed p = parse(Format.AZURE_CREDENTIALS, json);

    assertThat(p.errors()).isEmpty();
    assertThat(p.skipped()).as("the managed identity holds no secret").isEqualTo(1);
    assertThat(p.items())
        .extracting(ImportedNhi::kind, ImportedNhi::name)
        .containsExactly(
            tuple("azure-client-secret", "billing-api/c0ffee00-1234-4abc-9def-000000000002"),
            tuple("azure-client-secret", "billing-api/c0ffee00-1234-4abc-9def-000000000003"),
            tuple("azure-certificate", "billing-api/c0ffee00-1234-4abc-9def-000000000001"),
            tuple(
                "azure-client-secret",
                "Zahlungsdienst-Überweisung 支付/c0ffee00-1234-4abc-9def-000000000004"));
    ImportedNhi secret = p.items().get(0);
    assertThat(secret.source()).isEqualTo("azure");
    assertThat(secret.owner()).as("from the owner:... tag").isEqualTo("zoë@acme.test");
    assertThat(secret.createdAt()).isEqualTo(Instant.parse("2024-01-15T10:00:00Z"));
    assertThat(secret.expiresAt()).isEqualTo(Instant.parse("2099-01-01T00:00:00Z"));
    assertThat(secret.attributes())
        .containsEntry("displayName", "rbac")
        .containsEntry("appId", "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b")
        .containsEntry("replaceWith", "azure-federated-credential");
    assertThat(p.items().get(2).attributes())
        .containsEntry("type", "AsymmetricX509Cert")
        .containsEntry("usage", "Verify");
    assertThat(p.items().get(3).owner()).isNull();
    // secretText and hint (the secret's first characters) are never kept
    assertThat(p.toString())
        .doesNotContain("AZUREEXPORTSECRET")
        .doesNotContain("Q~x")
        .doesNotContain("7Rk");
  }

  @Test
  void azureBareCredentialListsAreNamedByKeyIdAndTellPasswordsFromCertificates() {
    Importers.Parsed p =
        Importers.parse(
            Format.AZURE_CREDENTIALS,
            sample("azure-sp-credential-list.json"),
            null,
            new Importers.Defaults("azure:deploy-app", "ops@acme.test", null, null, "creds.json"),
            null);
    assertThat(p.errors()).isEmpty();
    assertThat(p.items())
        .extracting(ImportedNhi::source, ImportedNhi::kind, ImportedNhi::name, ImportedNhi::owner)
        .containsExactly(
            tuple(
                "azure:deploy-app",
                "azure-client-secret",
                "d00dfeed-0000-4000-8000-000000000001",
                "ops@acme.test"),
            tuple(
                "azure:deploy-app",
                "azure-certificate",
                "d00dfeed-0000-4000-8000-000000000002",
                "ops@acme.test"));
    assertThat(p.toString()).doesNotContain("Zx8");
    Importers.Parsed bad =
        parse(
            Format.AZURE_CREDENTIALS,
            "{\"value\": [{\"displayName\": \"x\"}, 7,"
                + " {\"keyId\": \"k\", \"endDateTime\": \"never\"}, {\"appId\": \"a\", \"passwordCredentials\": [\"s\"]}]}");
    assertThat(bad.items()).isEmpty();
    assertThat(bad.errors()).hasSize(4);
  }

  // --- Vault KV v2 metadata

  @Test
  void vaultMetadataYieldsLiveSecretsWithOwnerFromCustomMetadataAndAgeFromTheCurrentVersion() {
    Importers.Parsed p = parse(Format.VAULT_KV_METADATA, sample("vault-kv-metadata.json"));

    assertThat(p.errors()).isEmpty();
    assertThat(p.skipped()).as("the secret whose current version is deleted").isEqualTo(1);
    assertThat(p.items())
        .extracting(ImportedNhi::source, ImportedNhi::kind, ImportedNhi::name)
        .containsExactly(
            tuple("vault", "vault-kv-secret", "secret/payments/stripe"),
            tuple("vault", "vault-kv-secret", "secret/équipe/数据库"));
    ImportedNhi stripe = p.items().get(0);
    assertThat(stripe.owner()).isEqualTo("payments@acme.test");
    assertThat(stripe.team()).isEqualTo("payments");
    assertThat(stripe.createdAt()).isEqualTo(Instant.parse("2021-05-06T07:08:09.123456789Z"));
    assertThat(stripe.lastRotatedAt()).isEqualTo(Instant.parse("2025-09-10T11:12:13.5Z"));
    assertThat(stripe.attributes())
        .containsEntry("rotationInterval", "30d")
        .containsEntry("currentVersion", "3")
        .containsEntry("versions", "3")
        .containsEntry("storage", "secrets-manager")
        .containsEntry("replaceWith", "vault-dynamic")
        .doesNotContainKey("note");
    assertThat(p.items().get(1).owner()).isNull();
    assertThat(p.items().get(1).attributes())
        .containsEntry("deleteVersionAfter", "768h0m0s")
        .containsEntry("maxVersions", "5");
    assertThat(Maturity.ofImported(stripe).stage()).isEqualTo(5);
  }

  @Test
  void vaultKvGetOutputHoldsValuesAndIsRefusedWithoutEchoingThem() {
    String get =
        """
        {"path": "secret/db", "data": {"data": {"password": "%s"},
          "metadata": {"created_time": "2024-01-01T00:00:00Z", "version": 1}}}
        """
            .formatted(ImportersTest.VALUE);
    Importers.Parsed p = parse(Format.VAULT_KV_METADATA, get);
    assertThat(p.items()).isEmpty();
    assertThat(p.errors())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("vault kv metadata get"));
    assertThat(p.toString()).doesNotContain(ImportersTest.VALUE);
    Importers.Parsed noPath =
        parse(Format.VAULT_KV_METADATA, "{\"data\": {\"current_version\": 1, \"versions\": {}}}");
    assertThat(noPath.errors())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("\"path\""));
    Importers.Parsed one =
        parse(
            Format.VAULT_KV_METADATA,
            "{\"path\": \"kv/a\", \"current_version\": 1, \"created_time\": \"2024-01-01T00:00:00Z\"}");
    assertThat(one.items()).extracting(ImportedNhi::name).containsExactly("kv/a");
  }

  // --- the registry

  @Test
  void everyCloudFormatHasAWireNameAndAnImporter() {
    assertThat(
            List.of(
                Format.AWS_CREDENTIAL_REPORT,
                Format.AWS_AUTHORIZATION_DETAILS,
                Format.GCP_SERVICE_ACCOUNT_KEYS,
                Format.AZURE_CREDENTIALS,
                Format.VAULT_KV_METADATA))
        .extracting(Format::wire)
        .containsExactly(
            "aws-credential-report",
            "aws-authorization-details",
            "gcp-service-account-keys",
            "azure-credentials",
            "vault-kv-metadata");
    assertThat(Format.parse("AWS-Credential-Report")).isEqualTo(Format.AWS_CREDENTIAL_REPORT);
    assertThatThrownBy(() -> Format.parse("aws"))
        .hasMessageContaining("aws-credential-report, aws-authorization-details");
  }

  @Test
  void anExportGivenAsTheWrongFormatIsRefusedOrYieldsNothing() {
    // a credential report sent as GCP keys, a GCP listing sent as a credential report, ...
    assertThat(parse(Format.GCP_SERVICE_ACCOUNT_KEYS, sample("aws-credential-report.csv")).errors())
        .isNotEmpty();
    assertThatThrownBy(
            () -> parse(Format.AWS_CREDENTIAL_REPORT, sample("gcp-service-account-keys.json")))
        .isInstanceOf(ValidationException.class);
    assertThatThrownBy(
            () -> parse(Format.AWS_AUTHORIZATION_DETAILS, sample("vault-kv-metadata.json")))
        .isInstanceOf(ValidationException.class);
    Importers.Parsed azureAsVault = parse(Format.VAULT_KV_METADATA, sample("azure-sp-list.json"));
    assertThat(azureAsVault.items()).isEmpty();
    assertThat(azureAsVault.errors()).hasSize(3);
    Importers.Parsed vaultAsAzure =
        parse(Format.AZURE_CREDENTIALS, sample("vault-kv-metadata.json"));
    assertThat(vaultAsAzure.items()).isEmpty();
    assertThat(vaultAsAzure.errors()).isNotEmpty();
  }

  @Test
  void listAttributesAreCappedSoAHugeExportStaysASummary() {
    StringBuilder policies = new StringBuilder();
    for (int i = 0; i < 500; i++) {
      policies.append(i == 0 ? "" : ",").append("{\"PolicyName\": \"p").append(i).append("\"}");
    }
    Importers.Parsed p =
        parse(
            Format.AWS_AUTHORIZATION_DETAILS,
            "{\"UserDetailList\": [{\"UserName\": \"u\", \"AttachedManagedPolicies\": ["
                + policies
                + "]}]}");
    assertThat(p.items().getFirst().attributes().get("permissions")).endsWith(",… (+450 more)");
  }
}
