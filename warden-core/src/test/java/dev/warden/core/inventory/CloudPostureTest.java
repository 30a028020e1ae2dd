package dev.warden.core.inventory;

import static dev.warden.core.inventory.FactsBuilder.rule;
import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.inventory.Importers.Format;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Posture over the sample cloud exports, at the fixed time of {@link FactsBuilder} (2027-03-01):
 * which static credentials federation can replace and with what, the root user's key, roles any
 * token of an issuer may assume, and expired credentials.
 */
class CloudPostureTest {

  static List<Finding> findingsOf(Format f, String sample) {
    FactsBuilder b = new FactsBuilder();
    CloudImportersTest.parse(f, CloudImportersTest.sample(sample)).items().forEach(b::imported);
    return b.findings();
  }

  static Map<String, Finding> bySubject(List<Finding> findings) {
    return findings.stream().collect(Collectors.toMap(Finding::subject, x -> x, (a, b) -> a));
  }

  @Test
  void awsAccessKeysAreReplaceableByWebIdentityAndAPersonsKeySaysSo() {
    List<Finding> all = findingsOf(Format.AWS_CREDENTIAL_REPORT, "aws-credential-report.csv");
    Map<String, Finding> fed = bySubject(rule(all, Posture.FEDERATION_AVAILABLE));

    assertThat(fed.keySet())
        .containsExactlyInAnyOrder(
            "<root_account>/access_key_1",
            "ci-deployer/access_key_1",
            "ci-deployer/access_key_2",
            "alice/access_key_1");
    Finding ci = fed.get("ci-deployer/access_key_1");
    assertThat(ci.owasp()).isEqualTo("NHI7");
    assertThat(ci.severity()).isEqualTo(Finding.Severity.MEDIUM);
    assertThat(ci.evidence())
        .contains("AWS access key from aws:123456789012")
        .contains("s3 in eu-west-1");
    assertThat(ci.remediation())
        .contains("sts:AssumeRoleWithWebIdentity")
        .contains("Warden's issuer")
        .doesNotContain("person");
    assertThat(fed.get("ci-deployer/access_key_2").evidence()).contains("never used");
    assertThat(fed.get("alice/access_key_1").remediation())
        .startsWith("if a workload uses it")
        .contains("IAM Identity Center");
    // the signing certificate is a static credential, but not one federation replaces
    assertThat(rule(all, Posture.LONG_LIVED))
        .extracting(Finding::subject)
        .contains("legacy-soap/cert_1");
    assertThat(fed).doesNotContainKey("legacy-soap/cert_1");
  }

  @Test
  void theRootUsersAccessKeyIsCriticalAndTheRootAccountItselfIsNoCredential() {
    List<Finding> all = findingsOf(Format.AWS_CREDENTIAL_REPORT, "aws-credential-report.csv");
    assertThat(rule(all, Posture.ROOT_ACCESS_KEY))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.subject()).isEqualTo("<root_account>/access_key_1");
              assertThat(x.severity()).isEqualTo(Finding.Severity.CRITICAL);
              assertThat(x.remediation()).contains("delete the root user's access keys");
            });
    assertThat(all.stream().filter(x -> x.subject().equals("<root_account>")).map(Finding::ruleId))
        .as("no lifetime or staleness rule on the account, only ownership")
        .containsExactly(Posture.NO_OWNER);
  }

  @Test
  void rolesAreIdentitiesAndOnlyAnUnconstrainedWebIdentityTrustIsFlagged() {
    List<Finding> all =
        findingsOf(Format.AWS_AUTHORIZATION_DETAILS, "aws-authorization-details.json");
    assertThat(rule(all, Posture.UNCONSTRAINED_WEB_IDENTITY))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.subject()).isEqualTo("warden-any-workload");
              assertThat(x.owasp()).isEqualTo("NHI6");
              assertThat(x.evidence()).contains("warden.acme.test");
            });
    assertThat(all)
        .extracting(Finding::ruleId)
        .doesNotContain(
            Posture.FEDERATION_AVAILABLE,
            Posture.LONG_LIVED,
            Posture.MISSING_EXPIRY,
            Posture.ROTATION_OVERDUE);
    // last used 2023-01-01 and 2026-01-30, both more than 90 days before 2027-03-01
    assertThat(rule(all, Posture.STALE))
        .extracting(Finding::subject)
        .containsExactlyInAnyOrder("lambda-billing", "github-deploy");
    FactsBuilder b = new FactsBuilder();
    CloudImportersTest.parse(
            Format.AWS_AUTHORIZATION_DETAILS,
            CloudImportersTest.sample("aws-authorization-details.json"))
        .items()
        .forEach(b::imported);
    assertThat(
            Inventory.list(
                b.build(), new Inventory.Filter(null, null, null, null, CredentialType.FEDERATED)))
        .extracting(InventoryItem::name)
        .containsExactly("github-deploy", "warden-any-workload")
        .hasSize(2);
    assertThat(Maturity.assess(b.build()).subjects())
        .extracting(Maturity.Assessment::subject, Maturity.Assessment::stage)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("github-deploy", 6),
            org.assertj.core.groups.Tuple.tuple("warden-any-workload", 6));
  }

  @Test
  void gcpUserManagedKeysAreReplaceableByWorkloadIdentityFederationUntilTheyExpire() {
    List<Finding> all =
        findingsOf(Format.GCP_SERVICE_ACCOUNT_KEYS, "gcp-service-account-keys.json");
    assertThat(rule(all, Posture.FEDERATION_AVAILABLE))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.subject()).startsWith("ci-deployer@");
              assertThat(x.remediation()).contains("Workload Identity Federation");
            });
    // the etl key expired on 2026-03-01: only the clutter is left to report
    assertThat(all.stream().filter(x -> x.subject().startsWith("etl@")).map(Finding::ruleId))
        .containsExactlyInAnyOrder(Posture.EXPIRED, Posture.NO_OWNER);
  }

  @Test
  void azureSecretsAreReplaceableByFederatedCredentialsAndExpiredOnesAreOnlyClutter() {
    List<Finding> all = findingsOf(Format.AZURE_CREDENTIALS, "azure-sp-list.json");
    Map<String, Finding> fed = bySubject(rule(all, Posture.FEDERATION_AVAILABLE));
    assertThat(fed.keySet())
        .containsExactlyInAnyOrder(
            "billing-api/c0ffee00-1234-4abc-9def-000000000002",
            "billing-api/c0ffee00-1234-4abc-9def-000000000001",
            "Zahlungsdienst-Überweisung 支付/c0ffee00-1234-4abc-9def-000000000004");
    assertThat(fed.values())
        .allSatisfy(x -> assertThat(x.remediation()).contains("federated identity credential"));
    assertThat(rule(all, Posture.EXPIRED))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.subject()).isEqualTo("billing-api/c0ffee00-1234-4abc-9def-000000000003");
              assertThat(x.severity()).isEqualTo(Finding.Severity.LOW);
              assertThat(x.evidence()).contains("2023-01-15T10:00:00Z");
            });
    assertThat(rule(all, Posture.LONG_LIVED))
        .extracting(Finding::subject)
        .doesNotContain("billing-api/c0ffee00-1234-4abc-9def-000000000003");
  }

  @Test
  void vaultStaticSecretsAreReplaceableByDynamicOrBrokeredCredentialsAndKeepTheirOwnSchedule() {
    List<Finding> all = findingsOf(Format.VAULT_KV_METADATA, "vault-kv-metadata.json");
    assertThat(rule(all, Posture.FEDERATION_AVAILABLE))
        .extracting(Finding::subject)
        .containsExactlyInAnyOrder("secret/payments/stripe", "secret/équipe/数据库");
    assertThat(rule(all, Posture.FEDERATION_AVAILABLE).getFirst().remediation())
        .contains("dynamic credential")
        .contains("broker");
    assertThat(rule(all, Posture.ROTATION_OVERDUE))
        .filteredOn(x -> x.subject().equals("secret/payments/stripe"))
        .singleElement()
        .satisfies(x -> assertThat(x.evidence()).contains("its rotation schedule"));
  }

  @Test
  void aCsvItemCanAskForTheSameAdviceAndAnUnknownPathIsIgnored() {
    FactsBuilder b =
        new FactsBuilder()
            .imported(
                new ImportedNhi(
                    "csv",
                    "api-key",
                    "A",
                    "o",
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    Map.of("replaceWith", "gcp-workload-identity")))
            .imported(
                new ImportedNhi(
                    "csv",
                    "api-key",
                    "B",
                    "o",
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    Map.of("replaceWith", "magic")));
    assertThat(rule(b.findings(), Posture.FEDERATION_AVAILABLE))
        .extracting(Finding::subject)
        .containsExactly("A");
  }
}
