package dev.warden.scan.internal.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.scan.FingerprintKey;
import dev.warden.scan.SecretFinding;
import dev.warden.scan.internal.detect.Checksums;
import dev.warden.scan.internal.detect.ContentScanner;
import dev.warden.scan.internal.detect.Detector;
import dev.warden.scan.internal.detect.FindingFilter;
import dev.warden.scan.internal.detect.Rules;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkScannerTest {
  static final Detector DETECTOR = new Detector(Rules.all());
  static final int CHUNK = 2 * (ChunkScanner.OVERLAP + ChunkScanner.CONTEXT);

  static String token(int seed) {
    String random =
        ("q7Rk2ZpX9mWc4TnB8vLs3HdF6yJg1e" + seed)
            .substring(0, 30)
            .replace('1', (char) ('a' + seed % 26));
    return "ghp_" + random + Checksums.base62Crc(Checksums.crc32(random));
  }

  @ParameterizedTest
  @ValueSource(ints = {-40, -20, -1, 0, 1, 20})
  void secretWhenAcrossChunkBoundaryThenFoundExactlyOnceWithRightLine(int shift) throws Exception {
    // one long line puts the token exactly around the first chunk's owned end
    int at = CHUNK - ChunkScanner.OVERLAP + shift;
    StringBuilder sb = new StringBuilder("line1\n");
    while (sb.length() < at) {
      sb.append('a');
    }
    sb.append(' ').append(token(1)).append(' ');
    while (sb.length() < 3 * CHUNK) {
      sb.append("bbbbbbbbb\n");
    }
    List<SecretFinding> out = scan(sb.toString());
    assertThat(out)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.line()).isEqualTo(2);
              assertThat(f.column()).isEqualTo(at - 6 + 2);
            });
  }

  @Test
  void largeInputWhenStreamedThenLineNumbersStayRight() throws Exception {
    StringBuilder sb = new StringBuilder();
    int lines = 0;
    while (sb.length() < 5 * CHUNK) {
      sb.append("filler line number ").append(lines++).append('\n');
    }
    sb.append("key = ").append(token(2)).append('\n');
    int expected = lines + 1;
    assertThat(scan(sb.toString()))
        .singleElement()
        .satisfies(f -> assertThat(f.line()).isEqualTo(expected));
  }

  @Test
  void singleLineWhenLargerThanChunkThenScannedInBoundedMemory() throws Exception {
    // the 1 GB single-line case of the bench, at test size: many chunks, no newline at all
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      sb.append("x".repeat(CHUNK / 3)).append(' ').append(token(i)).append(' ');
    }
    assertThat(scan(sb.toString())).hasSize(12).allSatisfy(f -> assertThat(f.line()).isEqualTo(1));
  }

  private static List<SecretFinding> scan(String text) throws Exception {
    ChunkScanner cs =
        new ChunkScanner(
            new ContentScanner(
                DETECTOR, FingerprintKey.of(new byte[32]), FindingFilter.NONE, new LongAdder()),
            CHUNK);
    List<SecretFinding> out = new ArrayList<>();
    cs.begin("f", 1, out::add);
    assertThat(cs.readFrom(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), true))
        .isTrue();
    assertThat(cs.scannedBytes()).isEqualTo(text.length());
    return out;
  }
}
