package dev.warden.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.testkit.FingerprintVectors;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The server's fingerprint against the vectors the scanner is checked against too (and RFC 4231).
 */
class FingerprinterVectorsTest {
  static List<FingerprintVectors.Vector> vectors() {
    return FingerprintVectors.load(0);
  }

  @ParameterizedTest
  @MethodSource("vectors")
  void theServerFingerprintMatchesTheSharedKnownAnswer(FingerprintVectors.Vector v) {
    assertThat(new Fingerprinter(v.key()).fingerprint(v.credential())).isEqualTo(v.fingerprint());
    assertThat(new Fingerprinter(v.key()).fingerprint(Secret.of(v.credential())))
        .isEqualTo(v.fingerprint());
  }
}
