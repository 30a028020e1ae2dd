package dev.warden.core.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.core.crypto.Fingerprinter;
import dev.warden.core.error.ValidationException;
import dev.warden.core.inventory.Importers.Format;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImportersTest {
  static final Importers.Defaults D =
      new Importers.Defaults(null, "alice@acme.test", "payments", "prod", null);
  static final Fingerprinter FPR = new Fingerprinter(new byte[32]);
  static final String VALUE = "sk_live_51HxQzSuperSecretValue";

  static Importers.Parsed parse(Format f, String text) {
    return Importers.parse(f, text, null, D, FPR);
  }

  @Test
  void githubSecretListKeepsNamesAndRotationTimes() {
    Importers.Parsed p =
        parse(
            Format.CI_VARIABLES,
            """
        [{"name": "NPM_TOKEN", "updatedAt": "2025-03-04T05:06:07Z", "visibility": "private"},
         {"name": "DEPLOY_KEY", "updatedAt": "2026-11-01T00:00:00Z"}]
        """);
    assertThat(p.errors()).isEmpty();
    assertThat(p.items())
        .extracting(ImportedNhi::kind, ImportedNhi::name)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ci-secret", "NPM_TOKEN"),
            org.assertj.core.groups.Tuple.tuple("ci-secret", "DEPLOY_KEY"));
    ImportedNhi npm = p.items().get(0);
    assertThat(npm.lastRotatedAt()).isEqualTo(java.time.Instant.parse("2025-03-04T05:06:07Z"));
    assertThat(npm.attributes()).containsEntry("visibility", "private");
    assertThat(npm.fingerprint()).isNull();
    assertThat(npm.owner()).isEqualTo("alice@acme.test");
  }

  @Test
  void gitlabVariablesFingerprintSecretValuesNeverKeepThemAndSkipPlainConfiguration() {
    Importers.Parsed p =
        parse(
            Format.CI_VARIABLES,
            """
        [{"variable_type": "env_var", "key": "STRIPE_KEY", "value": "%s", "protected": true, "masked": true,
          "raw": false, "environment_scope": "production", "description": null},
         {"variable_type": "env_var", "key": "DB_PASSWORD", "value": "%s", "protected": false, "masked": false,
          "environment_scope": "*"},
         {"variable_type": "env_var", "key": "LOG_LEVEL", "value": "debug", "protected": false, "masked": false}]
        """
                .formatted(VALUE, VALUE));
    assertThat(p.errors()).isEmpty();
    assertThat(p.skipped()).as("LOG_LEVEL is configuration, not a credential").isEqualTo(1);
    assertThat(p.items())
        .extracting(ImportedNhi::name)
        .containsExactly("STRIPE_KEY", "DB_PASSWORD");
    ImportedNhi stripe = p.items().get(0);
    assertThat(stripe.environment()).isEqualTo("production");
    assertThat(stripe.attributes())
        .containsEntry("masked", "true")
        .containsEntry("protected", "true");
    assertThat(p.items().get(1).environment()).as("* scope takes the default").isEqualTo("prod");
    // the same value in two variables is recognisable (NHI9) without being kept
    assertThat(stripe.fingerprint())
        .isEqualTo(FPR.fingerprint(VALUE))
        .isEqualTo(p.items().get(1).fingerprint());
    assertThat(p.items().toString()).doesNotContain(VALUE).doesNotContain("sk_live");
  }

  @Test
  void ciVariablesBadRowsAreReportedByLineWithoutTheirValues() {
    Importers.Parsed p =
        parse(
            Format.CI_VARIABLES,
            """
        [{"name": "GOOD_TOKEN"},
         {"value": "%s"},
         {"name": "OLD_TOKEN", "updatedAt": "yesterday"},
         "NOT_AN_OBJECT"]
        """
                .formatted(VALUE));
    assertThat(p.items()).extracting(ImportedNhi::name).containsExactly("GOOD_TOKEN");
    assertThat(p.errors()).extracting(Importers.LineError::line).containsExactly(2, 3, 4);
    assertThat(p.errors().toString()).doesNotContain(VALUE);
    Importers.Parsed broken =
        parse(Format.CI_VARIABLES, "[{\"name\": \"A_TOKEN\", \"value\": \"" + VALUE);
    assertThat(broken.errors())
        .singleElement()
        .extracting(Importers.LineError::message)
        .asString()
        .startsWith("malformed JSON")
        .doesNotContain(VALUE);
    // an unquoted value is a token Jackson would quote in its message: only the place is reported
    Importers.Parsed unquoted =
        parse(Format.CI_VARIABLES, "[{\"key\": \"A_TOKEN\", \"value\": " + VALUE + "}]");
    assertThat(unquoted.errors())
        .singleElement()
        .extracting(Importers.LineError::message)
        .asString()
        .startsWith("malformed JSON at line 1")
        .doesNotContain(VALUE)
        .doesNotContain("sk_live");
    for (Format f : new Format[] {Format.JSON, Format.K8S}) {
      String text = "[{\"name\": \"A\", \"owner\": " + VALUE + "}]";
      try {
        assertThat(parse(f, text).errors().toString()).doesNotContain("sk_live");
      } catch (ValidationException e) {
        assertThat(e.getMessage()).contains("malformed JSON").doesNotContain("sk_live");
      }
    }
    assertThatThrownBy(() -> parse(Format.CI_VARIABLES, "{\"name\": \"X\"}"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("gh secret list");
  }

  @Test
  void k8sDumpYieldsServiceAccountsAndTokenAndOpaqueSecretsByNameOnly() {
    String dump =
        """
        {"apiVersion": "v1", "kind": "List", "items": [
          {"kind": "ServiceAccount", "metadata": {"name": "api", "namespace": "payments",
            "creationTimestamp": "2026-01-02T03:04:05Z", "labels": {"team": "pay"}}, "secrets": [{"name": "api-token"}]},
          {"kind": "Secret", "type": "kubernetes.io/service-account-token", "metadata": {"name": "api-token",
            "namespace": "payments", "annotations": {"kubernetes.io/service-account.name": "api",
            "warden.dev/owner": "bob@acme.test"}}, "data": {"token": "%s"}},
          {"kind": "Secret", "type": "Opaque", "metadata": {"name": "db", "namespace": "payments"},
            "data": {"password": "%s", "user": "YWRtaW4="}},
          {"kind": "Secret", "type": "kubernetes.io/tls", "metadata": {"name": "tls", "namespace": "payments"}}
        ]}
        """
            .formatted(VALUE, VALUE);
    Importers.Parsed p = parse(Format.K8S, dump);

    assertThat(p.errors()).isEmpty();
    assertThat(p.skipped()).isEqualTo(1);
    assertThat(p.items())
        .extracting(ImportedNhi::kind, ImportedNhi::name)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("k8s-service-account", "payments/api"),
            org.assertj.core.groups.Tuple.tuple("k8s-secret", "payments/api-token"),
            org.assertj.core.groups.Tuple.tuple("k8s-secret", "payments/db"));
    assertThat(p.items().get(0).team()).isEqualTo("pay");
    assertThat(p.items().get(1).owner()).isEqualTo("bob@acme.test");
    assertThat(p.items().get(1).attributes()).containsEntry("serviceAccount", "payments/api");
    assertThat(p.items().get(2).attributes()).containsEntry("keys", "password,user");
    assertThat(p.items().toString()).doesNotContain(VALUE).doesNotContain("YWRtaW4=");
  }

  @Test
  void githubWorkflowListsSecretsPermissionsAndOidc() throws Exception {
    String yaml =
        """
        name: deploy
        on: push
        permissions:
          contents: read
        jobs:
          deploy:
            permissions:
              id-token: write
            steps:
              - run: ./deploy.sh
                env:
                  AWS_KEY: ${{ secrets.AWS_ACCESS_KEY_ID }}
                  TOKEN: ${{ secrets.GITHUB_TOKEN }}
              - run: echo ${{ secrets.NPM_TOKEN }}
        """;
    // core has no YAML parser; this workflow is also valid as the tree a caller would pass
    var tree =
        new ObjectMapper()
            .readTree(
                """
        {"name": "deploy", "permissions": {"contents": "read"},
         "jobs": {"deploy": {"permissions": {"id-token": "write"}}}}""");
    Importers.Parsed p =
        Importers.parse(
            Format.GITHUB_WORKFLOW,
            yaml,
            tree,
            new Importers.Defaults(
                "github:acme/api", "o", null, null, ".github/workflows/deploy.yml"),
            null);

    ImportedNhi wf = p.items().getFirst();
    assertThat(wf.kind()).isEqualTo("github-workflow");
    assertThat(wf.name()).isEqualTo(".github/workflows/deploy.yml");
    assertThat(wf.attributes())
        .containsEntry("oidc", "true")
        .containsEntry("secrets", "AWS_ACCESS_KEY_ID,NPM_TOKEN")
        .containsEntry("permissions", "contents:read,deploy.id-token:write");
    assertThat(p.items().subList(1, 3))
        .extracting(ImportedNhi::name)
        .containsExactly("AWS_ACCESS_KEY_ID", "NPM_TOKEN");
  }

  @Test
  void envImportKeepsNamesAndFingerprintsNeverValues() {
    String env =
        """
        # comment
        export STRIPE_KEY=%s
        DB_PASSWORD="%s"
        EMPTY=
        JUST_A_NAME
        """
            .formatted(VALUE, VALUE);
    Importers.Parsed p = parse(Format.ENV, env);

    assertThat(p.errors()).isEmpty();
    assertThat(p.items())
        .extracting(ImportedNhi::name)
        .containsExactly("STRIPE_KEY", "DB_PASSWORD", "EMPTY", "JUST_A_NAME");
    assertThat(p.items().get(0).fingerprint())
        .isEqualTo(FPR.fingerprint(VALUE))
        .isEqualTo(p.items().get(1).fingerprint());
    assertThat(p.items().get(2).fingerprint()).isNull();
    assertThat(p.toString()).doesNotContain(VALUE).doesNotContain("sk_live");
  }

  @Test
  void envLineThatIsNotAnAssignmentIsReportedWithoutEchoingIt() {
    Importers.Parsed p = parse(Format.ENV, "OK=1\n" + VALUE + " and more\n");
    assertThat(p.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.line()).isEqualTo(2);
              assertThat(e.message()).doesNotContain(VALUE);
            });
  }

  @Test
  void csvWithBadRowReportsItsLine() {
    String csv =
        """
        name,kind,owner,environment,expiresAt,rotation_policy
        STRIPE,api-key,alice@acme.test,prod,2027-01-01T00:00:00Z,manual
        "BROKEN,api-key,x
        OTHER,api-key,bob@acme.test,dev,not-a-time,none
        """;
    Importers.Parsed p = parse(Format.CSV, csv);

    assertThat(p.items()).extracting(ImportedNhi::name).containsExactly("STRIPE");
    assertThat(p.items().getFirst().attributes()).containsEntry("rotation_policy", "manual");
    assertThat(p.errors()).extracting(Importers.LineError::line).containsExactly(3, 4);
  }

  @Test
  void csvHeaderWithUnterminatedQuoteIsRejectedNotACrash() {
    // regression: found by ImportersFuzzTest (splitCsv returned null for the header)
    assertThatThrownBy(() -> parse(Format.CSV, "\"22[6"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("line 1");
  }

  @Test
  void csvWithAValueColumnIsRefused() {
    assertThatThrownBy(() -> parse(Format.CSV, "name,value\nA," + VALUE + "\n"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("names only")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(VALUE));
  }

  @Test
  void jsonItemsWithLinesDuplicatesMergedAndValueFieldsRefused() {
    String json =
        """
        [
          {"name": "A", "kind": "api-key", "owner": "o1"},
          {"name": "A", "kind": "api-key", "team": "t"},
          {"name": "B", "secret": "%s"},
          {"name": "C", "attributes": {"workload": "spiffe://acme.test/api"}}
        ]
        """
            .formatted(VALUE);
    Importers.Parsed p =
        Importers.parse(
            Format.JSON, json, null, new Importers.Defaults(null, null, null, null, null), FPR);

    assertThat(p.items()).extracting(ImportedNhi::name).containsExactly("A", "C");
    assertThat(p.items().getFirst().owner()).isEqualTo("o1");
    assertThat(p.items().getFirst().team()).isEqualTo("t");
    assertThat(p.duplicates()).containsExactly("import/api-key/A");
    assertThat(p.errors()).singleElement().satisfies(e -> assertThat(e.line()).isEqualTo(4));
    assertThat(p.items().get(1).attributes()).containsEntry("workload", "spiffe://acme.test/api");
    assertThat(p.toString()).doesNotContain(VALUE);
  }

  @Test
  void malformedJsonReportsTheLine() {
    Importers.Parsed p = parse(Format.JSON, "[\n {\"name\": \"A\"},\n {\"name\": \n]");
    assertThat(p.errors()).singleElement().satisfies(e -> assertThat(e.line()).isEqualTo(4));
  }

  @Test
  void unknownFormatNamesTheAcceptedOnes() {
    assertThatThrownBy(() -> Format.parse("xml"))
        .hasMessageContaining("k8s, github-workflow, env, csv, json");
    assertThat(Arrays.stream(Format.values()).map(Format::wire)).contains("github-workflow");
  }
}
