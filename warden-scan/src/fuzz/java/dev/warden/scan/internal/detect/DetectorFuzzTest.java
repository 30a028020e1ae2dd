package dev.warden.scan.internal.detect;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.warden.scan.FingerprintKey;
import dev.warden.scan.SecretFinding;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** The detector engine over arbitrary bytes: returns findings inside the input, never throws. */
class DetectorFuzzTest {
  private static final Detector DETECTOR = new Detector(Rules.all());

  @FuzzTest(maxDuration = "30s")
  void anyBytes(byte[] data) {
    List<SecretFinding> out = new ArrayList<>();
    new ContentScanner(
            DETECTOR, FingerprintKey.of(new byte[32]), FindingFilter.NONE, new LongAdder())
        .scan(data, data.length, 0, data.length, new LineCursor(1), "fuzz", out::add);
    for (SecretFinding f : out) {
      if (f.secret().length() == 0 || f.secret().length() > data.length) {
        throw new IllegalStateException("secret outside the input");
      }
    }
  }
}
