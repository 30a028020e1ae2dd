package dev.warden.core.lease;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.cache.ChangeCache;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Lease;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ActiveLeasesTest {
  static final Instant T = Instant.parse("2026-12-07T10:00:00Z");

  final Map<String, Lease> rows = new ConcurrentHashMap<>();
  final AtomicInteger reads = new AtomicInteger();

  final LeaseStore store =
      new LeaseStore() {
        @Override
        public Optional<Lease> get(String id) {
          reads.incrementAndGet();
          return Optional.ofNullable(rows.get(id));
        }

        @Override
        public List<Lease> findByFingerprint(String fingerprint) {
          return List.of();
        }

        @Override
        public List<Lease> listActive(String workload, Instant now) {
          return List.of();
        }

        @Override
        public boolean revoke(String id, Instant at, String reason) {
          Lease l = rows.get(id);
          if (l == null || l.revokedAt() != null) {
            return false;
          }
          rows.put(
              id,
              new Lease(
                  id,
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

        @Override
        public boolean extend(String id, Instant expiresAt, Instant now) {
          return false;
        }
      };

  final ActiveLeases leases = new ActiveLeases(store, new ChangeCache<>(() -> 0, 100));

  static Lease lease(String id) {
    return new Lease(
        id, CredentialKind.ACCESS_TOKEN, "w", "r", T, T.plusSeconds(600), null, null, "f");
  }

  @Test
  void anActiveLeaseIsReadOnceAndARevocationThroughItIsSeenAtOnce() {
    rows.put("a", lease("a"));
    assertThat(leases.get("a")).isPresent();
    assertThat(leases.get("a")).isPresent();
    assertThat(reads).hasValue(1);

    assertThat(leases.revoke("a", T, "test")).isTrue();

    assertThat(leases.get("a").orElseThrow().revokedAt()).isEqualTo(T);
  }

  @Test
  void aRevokedOrUnknownLeaseIsNeverKept() {
    rows.put("a", lease("a"));
    store.revoke("a", T, "test");
    leases.get("a");
    leases.get("a");
    leases.get("nope");
    leases.get("nope");

    assertThat(reads).hasValue(4);
  }
}
