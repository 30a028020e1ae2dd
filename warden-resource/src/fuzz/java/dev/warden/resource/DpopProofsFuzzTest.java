package dev.warden.resource;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.warden.testkit.MutableClock;
import dev.warden.testkit.TestDpopKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Fuzz target for the DPoP header the resource helper reads: a proof whose JSON is fuzzed behind a
 * good signature, so the fuzzer reaches Nimbus's header and claim parsing and the rules after it.
 * It is accepted or refused with {@link DpopProofs.InvalidProofException}; anything else is a bug.
 * {@code JAZZER_FUZZ=1 ./mvnw test -pl warden-resource -Dtest=DpopProofsFuzzTest} fuzzes for real.
 */
class DpopProofsFuzzTest {
  private static final TestDpopKey KEY = TestDpopKey.generate("ES256");

  @FuzzTest(maxDuration = "30s")
  void signedProofWithFuzzedJsonIsAcceptedOrRefused(FuzzedDataProvider data) {
    DpopProofs proofs =
        new DpopProofs(MutableClock.startingAt(Instant.parse("2026-12-07T12:00:00Z")));
    String header = data.consumeString(600);
    String payload = data.consumeRemainingAsString();
    String proof = KEY.signRaw(b64(header) + "." + b64(payload));
    try {
      proofs.verify(List.of(proof), "POST", "https://mcp.acme.test/mcp", "t.o.k", KEY.thumbprint());
    } catch (DpopProofs.InvalidProofException expected) {
      // documented outcome
    }
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
