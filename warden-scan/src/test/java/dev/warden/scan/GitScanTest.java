package dev.warden.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitScanTest {
  @TempDir Path repo;
  private SecretScanner scanner;

  @BeforeEach
  void init() throws Exception {
    scanner = SecretScanner.builder().fingerprintKey(TestSecrets.key()).build();
    git("init", "-q", "-b", "main");
    git("config", "user.name", "Dev One");
    git("config", "user.email", "dev1@example.com");
    git("config", "commit.gpgsign", "false");
  }

  String git(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("git"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile()).redirectErrorStream(true);
    pb.environment().put("GIT_AUTHOR_DATE", "2024-03-04T05:06:07Z");
    pb.environment().put("GIT_COMMITTER_DATE", "2024-03-04T05:06:07Z");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("git " + String.join(" ", args) + ": " + out);
    }
    return out.strip();
  }

  String commit(String file, String text, String msg) throws Exception {
    Path p = repo.resolve(file);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    git("add", file);
    git("commit", "-q", "-m", msg);
    return git("rev-parse", "HEAD");
  }

  @Test
  void historyWhenSecretAddedThenRemovedThenReportedOnceWithIntroducingCommit() throws Exception {
    String pat = TestSecrets.githubPat();
    commit("README.md", "hello\n", "init");
    String introduced = commit("cfg/app.env", "A=1\nB=2\nTOKEN=" + pat + "\n", "add config");
    commit("cfg/app.env", "A=1\nB=2\nTOKEN=" + pat + "\nC=3\n", "touch config");
    commit("cfg/copy.env", "TOKEN=" + pat + "\n", "copy");
    commit("cfg/app.env", "A=1\n", "remove secret");
    ScanResult r = scanner.scanGitHistory(repo, null);
    assertThat(r.problems()).isEmpty();
    assertThat(r.stats().commits()).isEqualTo(5);
    assertThat(r.findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.commit()).isEqualTo(introduced);
              assertThat(f.path()).isEqualTo("cfg/app.env");
              assertThat(f.line()).isEqualTo(3);
              assertThat(f.author()).isEqualTo("Dev One <dev1@example.com>");
              assertThat(f.date()).startsWith("2024-03-04T05:06:07");
            });
  }

  @Test
  void historyWhenCredentialFileCommittedThenFoundByThePatchFileName() throws Exception {
    commit("README.md", "hello\n", "init");
    String key = commit("config/master.key", "3f9c1a7be2d04c58a6e1f0b97d2c4e81", "add key");
    commit("ops/.pgpass", "# h:p:d:u:pw\ndb.internal:25060:orders:app:Wn4zQ8rTk2Lm\n", "pgpass");
    String changed =
        commit("ops/.pgpass", "# h:p:d:u:pw\ndb.internal:25060:orders:app:Hr7vNq2xPz9\n", "rotate");
    commit("docs/master.key.txt", "3f9c1a7be2d04c58a6e1f0b97d2c4e81\n", "not a key file");
    ScanResult r = scanner.scanGitHistory(repo, null);
    assertThat(r.problems()).isEmpty();
    assertThat(r.findings())
        .extracting(SecretFinding::path, SecretFinding::ruleId, SecretFinding::line)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("config/master.key", "rails-master-key", 1),
            org.assertj.core.groups.Tuple.tuple("ops/.pgpass", "pgpass-password", 2),
            org.assertj.core.groups.Tuple.tuple("ops/.pgpass", "pgpass-password", 2));
    assertThat(r.findings())
        .filteredOn(f -> f.ruleId().equals("rails-master-key"))
        .singleElement()
        .satisfies(f -> assertThat(f.commit()).isEqualTo(key));
    assertThat(r.findings())
        .filteredOn(f -> f.secret().reveal().equals("Hr7vNq2xPz9"))
        .singleElement()
        .satisfies(f -> assertThat(f.commit()).isEqualTo(changed));
  }

  @Test
  void historyWhenOpenVpnPasswordChangedAloneThenNewPasswordFoundAtLineTwo() throws Exception {
    String added = commit("vpn/auth.txt", "vpnuser42\nTq8#mWz2vK!r\n", "vpn login");
    String rotated = commit("vpn/auth.txt", "vpnuser42\nHr7vNq2xPz9!\n", "rotate");
    ScanResult r = scanner.scanGitHistory(repo, null);
    assertThat(r.findings())
        .extracting(f -> f.secret().reveal() + "@" + f.line() + " " + f.commit())
        .containsExactlyInAnyOrder("Tq8#mWz2vK!r@2 " + added, "Hr7vNq2xPz9!@2 " + rotated);
  }

  @Test
  void historyWhenSecretOnlyOnOtherBranchThenStillFound() throws Exception {
    commit("a.txt", "a\n", "init");
    git("checkout", "-q", "-b", "feature");
    commit("b.txt", TestSecrets.slackBot() + "\n", "feature work");
    git("checkout", "-q", "main");
    assertThat(scanner.scanGitHistory(repo, null).findings())
        .extracting(SecretFinding::ruleId)
        .containsExactly("slack-bot-token");
  }

  @Test
  void rangeWhenSinceGivenThenOnlyNewerCommitsScanned() throws Exception {
    commit("old.txt", TestSecrets.githubPat() + "\n", "old secret");
    String base = git("rev-parse", "HEAD");
    commit("new.txt", TestSecrets.slackBot() + "\n", "new secret");
    ScanResult r = scanner.scanGitRange(repo, base, null);
    assertThat(r.findings()).extracting(SecretFinding::path).containsExactly("new.txt");
  }

  @Test
  void rangeWhenRevisionUnknownThenFatalProblem() throws Exception {
    commit("a.txt", "a\n", "init");
    ScanResult r = scanner.scanGitRange(repo, "no-such-branch", null);
    assertThat(r.incomplete()).isTrue();
    assertThat(r.problems().get(0).message()).contains("unknown revision");
  }

  @Test
  void stagedWhenSecretStagedThenFoundWithoutCommit() throws Exception {
    commit("a.txt", "a\n", "init");
    Files.writeString(repo.resolve("a.txt"), "a\nkey=" + TestSecrets.githubPat() + "\n");
    git("add", "a.txt");
    assertThat(scanner.scanStaged(repo, null).findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.commit()).isNull();
              assertThat(f.line()).isEqualTo(2);
            });
  }

  @Test
  void repositoryWhenCorruptThenClearProblemAndEarlierCommitsKept() throws Exception {
    commit("a.txt", TestSecrets.githubPat() + "\n", "first");
    commit("b.txt", "plain text that is not a secret\n", "second");
    String blob = git("rev-parse", "HEAD:b.txt");
    Path obj = repo.resolve(".git/objects/" + blob.substring(0, 2) + "/" + blob.substring(2));
    Files.delete(obj);
    ScanResult r = scanner.scanGitHistory(repo, null);
    assertThat(r.findings()).hasSize(1);
    assertThat(r.incomplete()).isTrue();
    assertThat(r.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo("git");
              assertThat(p.message()).contains("git log failed");
            });
  }

  @Test
  void directoryWhenNotARepositoryThenFatalProblem(@TempDir Path plain) {
    ScanResult r = scanner.scanGitHistory(plain, null);
    assertThat(r.incomplete()).isTrue();
    assertThat(r.problems().get(0).message()).contains("not a git repository");
  }

  @Test
  void historyWhenBinaryFileCommittedThenCountedNotScanned() throws Exception {
    Files.write(repo.resolve("x.bin"), new byte[] {0, 1, 2, 3, 'g', 'h', 'p', '_'});
    git("add", "x.bin");
    git("commit", "-q", "-m", "bin");
    ScanResult r = scanner.scanGitHistory(repo, null);
    assertThat(r.stats().skippedBinary()).isEqualTo(1);
    try (Stream<Path> s = Files.list(repo)) {
      assertThat(s.count()).isPositive();
    }
  }
}
