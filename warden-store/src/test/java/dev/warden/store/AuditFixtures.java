package dev.warden.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.audit.AuditChain;
import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditRecord;
import dev.warden.core.audit.AuditStore;
import dev.warden.core.model.Lease;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Audit events and leases for tests, and a whole-chain check. */
final class AuditFixtures {
  private AuditFixtures() {}

  static AuditEvent decision(Instant time, String workload, String resource, String outcome) {
    return new AuditEvent(
        UUID.randomUUID().toString(),
        time,
        "decision",
        outcome,
        outcome.equals("allow") ? "allowed" : "no_matching_policy",
        "spiffe://example.org/caller",
        workload,
        resource,
        Map.of("policy", "p1", "client_ip", "10.0.0.7"),
        null);
  }

  static Lease lease(
      String id, String workload, Instant issuedAt, Instant expiresAt, String fingerprint) {
    return new Lease(
        id,
        dev.warden.core.model.CredentialKind.ACCESS_TOKEN,
        workload,
        "ledger-db",
        issuedAt,
        expiresAt,
        null,
        null,
        fingerprint);
  }

  static AuditEvent issued(Instant time, Lease lease) {
    return new AuditEvent(
        UUID.randomUUID().toString(),
        time,
        "token.issued",
        "success",
        "allowed",
        lease.workload(),
        lease.workload(),
        lease.resource(),
        Map.of("jti", lease.id(), "fingerprint", lease.fingerprint()),
        lease);
  }

  /**
   * Reads the whole chain in pages and checks it is one line: seqs 1..n without gaps, each record
   * linked to the one before and hashing to its stored hash.
   *
   * @return the number of records
   */
  static long verifyWholeChain(AuditStore audit) {
    byte[] prev = AuditChain.GENESIS;
    long expectedSeq = 1;
    while (true) {
      List<AuditRecord> page = audit.readChain(expectedSeq, 1000);
      if (page.isEmpty()) {
        return expectedSeq - 1;
      }
      for (AuditRecord r : page) {
        assertThat(r.seq()).as("seq").isEqualTo(expectedSeq);
        assertThat(AuditChain.verifies(prev, r)).as("record %d verifies", r.seq()).isTrue();
        prev = r.hash();
        expectedSeq++;
      }
    }
  }
}
