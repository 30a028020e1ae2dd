package dev.warden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.cli.CliFixture.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inventory, report, workload and owner commands against a real server. */
class InventoryCliTest {
  static final String VALUE = "ghp_CliTestSecretValue0123456789abcdef";

  @TempDir static Path dir;

  static CliFixture cli;
  static String token;

  @BeforeAll
  static void start() throws IOException {
    cli = CliFixture.start(dir, Map.of());
    token = cli.token;
    Path docs = dir.resolve("w.yaml");
    Files.writeString(
        docs,
        """
        kind: Resource
        metadata: {name: ledger}
        spec: {audience: https://ledger.acme.test, sensitivity: critical}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/api, selectors: ["k8s:sa=api"], owner: leaver@acme.test}
        ---
        kind: AccessPolicy
        metadata: {name: api-ledger}
        spec: {workloads: {spiffeIds: [spiffe://acme.test/api]}, resources: [ledger]}
        """);
    assertThat(run("apply", "-f", docs.toString()).exit()).isZero();
  }

  @AfterAll
  static void stop() {
    cli.close();
  }

  static synchronized Run run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--server", cli.url, "--token", token));
    return cli.warden(Map.of(), all.toArray(String[]::new));
  }

  @Test
  void importThenListAsJsonNeverShowsTheValue() throws Exception {
    Path env = dir.resolve("ci.env");
    Files.writeString(env, "GH_TOKEN=" + VALUE + "\nDEPLOY_KEY\n");
    Run imp =
        run(
            "inventory",
            "import",
            env.toString(),
            "--format",
            "env",
            "--source",
            "ci:acme",
            "--owner",
            "ops@acme.test");
    assertThat(imp.exit()).as(imp.err()).isZero();
    assertThat(imp.out()).contains("2 created");

    Run list = run("inventory", "list", "--kind", "env-var", "-o", "json");
    JsonNode items = new ObjectMapper().readTree(list.out()).path("items");
    assertThat(items.findValuesAsText("name")).containsExactlyInAnyOrder("GH_TOKEN", "DEPLOY_KEY");
    assertThat(
            list.out()
                + imp.out()
                + run("inventory", "list").out()
                + run("report", "posture", "-o", "json").out())
        .doesNotContain(VALUE);
  }

  @Test
  void cloudExportsImportByFormatAndPostureSaysWhatFederationReplaces() throws Exception {
    Path details = dir.resolve("aws-authorization-details.json");
    Files.writeString(
        details,
        """
        {"UserDetailList": [{"UserName": "cli-deployer", "Arn": "arn:aws:iam::111122223333:user/cli-deployer",
           "CreateDate": "2019-01-01T00:00:00Z", "SecretAccessKey": "%s"}],
         "RoleDetailList": [{"RoleName": "cli-federated", "Arn": "arn:aws:iam::111122223333:role/cli-federated",
           "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
             "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/warden.acme.test"},
             "Condition": {"StringEquals": {"warden.acme.test:sub": "spiffe://acme.test/api"}}}]}}]}
        """
            .formatted(VALUE));
    Run imp =
        run(
            "inventory",
            "import",
            details.toString(),
            "--format",
            "aws-authorization-details",
            "-o",
            "json");
    assertThat(imp.exit()).as(imp.err()).isZero();
    assertThat(new ObjectMapper().readTree(imp.out()).path("created").asInt()).isEqualTo(2);
    Run federated = run("inventory", "list", "--credential-type", "federated", "-o", "json");
    assertThat(new ObjectMapper().readTree(federated.out()).path("items").findValuesAsText("name"))
        .containsExactly("cli-federated");

    Path keys = dir.resolve("keys.json");
    Files.writeString(
        keys,
        """
        [{"keyType": "USER_MANAGED", "name": "projects/p/serviceAccounts/cli@p.iam.gserviceaccount.com/keys/k1",
          "validAfterTime": "2021-01-01T00:00:00Z", "validBeforeTime": "9999-12-31T23:59:59Z"}]
        """);
    Run gcp =
        run(
            "inventory",
            "import",
            keys.toString(),
            "--format",
            "gcp-service-account-keys",
            "--owner",
            "ops@acme.test");
    assertThat(gcp.exit()).as(gcp.err()).isZero();
    assertThat(gcp.out()).contains("1 created");
    Run posture =
        run("report", "posture", "--rule", "federation.replace-static-credential", "-o", "json");
    assertThat(posture.out())
        .contains("cli@p.iam.gserviceaccount.com/k1")
        .contains("Workload Identity Federation");
    assertThat(imp.out() + federated.out() + posture.out() + run("inventory", "list").out())
        .doesNotContain(VALUE);

    Run wrong = run("inventory", "import", keys.toString(), "--format", "aws-credential-report");
    assertThat(wrong.exit()).isEqualTo(2);
    assertThat(wrong.err()).contains("not an AWS credential report");
    assertThat(run("inventory", "import", "--help").out())
        .contains("vault-kv-metadata", "azure-credentials");
  }

  @Test
  void badCsvRowFailsWithItsLineAndPartialImportsTheRest() throws Exception {
    Path csv = dir.resolve("keys.csv");
    Files.writeString(csv, "name,kind\nOK_KEY,api-key\n\"BROKEN\n");
    Run bad = run("inventory", "import", csv.toString(), "--format", "csv");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("line 3");
    Run partial = run("inventory", "import", csv.toString(), "--format", "csv", "--partial");
    assertThat(partial.exit()).isEqualTo(1);
    assertThat(partial.out()).contains("1 created").contains("skipped line 3");
  }

  @Test
  void postureReportsAsCsvAndSelfContainedHtml() {
    Run csv = run("report", "posture", "-o", "csv");
    assertThat(csv.exit()).isEqualTo(1); // findings exist (e.g. the workload has no expiry)
    assertThat(csv.out()).startsWith("severity,owasp,ruleId,itemId,subject,evidence,remediation");
    Run html = run("report", "posture", "-o", "html");
    assertThat(html.out())
        .contains("<svg")
        .contains("lifetime.missing-expiry")
        .doesNotContain("<script")
        .doesNotContain("src=")
        .doesNotContain("href=")
        .doesNotContain("<link");
  }

  @Test
  void maturityAndBlastRadius() {
    Run m = run("report", "maturity");
    assertThat(m.exit()).isZero();
    assertThat(m.out()).contains("stage 7").contains("spiffe://acme.test/api");
    assertThat(run("report", "kpi").out()).contains("with an owner").contains("static secrets");
    Run b = run("inventory", "blast-radius", "workload:spiffe://acme.test/api");
    assertThat(b.out()).contains("score 27").contains("ledger").contains("via policy api-ledger");
  }

  @Test
  void maturityAndKpiReportsPrintWellFormedCsvAndHtml() {
    for (String report : new String[] {"maturity", "kpi"}) {
      Run csv = run("report", report, "-o", "csv");
      assertThat(csv.exit()).as(csv.err()).isZero();
      String[] rows = csv.out().split("\r\n");
      assertThat(rows.length).as(report + " csv: " + csv.out()).isGreaterThanOrEqualTo(2);
      int columns = rows[0].split(",", -1).length;
      assertThat(rows[1].split(",", -1)).as(rows[1]).hasSizeGreaterThanOrEqualTo(columns);
      Run html = run("report", report, "-o", "html");
      assertThat(html.exit()).as(html.err()).isZero();
      assertThat(html.out())
          .startsWith("<!DOCTYPE html>")
          .contains("<table>")
          .endsWith("</html>\n");
    }
  }

  @Test
  void blastRadiusOfABareSpiffeIdIsItsWorkloadsAndAnUnknownIdSaysHowIdsLook() {
    Run b = run("inventory", "blast-radius", "spiffe://acme.test/api");
    assertThat(b.exit()).as(b.err()).isZero();
    assertThat(b.out()).contains("spiffe://acme.test/api  score 27", "via policy api-ledger");
    Run unknown = run("inventory", "blast-radius", "acme-api");
    assertThat(unknown.exit()).isEqualTo(3);
    assertThat(unknown.err()).contains("'acme-api'", "workload:spiffe://");
    Run unknownWorkload = run("inventory", "blast-radius", "spiffe://acme.test/nobody");
    assertThat(unknownWorkload.exit()).isEqualTo(3);
    assertThat(unknownWorkload.err())
        .contains("no workload spiffe://acme.test/nobody in the inventory");
  }

  @Test
  void dryRunsPrintWhoUsedWhatAndWhoLosesAccessAsATableOrJsonAndChangeNothing() throws Exception {
    try (dev.warden.testkit.TestOidcIssuer gh =
        dev.warden.testkit.TestOidcIssuer.builder().audience("https://warden.acme.test").start()) {
      Path docs = dir.resolve("impact.yaml");
      Files.writeString(
          docs,
          """
          kind: TrustProvider
          metadata: {name: github}
          spec: {type: github-actions, issuer: %s, audiences: [https://warden.acme.test], algorithms: [RS256]}
          ---
          kind: Resource
          metadata: {name: billing}
          spec: {audience: https://billing.acme.test}
          ---
          kind: Workload
          spec: {spiffeId: spiffe://acme.test/gh/invoicer, selectors: ["github:repository=acme/invoicer"], owner: finance@acme.test}
          ---
          kind: AccessPolicy
          metadata: {name: invoicer-billing}
          spec: {workloads: {spiffeIds: [spiffe://acme.test/gh/invoicer]}, resources: [billing]}
          """
              .formatted(gh.issuer()));
      assertThat(run("apply", "-f", docs.toString()).exit()).isZero();
      java.net.http.HttpResponse<String> t =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(cli.url + "/oauth2/token"))
                      .header("Content-Type", "application/x-www-form-urlencoded")
                      .POST(
                          java.net.http.HttpRequest.BodyPublishers.ofString(
                              "grant_type=client_credentials"
                                  + "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
                                  + "&resource=https%3A%2F%2Fbilling.acme.test&client_assertion="
                                  + gh.githubActionsToken("acme/invoicer", "refs/heads/main")))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(t.statusCode()).as(t.body()).isEqualTo(200);

      Run human = run("workload", "retire", "spiffe://acme.test/gh/invoicer", "--dry-run");
      assertThat(human.exit()).as(human.err()).isZero();
      assertThat(human.out())
          .startsWith(
              "DRY RUN, nothing was changed. Retiring spiffe://acme.test/gh/invoicer would:")
          .contains("workload spiffe://acme.test/gh/invoicer: active -> retired")
          .contains("revoke 1 live credential(s): access_token 1")
          .contains("delete policy invoicer-billing")
          .contains("Used in the last 30d")
          .containsPattern(
              "spiffe://acme.test/gh/invoicer +billing +access_token +1 +\\S+ +LOSES \\(workload_retired")
          .contains("1 workload/resource pair(s) will lose access.");

      Run json =
          run(
              "workload",
              "retire",
              "spiffe://acme.test/gh/invoicer",
              "--dry-run",
              "--window",
              "7d",
              "-o",
              "json");
      assertThat(json.exit()).isZero();
      JsonNode r = new ObjectMapper().readTree(json.out());
      assertThat(r.path("dryRun").asBoolean()).isTrue();
      assertThat(r.path("window").asText()).isEqualTo("7d");
      assertThat(r.path("loseAccess").get(0).path("resource").asText()).isEqualTo("billing");
      assertThat(r.path("loseAccess").get(0).path("credentialKinds").get(0).asText())
          .isEqualTo("access_token");

      Run depart = run("owner", "depart", "finance@acme.test", "--suspend", "--dry-run");
      assertThat(depart.exit()).as(depart.err()).isZero();
      assertThat(depart.out())
          .contains("active -> suspended")
          .contains("LOSES (workload_suspended");

      Run lease = run("database", "revoke", r.path("revokedLeases").get(0).asText(), "--dry-run");
      assertThat(lease.exit()).as(lease.err()).isZero();
      assertThat(lease.out())
          .contains("revoke 1 live credential(s)")
          .contains("keeps (policy invoicer-billing)")
          .contains("Nobody loses access.");

      Run bad =
          run(
              "workload",
              "retire",
              "spiffe://acme.test/gh/invoicer",
              "--dry-run",
              "--window",
              "soon");
      assertThat(bad.exit()).isEqualTo(2);
      assertThat(bad.err()).contains("window");

      Run after =
          run("workload", "retire", "spiffe://acme.test/gh/invoicer", "--dry-run", "-o", "json");
      assertThat(new ObjectMapper().readTree(after.out()).path("revokedLeases"))
          .as("nothing was revoked")
          .isEqualTo(r.path("revokedLeases"));
    }
  }

  @Test
  void departWithoutADecisionOnlyListsThenRetireReports() {
    Run list = run("owner", "depart", "leaver@acme.test");
    assertThat(list.exit()).isEqualTo(1);
    assertThat(list.out()).contains("workload spiffe://acme.test/api");
    assertThat(list.err()).contains("--reassign-to");

    Run retire = run("workload", "retire", "spiffe://acme.test/other-does-not-exist");
    assertThat(retire.exit()).isEqualTo(3);
  }
}
