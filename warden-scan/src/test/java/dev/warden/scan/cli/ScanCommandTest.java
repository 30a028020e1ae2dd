package dev.warden.scan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.scan.FingerprintKey;
import dev.warden.scan.TestSecrets;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class ScanCommandTest {
  @TempDir Path dir;
  @TempDir Path home;
  private final Map<String, String> env = new HashMap<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private byte[] stdin = new byte[0];
  private ScanCommand.Login savedLogin;
  private final String pat = TestSecrets.githubPat();

  @BeforeEach
  void setUp() throws Exception {
    env.put("CI", "true");
    env.put(
        dev.warden.scan.internal.config.KeyStore.ENV,
        FingerprintKey.generate(new java.security.SecureRandom()).toBase64Url());
    Files.writeString(dir.resolve("app.env"), "GITHUB_TOKEN=" + pat + "\n");
  }

  private int run(String... args) {
    ScanCommand cmd =
        new ScanCommand(
            new ScanCommand.Environment(
                env,
                () -> new ByteArrayInputStream(stdin),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                home,
                dir,
                java.net.http.HttpClient.newHttpClient(),
                () -> java.util.Optional.ofNullable(savedLogin)));
    CommandLine cl = new CommandLine(cmd);
    cl.setOut(new java.io.PrintWriter(out, true));
    cl.setErr(new java.io.PrintWriter(err, true));
    return cl.execute(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void helpWhenAskedThenShowsExamplesAndExitCodes() {
    assertThat(run("--help")).isZero();
    assertThat(out())
        .contains("Examples:")
        .contains("--since origin/main")
        .contains("Exit codes:")
        .contains("--report");
  }

  @Test
  void scanWhenSecretFoundThenExit1AndRedactedByDefault() {
    assertThat(run(".")).isEqualTo(1);
    assertThat(out()).contains("app.env:1:14").contains("github-pat").doesNotContain(pat);
  }

  @Test
  void scanWhenShowSecretsThenFullValue() {
    assertThat(run("--show-secrets", ".")).isEqualTo(1);
    assertThat(out()).contains(pat);
  }

  @Test
  void scanWhenNothingFoundThenExit0() throws Exception {
    Files.delete(dir.resolve("app.env"));
    Files.writeString(dir.resolve("clean.txt"), "nothing here\n");
    assertThat(run(".")).isZero();
    assertThat(out()).contains("0 findings");
  }

  @Test
  void failOnWhenFindingBelowThresholdThenExit0() throws Exception {
    Files.delete(dir.resolve("app.env"));
    Files.writeString(
        dir.resolve("t.env"), "STRIPE=sk_test_" + "aB3dE5fG7hJ9kL2mN4pQ6rS8".repeat(1) + "\n");
    assertThat(run("--fail-on", "high", ".")).isZero();
    assertThat(out()).contains("stripe-test-key");
    assertThat(run("--fail-on", "low", ".")).isEqualTo(1);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "missing-dir|path does not exist",
        "--fail-on=urgent .|unknown severity",
        "--git --staged|choose one of",
        "--output=xml .|Invalid value",
        "--max-file-size=huge .|--max-file-size",
        "--config=nope.json .|cannot read config file",
        "--report .|--report needs --server",
        "--dry-run .|give it with --report"
      })
  void badInvocationWhenRunThenExit2WithMessage(String args, String message) {
    assertThat(run(args.split(" "))).isEqualTo(2);
    assertThat(err() + out()).contains(message);
  }

  @Test
  void jsonWhenRequestedThenParseableWithFingerprints() throws Exception {
    assertThat(run("-o", "json", ".")).isEqualTo(1);
    JsonNode doc = new ObjectMapper().readTree(out());
    assertThat(doc.at("/findings/0/ruleId").asText()).isEqualTo("github-pat");
    assertThat(doc.at("/findings/0/fingerprint").asText()).matches("[0-9a-f]{64}");
  }

  @Test
  void sarifWhenWrittenToFileThenStdoutEmpty() throws Exception {
    assertThat(run("-o", "sarif", "--output-file", "out.sarif", ".")).isEqualTo(1);
    assertThat(out()).isEmpty();
    assertThat(Files.readString(dir.resolve("out.sarif")))
        .contains("\"version\" : \"2.1.0\"")
        .doesNotContain(pat);
  }

  @Test
  void baselineWhenWrittenThenSecondScanSuppressesKnownFindings() throws Exception {
    assertThat(run("--write-baseline", "base.json", ".")).isEqualTo(1);
    assertThat(Files.readString(dir.resolve("base.json"))).doesNotContain(pat);
    out.reset();
    assertThat(run("--baseline", "base.json", ".")).isZero();
    Files.writeString(dir.resolve("new.env"), "T2=" + TestSecrets.slackBot() + "\n");
    out.reset();
    assertThat(run("--baseline", "base.json", ".")).isEqualTo(1);
    assertThat(out()).contains("slack-bot-token").doesNotContain("github-pat");
  }

  @Test
  void stdinWhenDashThenScanned() {
    stdin = ("build log\nexport TOKEN=" + pat + "\n").getBytes(StandardCharsets.UTF_8);
    assertThat(run("-")).isEqualTo(1);
    assertThat(out()).contains("<stdin>:2:14");
  }

  @Test
  void listRulesWhenAskedThenAtLeast80() {
    assertThat(run("--list-rules")).isZero();
    assertThat(out()).contains("github-pat").containsPattern("\\d{2,3} rules");
  }

  @Test
  void reportWhenServerMatchesThenFingerprintsUnderServerKeyAndNoSecretSent() throws Exception {
    try (FakeWardenServer server = new FakeWardenServer()) {
      server.leaseFingerprints = Set.of(server.key.fingerprint(pat));
      Files.writeString(home.resolve("token"), server.token + "\n");
      int code =
          run(
              "--report",
              "--server",
              server.url(),
              "--token-file",
              home.resolve("token").toString(),
              "-o",
              "json",
              ".");
      assertThat(code).isEqualTo(1);
      assertThat(server.reports)
          .singleElement()
          .satisfies(
              body -> {
                assertThat(body).doesNotContain(pat).doesNotContain(pat.substring(4, 20));
                JsonNode doc = new ObjectMapper().readTree(body);
                assertThat(doc.at("/findings/0/fingerprint").asText())
                    .isEqualTo(server.key.fingerprint(pat));
                assertThat(doc.at("/findings/0/ruleId").asText()).isEqualTo("github-pat");
                assertThat(doc.at("/findings/0/path").asText()).isEqualTo("app.env");
                assertThat(doc.at("/findings/0/line").asInt()).isEqualTo(1);
                assertThat(doc.at("/findings/0").has("commit")).isTrue();
              });
      assertThat(server.authHeaders).allMatch(h -> h.equals("Bearer " + server.token));
      assertThat(err()).contains("1 matched Warden leases (1 revoked)");
      assertThat(new ObjectMapper().readTree(out()).at("/findings/0/fingerprint").asText())
          .isEqualTo(server.key.fingerprint(pat));
    }
  }

  @Test
  void reportWhenTokenRejectedThenExit2AndTokenNotPrinted() throws Exception {
    try (FakeWardenServer server = new FakeWardenServer()) {
      env.put("WARDEN_TOKEN", "wrong-token-value");
      env.put("WARDEN_SERVER", server.url());
      assertThat(run("--report", ".")).isEqualTo(2);
      assertThat(err()).contains("refused the token").doesNotContain("wrong-token-value");
      assertThat(server.reports).isEmpty();
    }
  }

  @Test
  void reportWhenServerFailsThenExit2() throws Exception {
    try (FakeWardenServer server = new FakeWardenServer()) {
      server.leaksStatus = 503;
      env.put("WARDEN_TOKEN", server.token);
      assertThat(run("--report", "--server", server.url(), ".")).isEqualTo(2);
      assertThat(err()).contains("HTTP 503");
    }
  }

  @Test
  void reportWhenServerIsPlainHttpRemoteThenRefused() {
    env.put("WARDEN_TOKEN", "t");
    assertThat(run("--report", "--server", "http://warden.example.com", ".")).isEqualTo(2);
    assertThat(err()).contains("must use https");
  }

  @Test
  void reportWhenNoFlagOrEnvironmentThenUsesTheSavedLogin() throws Exception {
    try (FakeWardenServer server = new FakeWardenServer()) {
      savedLogin = new ScanCommand.Login(server.url(), server.token);
      assertThat(run("--report", ".")).as(err()).isEqualTo(1);
      assertThat(server.reports).hasSize(1);
      assertThat(server.authHeaders).isNotEmpty().allMatch(h -> h.equals("Bearer " + server.token));
    }
  }

  @Test
  void versionIsTheBuildsAndTheUserAgentSaysIt() throws Exception {
    String version = ScanCommand.Version.version();
    assertThat(version).isEqualTo(System.getProperty("warden.projectVersion"));
    assertThat(run("--version")).isZero();
    assertThat(out()).contains("warden scan " + version);
    try (FakeWardenServer server = new FakeWardenServer()) {
      savedLogin = new ScanCommand.Login(server.url(), server.token);
      run("--report", ".");
      assertThat(server.userAgents)
          .isNotEmpty()
          .allMatch(ua -> ua.equals("warden-scan/" + version));
    }
  }

  @Test
  void reportWhenAnotherServerIsNamedThenTheSavedTokenIsNotSentToIt() throws Exception {
    try (FakeWardenServer saved = new FakeWardenServer();
        FakeWardenServer other = new FakeWardenServer()) {
      savedLogin = new ScanCommand.Login(saved.url(), saved.token);
      assertThat(run("--report", "--server", other.url(), ".")).isEqualTo(2);
      assertThat(err()).contains("--report needs a token");
      assertThat(other.authHeaders).isEmpty();
    }
  }
}
