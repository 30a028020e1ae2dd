package dev.warden.core.audit;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.warden.core.error.ValidationException;

/**
 * Fuzz target for what {@code warden audit verify --proof} reads from outside: a proof file. It
 * parses or throws {@link ValidationException}; a parsed proof verifies or names its first broken
 * event, and never throws. {@code JAZZER_FUZZ=1 ./mvnw test -pl warden-core
 * -Dtest=AuditProofFuzzTest} fuzzes for real.
 */
class AuditProofFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void aProofParsesAndVerifiesOrIsRefused(FuzzedDataProvider data) {
    AuditProof proof;
    try {
      proof = AuditProof.parse(data.consumeRemainingAsString());
    } catch (ValidationException expected) {
      return; // documented outcome
    }
    AuditProof.Result r = proof.verify();
    if (r.intact() ? r.checked() != proof.events().size() : r.firstBadSeq() < 1) {
      throw new IllegalStateException("an inconsistent result: " + r);
    }
  }
}
