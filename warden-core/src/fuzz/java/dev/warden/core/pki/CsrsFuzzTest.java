package dev.warden.core.pki;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.warden.core.error.DeniedException;
import dev.warden.core.model.SpiffeId;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * Fuzz targets for the certificate parsers that take outside input: CSRs (agents and workloads send
 * them) and presented certificate chains. Each must return or throw DeniedException; anything else
 * is a bug. Seeds replay with every build; {@code JAZZER_FUZZ=1 ./mvnw test -pl warden-core
 * -Dtest=CsrsFuzzTest} fuzzes for real.
 */
class CsrsFuzzTest {
  private static final SpiffeId ID = SpiffeId.parse("spiffe://example.org/api");

  @FuzzTest(maxDuration = "30s")
  void csrIsAcceptedOrRejectedWithAReason(FuzzedDataProvider data) {
    byte[] bytes = data.consumeRemainingAsBytes();
    try {
      Csrs.publicKeyFor(bytes, ID);
    } catch (DeniedException expected) {
      if (expected.getMessage() == null || expected.getMessage().isBlank()) {
        throw new IllegalStateException("rejection without a message");
      }
    }
  }

  @FuzzTest(maxDuration = "30s")
  void presentedChainIsVerifiedOrRejectedWithAReason(FuzzedDataProvider data) {
    byte[] bytes = data.consumeRemainingAsBytes();
    List<X509Certificate> chain;
    try {
      chain = Der.certificates(bytes);
    } catch (IllegalArgumentException notCertificates) {
      return;
    }
    try {
      SvidVerifier.verify(chain, List.of(), Instant.parse("2026-03-01T00:00:00Z"));
    } catch (DeniedException expected) {
      // documented outcome
    }
  }
}
