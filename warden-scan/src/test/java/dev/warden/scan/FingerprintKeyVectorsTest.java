package dev.warden.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.testkit.FingerprintVectors;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The scanner's fingerprint against the vectors the server is checked against too. */
class FingerprintKeyVectorsTest {
  static List<FingerprintVectors.Vector> vectors() {
    List<FingerprintVectors.Vector> v = FingerprintVectors.load(FingerprintKey.LENGTH);
    assertThat(v).as("vectors with the installation key's length").hasSizeGreaterThanOrEqualTo(4);
    return v;
  }

  @ParameterizedTest
  @MethodSource("vectors")
  void theScannerFingerprintMatchesTheSharedKnownAnswer(FingerprintVectors.Vector v) {
    assertThat(FingerprintKey.of(v.key()).fingerprint(v.credential())).isEqualTo(v.fingerprint());
  }
}
