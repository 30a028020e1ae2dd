package dev.warden.core.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.audit.AuditEvent;
import dev.warden.core.audit.AuditWriter;
import dev.warden.core.audit.MemoryAuditStore;
import dev.warden.core.error.NotFoundException;
import dev.warden.core.model.Lease;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LeaseServiceTest {
  static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  static final String APP = "spiffe://acme.test/app";

  final MemoryLeases leases = new MemoryLeases();
  final MemoryAuditStore auditStore = new MemoryAuditStore();
  final AuditWriter audit = new AuditWriter(auditStore, 10, 5000);
  final LeaseService service = new LeaseService(leases, audit, Clock.fixed(NOW, ZoneOffset.UTC));

  @AfterEach
  void close() {
    audit.close();
  }

  @Test
  void revokeEndsTheLeaseAndAuditsItWithTheActor() {
    leases.add(lease("jti-1", NOW.plusSeconds(300)));

    LeaseService.Revocation r = service.revoke("jti-1", "admin:abc");

    assertThat(r).isEqualTo(new LeaseService.Revocation("jti-1", true));
    assertThat(leases.get("jti-1").orElseThrow().revokeReason()).isEqualTo("revoked by admin:abc");
    assertThat(service.active(APP)).isEmpty();
    AuditEvent e = auditStore.events().get(0);
    assertThat(e.type()).isEqualTo("lease.revoked");
    assertThat(e.actor()).isEqualTo("admin:abc");
    assertThat(e.details())
        .containsEntry("leaseId", "jti-1")
        .containsEntry("fingerprint", "fp-jti-1");
  }

  @Test
  void revokeWhenAlreadyRevokedThenReportsFalseAndAuditsNothing() {
    leases.add(lease("jti-1", NOW.plusSeconds(300)));
    service.revoke("jti-1", "admin:abc");

    assertThat(service.revoke("jti-1", "admin:abc").revoked()).isFalse();
    assertThat(auditStore.events()).hasSize(1);
  }

  @Test
  void revokeWhenUnknownThenNotFound() {
    assertThatThrownBy(() -> service.revoke("nope", "admin:abc"))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("lease 'nope' does not exist");
    assertThat(auditStore.events()).isEmpty();
  }

  @Test
  void activeListsOnlyUnexpiredLeases() {
    leases.add(lease("live", NOW.plusSeconds(60)));
    leases.add(lease("gone", NOW.minusSeconds(60)));

    assertThat(service.active(APP)).extracting(Lease::id).containsExactly("live");
  }

  private static Lease lease(String id, Instant expires) {
    return new Lease(
        id,
        dev.warden.core.model.CredentialKind.ACCESS_TOKEN,
        APP,
        "db",
        NOW.minusSeconds(60),
        expires,
        null,
        null,
        "fp-" + id);
  }

  /** Leases in memory. */
  static final class MemoryLeases implements LeaseStore {
    private final Map<String, Lease> byId = new LinkedHashMap<>();

    void add(Lease l) {
      byId.put(l.id(), l);
    }

    @Override
    public boolean extend(String id, Instant expiresAt, Instant now) {
      Lease l = byId.get(id);
      if (l == null || !l.isActive(now) || !expiresAt.isAfter(l.expiresAt())) {
        return false;
      }
      byId.put(
          id,
          new Lease(
              l.id(),
              l.kind(),
              l.workload(),
              l.resource(),
              l.issuedAt(),
              expiresAt,
              null,
              null,
              l.fingerprint()));
      return true;
    }

    @Override
    public Optional<Lease> get(String id) {
      return Optional.ofNullable(byId.get(id));
    }

    @Override
    public List<Lease> findByFingerprint(String fingerprint) {
      return byId.values().stream().filter(l -> l.fingerprint().equals(fingerprint)).toList();
    }

    @Override
    public List<Lease> listActive(String workload, Instant now) {
      return byId.values().stream()
          .filter(l -> workload.equals(l.workload()) && l.isActive(now))
          .toList();
    }

    @Override
    public boolean revoke(String id, Instant at, String reason) {
      Lease l = byId.get(id);
      if (l == null || l.revokedAt() != null) {
        return false;
      }
      byId.put(
          id,
          new Lease(
              l.id(),
              l.kind(),
              l.workload(),
              l.resource(),
              l.issuedAt(),
              l.expiresAt(),
              at,
              reason,
              l.fingerprint()));
      return true;
    }
  }
}
