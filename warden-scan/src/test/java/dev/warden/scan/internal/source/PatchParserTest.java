package dev.warden.scan.internal.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.scan.FingerprintKey;
import dev.warden.scan.SecretFinding;
import dev.warden.scan.internal.detect.ContentScanner;
import dev.warden.scan.internal.detect.FindingFilter;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class PatchParserTest {
  private final List<SecretFinding> found = new ArrayList<>();
  private final ScanSink sink = new ScanSink();

  private void parse(String patch) throws Exception {
    ChunkScanner cs =
        new ChunkScanner(
            new ContentScanner(
                ChunkScannerTest.DETECTOR,
                FingerprintKey.of(new byte[32]),
                FindingFilter.NONE,
                new LongAdder()));
    new PatchParser(cs, sink, found::add)
        .parse(new ByteArrayInputStream(patch.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void addedLineWhenInHunkThenReportedWithNewSideLineAndCommit() throws Exception {
    String t = ChunkScannerTest.token(3);
    parse(
        "\0abc123\0Ann <ann@example.com>\0002024-01-02T03:04:05Z\n\ndiff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n"
            + "@@ -10,0 +11,2 @@ def f():\n+a = 1\n+k = '"
            + t
            + "'\n");
    assertThat(found)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.path()).isEqualTo("x.py");
              assertThat(f.line()).isEqualTo(12);
              assertThat(f.commit()).isEqualTo("abc123");
              assertThat(f.author()).isEqualTo("Ann <ann@example.com>");
              assertThat(f.date()).isEqualTo("2024-01-02T03:04:05Z");
            });
    assertThat(sink.commits.sum()).isEqualTo(1);
  }

  @Test
  void removedLineWhenHoldingSecretThenNotReported() throws Exception {
    parse(
        "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +0,0 @@\n-k = '"
            + ChunkScannerTest.token(4)
            + "'\n");
    assertThat(found).isEmpty();
  }

  @Test
  void addedLineWhenItLooksLikeFileHeaderThenStillContent() throws Exception {
    String t = ChunkScannerTest.token(5);
    parse("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -0,0 +1,2 @@\n+++ " + t + "\n+@@ -1 +1 @@\n");
    assertThat(found)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.path()).isEqualTo("x");
              assertThat(f.line()).isEqualTo(1);
            });
  }

  @Test
  void quotedPathWhenNonAsciiThenUnquoted() {
    assertThat(PatchParser.newPath("\"b/dir/caf\\303\\251 \\\"x\\\".txt\""))
        .isEqualTo("dir/caf\u00e9 \"x\".txt");
    assertThat(PatchParser.newPath("/dev/null")).isNull();
  }

  @Test
  void truncatedPatchWhenStreamEndsMidLineThenNoError() throws Exception {
    parse(
        "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -0,0 +1,3 @@\n+k = '"
            + ChunkScannerTest.token(6));
    assertThat(found).hasSize(1);
  }
}
