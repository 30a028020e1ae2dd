package dev.warden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.cli.CliFixture.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code warden federation check} and {@code config} against a real server with federation on. */
class FederationCliTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;

  static CliFixture cli;
  static String url;
  static String token;

  @BeforeAll
  static void start() throws IOException {
    cli =
        CliFixture.start(
            dir, Map.of("federation.enabled", "true", "federation.insecureIssuer", "true"));
    url = cli.url;
    token = cli.token;
    Path f = dir.resolve("fed.yaml");
    Files.writeString(
        f,
        """
        kind: Resource
        metadata: {name: aws-prod}
        spec: {kind: aws, audience: sts.amazonaws.com}
        ---
        kind: Resource
        metadata: {name: azure-prod}
        spec: {kind: azure, audience: "api://AzureADTokenExchange"}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/deploy, selectors: ["k8s:ns=deploy"], owner: a@acme.test}
        ---
        kind: AccessPolicy
        metadata: {name: deploy-clouds}
        spec: {workloads: {selectors: ["k8s:ns=deploy"]}, resources: [aws-prod, azure-prod], maxTtl: 30m}
        """);
    assertThat(run("apply", "-f", f.toString(), "--server", url, "--token", token).exit()).isZero();
  }

  @AfterAll
  static void stop() {
    cli.close();
  }

  static Run run(String... args) {
    return cli.warden(Map.of(), args);
  }

  @Test
  void checkOfALoopbackServerExplainsTheBrokenRulesAndExitsOne() throws Exception {
    Run r =
        run(
            "federation",
            "check",
            "aws",
            "--resource",
            "aws-prod",
            "--server",
            url,
            "--token",
            token,
            "--output",
            "json");

    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    JsonNode o = JSON.readTree(r.out());
    assertThat(o.path("ok").asBoolean()).isFalse();
    assertThat(o.path("issuer").asText()).isEqualTo(url);
    java.util.List<String> broken = new java.util.ArrayList<>();
    o.path("rules")
        .forEach(
            x -> {
              if (!x.path("ok").asBoolean()) {
                broken.add(x.path("rule").asText());
              }
            });
    assertThat(broken)
        .containsExactlyInAnyOrder(
            "issuer.https", "issuer.no-port", "tls.trusted", "discovery.jwks-uri");
    assertThat(o.path("rules").findValuesAsText("rule"))
        .contains("token.signature", "token.aud", "token.lifetime");
  }

  @Test
  void checkInTextNamesEveryRuleWithItsVerdict() {
    Run r = run("federation", "check", "azure", "--server", url, "--token", token);

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out())
        .contains(
            "BROKEN issuer.https",
            "ok     discovery.issuer",
            "ok     jwks.cloud-alg",
            "rule(s) broken: azure would refuse these tokens");
  }

  @Test
  void configPrintsTheAwsTrustPolicyForTheAllowedWorkloads() throws Exception {
    Run r =
        run(
            "federation",
            "config",
            "aws",
            "--resource",
            "aws-prod",
            "--account-id",
            "123456789012",
            "--server",
            url,
            "--token",
            token);

    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode policy = JSON.readTree(r.out());
    String host = url.substring("http://".length());
    JsonNode eq = policy.path("Statement").get(0).path("Condition").path("StringEquals");
    assertThat(eq.path(host + ":sub").get(0).asText()).isEqualTo("spiffe://acme.test/deploy");
    assertThat(eq.path(host + ":aud").asText()).isEqualTo("sts.amazonaws.com");
    assertThat(r.err()).contains("aws iam create-open-id-connect-provider");
  }

  @Test
  void configForTheWrongCloudIsRefused() {
    Run r =
        run(
            "federation",
            "config",
            "gcp",
            "--resource",
            "azure-prod",
            "--server",
            url,
            "--token",
            token);

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("federates with azure, not gcp");
  }
}
