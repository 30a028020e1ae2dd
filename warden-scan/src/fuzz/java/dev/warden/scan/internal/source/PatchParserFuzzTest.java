package dev.warden.scan.internal.source;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.warden.scan.FingerprintKey;
import dev.warden.scan.SecretFinding;
import dev.warden.scan.internal.detect.ContentScanner;
import dev.warden.scan.internal.detect.Detector;
import dev.warden.scan.internal.detect.FindingFilter;
import dev.warden.scan.internal.detect.Rules;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The git patch-stream parser over arbitrary bytes: returns, never throws (its stream cannot fail).
 */
class PatchParserFuzzTest {
  private static final Detector DETECTOR = new Detector(Rules.all());

  @FuzzTest(maxDuration = "20s")
  void patchStream(byte[] data) throws IOException {
    ScanSink sink = new ScanSink();
    List<SecretFinding> out = new ArrayList<>();
    ChunkScanner cs =
        new ChunkScanner(
            new ContentScanner(
                DETECTOR, FingerprintKey.of(new byte[32]), FindingFilter.NONE, new LongAdder()),
            2 * (ChunkScanner.OVERLAP + ChunkScanner.CONTEXT));
    new PatchParser(cs, sink, out::add).parse(new ByteArrayInputStream(data));
    for (SecretFinding f : out) {
      if (f.line() < 1 || f.column() < 1) {
        throw new IllegalStateException("bad location " + f.line() + ":" + f.column());
      }
    }
  }

  @FuzzTest(maxDuration = "10s")
  void gitignore(String text) {
    if (text == null) {
      return; // callers read .gitignore files; never null
    }
    IgnoreRules rules = IgnoreRules.parse("", text);
    rules.verdict("a/b/c.txt", false);
    rules.verdict("build", true);
  }
}
