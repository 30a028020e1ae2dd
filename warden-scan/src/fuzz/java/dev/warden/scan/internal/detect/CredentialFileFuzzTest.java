package dev.warden.scan.internal.detect;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.warden.scan.FingerprintKey;
import dev.warden.scan.SecretFinding;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Credential files known by their path (decision 110): any path is classified without throwing, and
 * any content scanned under it yields findings inside the content.
 */
class CredentialFileFuzzTest {
  private static final Detector DETECTOR = new Detector(Rules.all());

  /** The input's first line is the path, the rest the file's content. */
  @FuzzTest(maxDuration = "30s")
  void pathAndContent(byte[] data) {
    int nl = 0;
    while (nl < data.length && data[nl] != '\n') {
      nl++;
    }
    String path = new String(data, 0, nl, StandardCharsets.UTF_8);
    byte[] content = nl < data.length ? Arrays.copyOfRange(data, nl + 1, data.length) : new byte[0];
    CredentialFile kind = CredentialFile.of(path);
    List<SecretFinding> out = new ArrayList<>();
    new ContentScanner(
            DETECTOR, FingerprintKey.of(new byte[32]), FindingFilter.NONE, new LongAdder())
        .scan(content, content.length, 0, content.length, new LineCursor(1), path, out::add);
    for (SecretFinding f : out) {
      if (f.secret().length() == 0 || f.secret().length() > content.length) {
        throw new IllegalStateException("secret outside the input (" + kind + ")");
      }
    }
  }
}
