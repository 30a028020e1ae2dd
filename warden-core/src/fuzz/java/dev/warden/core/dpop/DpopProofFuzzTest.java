package dev.warden.core.dpop;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.warden.core.error.DeniedException;
import dev.warden.testkit.MutableClock;
import dev.warden.testkit.TestDpopKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Fuzz targets for the DPoP header, outside input at the token endpoint and at every resource that
 * checks Warden's tokens: the whole header as text, and a proof whose header and payload JSON are
 * fuzzed but signed correctly (so the fuzzer gets past the signature to the claim checks). Each
 * returns a verified proof or throws {@link DeniedException}; anything else is a bug. {@code
 * JAZZER_FUZZ=1 ./mvnw test -pl warden-core -Dtest=DpopProofFuzzTest} fuzzes for real.
 */
class DpopProofFuzzTest {
  private static final String URI = "https://warden.test/oauth2/token";
  private static final TestDpopKey KEY = TestDpopKey.generate("ES256");
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

  @FuzzTest(maxDuration = "30s")
  void headerTextVerifiesOrIsRefused(FuzzedDataProvider data) {
    DpopVerifier v = new DpopVerifier(MutableClock.startingAt(NOW));
    String token = data.consumeBoolean() ? data.consumeString(64) : null;
    try {
      v.verify(List.of(data.consumeRemainingAsString()), "POST", URI, token);
    } catch (DeniedException expected) {
      // documented outcome
    }
  }

  @FuzzTest(maxDuration = "30s")
  void signedProofWithFuzzedJsonVerifiesOrIsRefused(FuzzedDataProvider data) {
    DpopVerifier v = new DpopVerifier(MutableClock.startingAt(NOW));
    String header = data.consumeString(600);
    String payload = data.consumeRemainingAsString();
    String proof = KEY.signRaw(b64(header) + "." + b64(payload));
    try {
      DpopProof p = v.verify(List.of(proof), "POST", URI, null);
      // the signature is KEY's: a proof can only verify under KEY's public key
      if (!p.thumbprint().equals(KEY.thumbprint())) {
        throw new IllegalStateException("a proof verified under a key that did not sign it");
      }
    } catch (DeniedException expected) {
      // documented outcome
    }
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
