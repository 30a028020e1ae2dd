package dev.warden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.cli.CliFixture.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warden command against a real server: apply, get, explain, and audit verify on a tampered
 * chain.
 */
class CliTest {
  @TempDir Path dir;

  CliFixture cli;
  String url;
  String token;

  @BeforeEach
  void start() throws IOException {
    cli = CliFixture.start(dir, Map.of());
    url = cli.url;
    token = cli.token;
  }

  @AfterEach
  void stop() {
    cli.close();
  }

  /**
   * An empty environment and a home directory of the test's own: no test reads or writes the real
   * ~/.config/warden.
   */
  Run warden(String... args) {
    return warden(Map.of(), args);
  }

  Run warden(Map<String, String> env, String... args) {
    return cli.warden(env, args);
  }

  Path policyFiles() throws IOException {
    Path f = dir.resolve("policy.yaml");
    Files.writeString(
        f,
        """
        kind: Resource
        metadata: {name: ledger}
        spec: {audience: https://ledger.acme.test}
        ---
        kind: Workload
        spec: {spiffeId: spiffe://acme.test/payments, selectors: ["k8s:ns=payments"], owner: a@acme.test}
        ---
        kind: AccessPolicy
        metadata: {name: payments-ledger}
        spec: {workloads: {selectors: ["k8s:ns=payments"]}, resources: [ledger], maxTtl: 2m}
        """);
    return f;
  }

  @Test
  void helpListsCommandsAndExitCodes() {
    Run r = warden("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("server", "apply", "audit", "scan", "Exit codes");
  }

  @Test
  void targetSecretSetStoresAMultiLinePemFromAFileAndTheDatabaseCommandsListIt() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
    g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
    String pem =
        "-----BEGIN PRIVATE KEY-----\n"
            + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(g.generateKeyPair().getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
    Path key = dir.resolve("client.pem");
    Files.writeString(key, pem);

    Run set =
        warden(
            "target-secret",
            "set",
            "crm-key",
            "--from-file",
            key.toString(),
            "--server",
            url,
            "--token",
            token,
            "-o",
            "json");

    assertThat(set.exit()).as(set.err()).isZero();
    assertThat(set.out())
        .contains("\"crm-key\"")
        .contains("fingerprint")
        .doesNotContain("PRIVATE KEY");
    Run list = warden("target-secret", "list", "--server", url, "--token", token, "-o", "json");
    assertThat(list.out()).contains("\"crm-key\"").doesNotContain("PRIVATE KEY");
    Run old = warden("database", "password", "list", "--server", url, "--token", token);
    assertThat(old.exit()).isZero();
    assertThat(old.out()).contains("crm-key");
    Run both =
        warden(
            "target-secret",
            "set",
            "x",
            "--from-file",
            key.toString(),
            "--from-env",
            "V",
            "--server",
            url,
            "--token",
            token);
    assertThat(both.exit()).isEqualTo(2);
  }

  @Test
  void applyIsIdempotentAndExplainExitsZeroWhenAllowed() throws IOException {
    Path f = policyFiles();
    Run first = warden("apply", "-f", f.toString(), "--server", url, "--token", token);
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).contains("AccessPolicy payments-ledger created");
    Run again = warden("apply", "-f", f.toString(), "--server", url, "--token", token, "--dry-run");
    assertThat(again.out()).contains("unchanged").doesNotContain("would be");
    Run get = warden("get", "policies", "--server", url, "--token", token, "-o", "json");
    assertThat(get.out()).contains("\"payments-ledger\"");
    Run explain =
        warden(
            "policy",
            "explain",
            "--workload",
            "spiffe://acme.test/payments",
            "--resource",
            "ledger",
            "--server",
            url,
            "--token",
            token);
    assertThat(explain.exit()).isZero();
    assertThat(explain.out()).contains("ALLOW", "payments-ledger");
  }

  @Test
  void applyWarnsOnStandardErrorWhenAPolicyNamesAResourceThatDoesNotExist() throws IOException {
    Path f = dir.resolve("dangling.yaml");
    Files.writeString(
        f,
        """
        kind: AccessPolicy
        metadata: {name: dangling}
        spec: {workloads: {spiffeIds: [spiffe://acme.test/x]}, resources: [no-such-api]}
        """);
    Run dry = warden("apply", "-f", f.toString(), "--server", url, "--token", token, "--dry-run");
    assertThat(dry.exit()).as(dry.err()).isZero();
    assertThat(dry.err())
        .contains(
            "warning: AccessPolicy dangling: spec.resources: resource 'no-such-api' does not exist");
    Run applied = warden("apply", "-f", f.toString(), "--server", url, "--token", token);
    assertThat(applied.out()).contains("AccessPolicy dangling created");
    assertThat(applied.err()).contains("'no-such-api' does not exist");
  }

  @Test
  void jwksFileNextToTheYamlIsSentInlineForAirGappedClusters() throws IOException {
    Files.writeString(
        dir.resolve("cluster-jwks.json"),
        "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"k1\",\"x\":\"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4\","
            + "\"y\":\"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM\"}]}");
    Path f = dir.resolve("tp.yaml");
    Files.writeString(
        f,
        """
        kind: TrustProvider
        metadata: {name: airgapped}
        spec: {type: kubernetes, issuer: https://k8s.internal, audiences: [warden], algorithms: [ES256], jwksFile: cluster-jwks.json}
        """);
    Run r = warden("apply", "-f", f.toString(), "--server", url, "--token", token);
    assertThat(r.exit()).as(r.err()).isZero();
    Run get =
        warden(
            "get", "trustprovider", "airgapped", "--server", url, "--token", token, "-o", "json");
    assertThat(get.out()).contains("\"kid\" : \"k1\"");
  }

  /**
   * A real token request, as a workload makes it, with a platform token of the demo issuer in
   * dir/issuer.
   */
  java.net.http.HttpResponse<String> tokenRequest(
      String platformToken, String resource, String scope) throws Exception {
    return java.net.http.HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    java.net.http.HttpRequest.BodyPublishers.ofString(
                        "grant_type=client_credentials"
                            + "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
                            + "&client_assertion="
                            + platformToken
                            + "&resource="
                            + resource
                            + (scope == null ? "" : "&scope=" + ApiClient.enc(scope))))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The demo issuer's trust provider plus {@code docs}, applied; returns a platform token for
   * payments/api.
   */
  String applyWithDemoIssuer(String docs) throws IOException {
    Path issuer = dir.resolve("issuer");
    Path tp = dir.resolve("tp.yaml");
    Files.writeString(tp, warden("dev", "issuer-init", "--dir", issuer.toString()).out());
    Path f = dir.resolve("docs.yaml");
    Files.writeString(f, docs);
    Run apply =
        warden("apply", "-f", tp.toString(), "-f", f.toString(), "--server", url, "--token", token);
    assertThat(apply.exit()).as(apply.err()).isZero();
    return warden("dev", "mint", "--dir", issuer.toString(), "--kubernetes", "payments/api")
        .out()
        .trim();
  }

  static final String QUICKSTART_LIKE =
      """
      kind: Resource
      metadata: {name: ledger}
      spec: {audience: https://ledger.acme.test}
      ---
      kind: Workload
      spec: {spiffeId: spiffe://acme.test/payments, selectors: ["k8s:ns=payments", "k8s:sa=api"], owner: a@acme.test}
      ---
      kind: AccessPolicy
      metadata: {name: payments-ledger}
      spec:
        workloads: {selectors: ["k8s:ns=payments"]}
        resources: [ledger]
        condition: request.sourceAddress.startsWith("10.") || request.sourceAddress.startsWith("127.")
        scopes: [ledger:write]
      """;

  @Test
  void explainAgreesWithTheTokenEndpointForARequestFromThisMachineAndMarksWhatItAssumed()
      throws Exception {
    String platform = applyWithDemoIssuer(QUICKSTART_LIKE);
    var real = tokenRequest(platform, "ledger", "ledger:write");
    assertThat(real.statusCode()).as(real.body()).isEqualTo(200);

    String[] explain = {
      "policy",
      "explain",
      "--workload",
      "spiffe://acme.test/payments",
      "--resource",
      "ledger",
      "--server",
      url,
      "--token",
      token
    };
    Run defaults = warden(explain);
    assertThat(defaults.exit()).as(defaults.out() + defaults.err()).isZero();
    assertThat(defaults.out())
        .contains("ALLOW")
        .containsPattern("sourceAddress +127\\.0\\.0\\.1 \\* .*--source-address")
        .containsPattern("time +\\S+ \\* +now")
        .containsPattern("claims +none \\* ");

    Run elsewhere = warden(concat(explain, "--source-address", "192.0.2.7"));
    assertThat(elsewhere.exit()).isEqualTo(1);
    assertThat(elsewhere.out())
        .contains("DENY", "condition_false")
        .containsPattern("sourceAddress +192\\.0\\.2\\.7\\n");

    var badScope = tokenRequest(platform, "ledger", "ledger:admin");
    assertThat(badScope.statusCode()).isEqualTo(400);
    Run scope = warden(concat(explain, "--scope", "ledger:admin"));
    assertThat(scope.exit()).isEqualTo(1);
    assertThat(scope.out()).contains("DENY", "invalid_scope", "ledger:admin");
  }

  @Test
  void explainEvaluatesTheClaimsGivenWithClaim() throws Exception {
    applyWithDemoIssuer(
        QUICKSTART_LIKE.replace(
            "request.sourceAddress.startsWith(\"10.\") || request.sourceAddress.startsWith(\"127.\")",
            "request.claims.env == 'prod' && 'ops' in request.claims.groups"));
    String[] explain = {
      "policy",
      "explain",
      "--workload",
      "spiffe://acme.test/payments",
      "--resource",
      "ledger",
      "--server",
      url,
      "--token",
      token
    };
    Run none = warden(explain);
    assertThat(none.exit()).isEqualTo(1);
    assertThat(none.out()).containsPattern("claims +none \\* .*--claim");
    Run given = warden(concat(explain, "--claim", "env=prod", "--claim", "groups:=[\"ops\"]"));
    assertThat(given.exit()).as(given.out() + given.err()).isZero();
    assertThat(given.out())
        .containsPattern("claims +\\{\"env\":\"prod\",\"groups\":\\[\"ops\"\\]\\}\\n");
  }

  static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  /** Issues a real access token and writes it into a file of a new tree; returns the token. */
  String leakAnAccessTokenInto(Path repo) throws Exception {
    Path issuer = dir.resolve("issuer");
    Path tp = dir.resolve("tp.yaml");
    Run init = warden("dev", "issuer-init", "--dir", issuer.toString());
    Files.writeString(tp, init.out());
    Path f = policyFiles();
    Files.writeString(
        f,
        Files.readString(f)
            .replace(
                "[\"k8s:ns=payments\"], owner", "[\"k8s:ns=payments\", \"k8s:sa=api\"], owner"));
    assertThat(
            warden(
                    "apply",
                    "-f",
                    tp.toString(),
                    "-f",
                    f.toString(),
                    "--server",
                    url,
                    "--token",
                    token)
                .exit())
        .isZero();
    String platform =
        warden("dev", "mint", "--dir", issuer.toString(), "--kubernetes", "payments/api")
            .out()
            .trim();
    var http = java.net.http.HttpClient.newHttpClient();
    var res =
        http.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    java.net.http.HttpRequest.BodyPublishers.ofString(
                        "grant_type=client_credentials"
                            + "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
                            + "&client_assertion="
                            + platform
                            + "&resource=ledger"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    String accessToken = ApiClient.JSON.readTree(res.body()).path("access_token").asText();
    Files.createDirectories(repo);
    Files.writeString(repo.resolve("deploy.env"), "LEDGER_TOKEN=" + accessToken + "\n");
    return accessToken;
  }

  @Test
  void scanReportRevokesAWardenTokenFoundInATreeWithoutSendingIt() throws Exception {
    Path repo = dir.resolve("leaky-repo");
    String accessToken = leakAnAccessTokenInto(repo);
    Path tokenFile = dir.resolve("admin.token");
    Files.writeString(tokenFile, token);
    Run scan =
        warden(
            "scan",
            "--report",
            "--server",
            url,
            "--token-file",
            tokenFile.toString(),
            "-o",
            "json",
            repo.toString());
    assertThat(scan.exit()).as(scan.err()).isEqualTo(1);
    assertThat(scan.out()).doesNotContain(accessToken);
    Run revoked =
        warden(
            "audit",
            "list",
            "--type",
            "lease.revoked",
            "--server",
            url,
            "--token",
            token,
            "-o",
            "json");
    assertThat(revoked.out()).contains("\"reason\" : \"leaked\"", "deploy.env");
  }

  @Test
  void invalidDocumentIsReportedWithFileAndFieldAndExitCode2() throws IOException {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(
        f, "kind: Workload\nspec: {spiffeId: spiffe://acme.test/x, selectors: [a:b=c]}\n");
    Run r = warden("apply", "-f", f.toString(), "--server", url, "--token", token);
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("bad.yaml", "owner");
  }

  @Test
  void yamlSyntaxErrorNamesFileLineColumnAndTheProblemOnOneLine() throws IOException {
    Path f = dir.resolve("broken.yaml");
    Files.writeString(
        f,
        "kind: Workload\nspec:\n  spiffeId: spiffe://acme.test/x\n  selectors: [a:b=c\n  owner: a@acme.test\n");
    Run r = warden("apply", "-f", f.toString(), "--server", url, "--token", token);
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .startsWith("error: " + f + ":5:8: not valid YAML: expected ',' or ']'")
        .contains("flow sequence that starts at 4:14");
    assertThat(r.err().strip().lines()).hasSize(1);

    Files.writeString(
        f, "kind: Resource\nmetadata: {name: a}\nspec:\n\taudience: https://a.test\n");
    Run tab = warden("apply", "-f", f.toString(), "--server", url, "--token", token);
    assertThat(tab.err()).startsWith("error: " + f + ":4:1: not valid YAML:").contains("TAB");
  }

  @Test
  void yamlKeyGivenTwiceIsRefusedWithItsLine() throws IOException {
    Path f = dir.resolve("twice.yaml");
    Files.writeString(
        f,
        "kind: Resource\nmetadata: {name: a}\nspec:\n  audience: https://a.test\n  audience: https://b.test\n");
    Run r = warden("apply", "-f", f.toString(), "--server", url, "--token", token);
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: " + f + ":5:").contains("audience");
  }

  @Test
  void invalidDocumentIsReportedWithTheLineItStartsOn() throws IOException {
    Path f = dir.resolve("second.yaml");
    Files.writeString(
        f,
        "kind: Resource\nmetadata: {name: a}\nspec: {audience: https://a.test}\n---\n"
            + "kind: Workload\nspec: {spiffeId: spiffe://acme.test/x, selectors: [a:b=c]}\n");
    Run r = warden("apply", "-f", f.toString(), "--server", url, "--token", token);
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: " + f + ":5: document 2: ").contains("owner");
  }

  @Test
  void auditVerifyPassesOnAnIntactChainAndNamesTheFirstChangedRemovedOrReorderedEvent()
      throws Exception {
    warden("apply", "-f", policyFiles().toString(), "--server", url, "--token", token);
    Run ok = warden("audit", "verify", "--server", url, "--token", token, "-o", "json");
    assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
    assertThat(ok.out()).contains("\"intact\" : true");

    String jdbc = "jdbc:h2:file:" + dir.resolve("data").toAbsolutePath() + "/warden";
    try (Connection c = DriverManager.getConnection(jdbc, "warden", "");
        Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 3");
      Run changed = warden("audit", "verify", "--server", url, "--token", token);
      assertThat(changed.exit()).isEqualTo(1);
      assertThat(changed.out()).contains("event 3", "changed");
    }
  }

  @Test
  void auditVerifyNamesARemovedEvent() throws Exception {
    warden("apply", "-f", policyFiles().toString(), "--server", url, "--token", token);
    String jdbc = "jdbc:h2:file:" + dir.resolve("data").toAbsolutePath() + "/warden";
    try (Connection c = DriverManager.getConnection(jdbc, "warden", "");
        Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM audit_events WHERE seq = 2");
    }
    Run removed = warden("audit", "verify", "--server", url, "--token", token);
    assertThat(removed.exit()).isEqualTo(1);
    assertThat(removed.out()).contains("event 2", "removed");
  }

  @Test
  void keysRotateTakesAPurposeAndListShowsIt() {
    Run rotated =
        warden(
            "keys", "rotate", "--purpose", "jwt-svid", "--now", "--server", url, "--token", token);
    assertThat(rotated.exit()).as(rotated.err()).isZero();
    assertThat(rotated.out()).startsWith("new jwt-svid key ").contains(" is active; retired ");
    Run list = warden("keys", "list", "--server", url, "--token", token);
    assertThat(list.out()).contains("PURPOSE", "access-token", "jwt-svid");

    Run bad = warden("keys", "rotate", "--purpose", "jwt_svid", "--server", url, "--token", token);
    assertThat(bad.exit()).isNotZero();
    assertThat(bad.err()).contains("access-token, jwt-svid, federation or audit-checkpoint");
  }

  @Test
  void scanReportWithoutServerOrTokenUsesTheSavedLogin() throws Exception {
    Path repo = dir.resolve("leaky-repo");
    leakAnAccessTokenInto(repo);
    Map<String, String> env = Map.of("XDG_CONFIG_HOME", dir.resolve("xdg").toString());
    Run login = warden(env, "login", "--server", url, "--token", token);
    assertThat(login.exit()).as(login.err()).isZero();
    assertThat(dir.resolve("xdg/warden/credentials.json")).exists();
    assertThat(dir.resolve("home/.config")).doesNotExist();

    Run scan = warden(env, "scan", "--report", "--no-progress", repo.toString());
    assertThat(scan.exit()).as(scan.err()).isEqualTo(1);
    assertThat(scan.err()).contains("1 matched Warden leases (1 revoked)");
  }

  @Test
  void serverWithoutASchemeOnLoopbackMeansHttp() {
    Run r =
        warden("get", "policies", "--server", url.substring("http://".length()), "--token", token);
    assertThat(r.exit()).as(r.err()).isZero();
  }

  @Test
  void serverThatIsNotAUrlIsOneLineWithAnExampleAndExit2() {
    for (String bad : new String[] {"ftp://127.0.0.1:8080", "http://", "not a url", ":8080"}) {
      Run r = warden("get", "policies", "--server", bad, "--token", token);
      assertThat(r.exit()).as(bad).isEqualTo(2);
      assertThat(r.err())
          .as(bad)
          .startsWith("error: ")
          .contains("use a URL such as http://127.0.0.1:8080")
          .doesNotContain("Exception")
          .doesNotContain("\tat ");
      assertThat(r.err().strip().lines()).as(bad).hasSize(1);
    }
  }
}
