package dev.warden.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.warden.scan.internal.source.TreeScanner;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeScanTest {
  @TempDir Path dir;
  private final FingerprintKey key = TestSecrets.key();

  private ScanResult scan(SecretScanner.Builder b, Path... roots) throws ScanException {
    return b.fingerprintKey(key).build().scanTree(List.of(roots), new ScanProgress());
  }

  private void write(String rel, String text) throws IOException {
    Path p = dir.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  @Test
  void treeWhenSecretsInNestedFilesThenFoundSortedWithRelativePaths() throws Exception {
    write("b/c.env", "T=" + TestSecrets.githubPat() + "\n");
    write("a.py", "x = 1\ny = '" + TestSecrets.slackBot() + "'\n");
    ScanResult r = scan(SecretScanner.builder(), dir);
    assertThat(r.findings())
        .extracting(SecretFinding::path, SecretFinding::line)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a.py", 2),
            org.assertj.core.groups.Tuple.tuple("b/c.env", 1));
    assertThat(r.stats().files()).isEqualTo(2);
    assertThat(r.problems()).isEmpty();
  }

  @Test
  void credentialFilesWhenKnownByTheirPathThenFoundUnderTheirRelativePath() throws Exception {
    write("config/master.key", "3f9c1a7be2d04c58a6e1f0b97d2c4e81");
    write("ops/.pgpass", "db.internal:25060:orders:app:Wn4zQ8rTk2Lm\n");
    write("notes/master.txt", "3f9c1a7be2d04c58a6e1f0b97d2c4e81");
    ScanResult r = scan(SecretScanner.builder(), dir);
    assertThat(r.findings())
        .extracting(SecretFinding::path, SecretFinding::ruleId)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("config/master.key", "rails-master-key"),
            org.assertj.core.groups.Tuple.tuple("ops/.pgpass", "pgpass-password"));
  }

  @Test
  void pathWhenMissingThenFatalProblemAndOtherPathsStillScanned() throws Exception {
    write("ok.txt", TestSecrets.githubPat());
    ScanResult r = scan(SecretScanner.builder(), dir.resolve("nope"), dir.resolve("ok.txt"));
    assertThat(r.findings()).hasSize(1);
    assertThat(r.incomplete()).isTrue();
    assertThat(r.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo("not-found");
              assertThat(p.message()).contains("does not exist");
            });
  }

  @Test
  void fileWhenUnreadableThenWarningAndScanGoesOn() throws Exception {
    write("locked.txt", TestSecrets.githubPat());
    write("open.txt", TestSecrets.githubPat());
    // A fake file system that refuses one file, as a real one does for mode 000 (tests run as root
    // here).
    TreeScanner.Opener refusing =
        p -> {
          if (p.getFileName().toString().equals("locked.txt")) {
            throw new AccessDeniedException(p.toString());
          }
          return TreeScanner.Options.defaultOpener().open(p);
        };
    ScanResult r = scan(SecretScanner.builder().opener(refusing), dir);
    assertThat(r.findings()).extracting(SecretFinding::path).containsExactly("open.txt");
    assertThat(r.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo("unreadable");
              assertThat(p.message()).contains("locked.txt").contains("permission denied");
              assertThat(p.fatal()).isFalse();
            });
  }

  @Test
  void fileWhenModeIsZeroThenReportedUnreadable() throws Exception {
    assumeThat(System.getProperty("user.name")).isNotEqualTo("root");
    write("locked.txt", TestSecrets.githubPat());
    Path p = dir.resolve("locked.txt");
    Files.setPosixFilePermissions(p, java.util.Set.of());
    ScanResult r = scan(SecretScanner.builder(), dir);
    assertThat(r.problems()).extracting(ScanProblem::kind).containsExactly("unreadable");
  }

  @Test
  void symlinkWhenBrokenThenWarned() throws Exception {
    Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("missing-target"));
    ScanResult r = scan(SecretScanner.builder(), dir);
    assertThat(r.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo("broken-symlink");
              assertThat(p.fatal()).isFalse();
            });
  }

  @Test
  void symlinkLoopWhenFollowingThenReportedAndScanFinishes() throws Exception {
    write("d/file.txt", TestSecrets.githubPat());
    Files.createSymbolicLink(dir.resolve("d/loop"), dir.resolve("d"));
    ScanResult r = scan(SecretScanner.builder().followSymlinks(true), dir);
    assertThat(r.findings()).hasSize(1);
    assertThat(r.problems()).extracting(ScanProblem::kind).containsExactly("symlink-loop");
  }

  @Test
  void fileWhenLargerThanLimitThenSkippedCountedAndExplained() throws Exception {
    write("big.txt", "x".repeat(5000) + TestSecrets.githubPat());
    write("small.txt", TestSecrets.githubPat());
    ScanResult r = scan(SecretScanner.builder().maxFileSize(1000), dir);
    assertThat(r.findings()).extracting(SecretFinding::path).containsExactly("small.txt");
    assertThat(r.stats().skippedLarge()).isEqualTo(1);
    assertThat(r.problems())
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("big.txt").contains("limit"));
  }

  @Test
  void fileWhenBinaryThenSkippedAndCounted() throws Exception {
    Files.write(dir.resolve("blob.data"), ("\0\1\2" + TestSecrets.githubPat()).getBytes());
    Files.write(dir.resolve("img.png"), TestSecrets.githubPat().getBytes());
    ScanResult r = scan(SecretScanner.builder(), dir);
    assertThat(r.findings()).isEmpty();
    assertThat(r.stats().skippedBinary()).isEqualTo(2);
  }

  @Test
  void gitignoreWhenHonouredThenIgnoredFilesSkippedUnlessDisabled() throws Exception {
    write(".gitignore", "*.log\n/build/\n!keep.log\n");
    write("app.log", TestSecrets.githubPat());
    write("keep.log", TestSecrets.githubPat());
    write("build/out.txt", TestSecrets.githubPat());
    write("src/build/x.txt", TestSecrets.githubPat());
    assertThat(scan(SecretScanner.builder(), dir).findings())
        .extracting(SecretFinding::path)
        .containsExactly("keep.log", "src/build/x.txt");
    assertThat(scan(SecretScanner.builder().gitignore(false), dir).findings()).hasSize(4);
  }

  @Test
  void configWhenExcludingAndAllowListingThenSuppressed() throws Exception {
    String pat = TestSecrets.githubPat();
    write("vendor/lib.js", pat);
    write("test/fixture.txt", pat);
    write("src/a.txt", pat + "\n" + TestSecrets.slackBot() + "\n");
    ScanResult r =
        scan(
            SecretScanner.builder()
                .configJson(
                    "{\"exclude\":[\"vendor/**\"],\"allowPaths\":[\"test/**\"],"
                        + "\"rules\":{\"slack-bot-token\":{\"allowValues\":[\"^xoxb-\"]}}}"),
            dir);
    assertThat(r.findings())
        .extracting(SecretFinding::path, SecretFinding::ruleId)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("src/a.txt", "github-pat"));
    assertThat(r.stats().suppressed()).isEqualTo(2);
  }

  @Test
  void streamWhenScannedThenFindingsNamedAfterStream() throws Exception {
    SecretScanner s = SecretScanner.builder().fingerprintKey(key).build();
    ScanResult r =
        s.scanStream(
            new java.io.ByteArrayInputStream(
                ("log line\ntoken=" + TestSecrets.githubPat()).getBytes()),
            "<stdin>",
            null);
    assertThat(r.findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.path()).isEqualTo("<stdin>");
              assertThat(f.line()).isEqualTo(2);
            });
  }
}
