package dev.warden.store;

import static dev.warden.store.AuditFixtures.issued;
import static dev.warden.store.AuditFixtures.lease;
import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.audit.AuditRecord;
import dev.warden.core.lease.LeaseRow;
import dev.warden.core.lease.LeaseSearch;
import dev.warden.core.lease.LeaseState;
import dev.warden.core.lease.LeaseStore;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Lease;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract of {@link LeaseStore}. Leases enter only with their issuance audit event. */
abstract class LeaseStoreContract extends StoreContract {
  private static final Instant T0 = Instant.parse("2030-05-06T07:08:09.123456Z");

  LeaseStore leases() {
    return store().leases();
  }

  private Lease issue(Lease l) {
    store().audit().append(List.of(issued(l.issuedAt(), l)));
    return l;
  }

  @Test
  void getReturnsEveryField() {
    Lease l =
        issue(
            new Lease(
                unique("jti"),
                dev.warden.core.model.CredentialKind.X509_SVID,
                "spiffe://example.org/a",
                "ledger-db",
                T0,
                T0.plusSeconds(600),
                null,
                null,
                "0123456789abcdef".repeat(4)));

    assertThat(leases().get(l.id())).contains(l);
    assertThat(leases().get(unique("unknown"))).isEmpty();
  }

  @Test
  void findByFingerprintReturnsEveryLeaseWithIt() {
    String fp = unique("fp");
    Lease a = issue(lease(unique("jti"), "spiffe://example.org/a", T0, T0.plusSeconds(60), fp));
    Lease b =
        issue(
            lease(
                unique("jti"),
                "spiffe://example.org/b",
                T0.plusSeconds(1),
                T0.plusSeconds(60),
                fp));
    issue(lease(unique("jti"), "spiffe://example.org/a", T0, T0.plusSeconds(60), unique("fp")));

    assertThat(leases().findByFingerprint(fp)).containsExactly(a, b);
    assertThat(leases().findByFingerprint(unique("fp"))).isEmpty();
  }

  @Test
  void searchFiltersByWorkloadAndStateNewestFirstAndPagesByKeyset() {
    String w = "spiffe://example.org/" + unique("w");
    Instant now = T0.plusSeconds(100);
    Lease oldest = issue(lease(unique("jti"), w, T0, now.plusSeconds(60), unique("fp")));
    Lease expired =
        issue(lease(unique("jti"), w, T0.plusSeconds(1), now.minusSeconds(1), unique("fp")));
    Lease revoked =
        issue(lease(unique("jti"), w, T0.plusSeconds(2), now.plusSeconds(60), unique("fp")));
    Lease newest =
        issue(lease(unique("jti"), w, T0.plusSeconds(3), now.plusSeconds(60), unique("fp")));
    leases().revoke(revoked.id(), T0.plusSeconds(50), "by hand");
    issue(lease(unique("jti"), w + "-other", T0.plusSeconds(4), now.plusSeconds(60), unique("fp")));

    assertThat(ids(new LeaseSearch(w, null, null, null, now, null, 10)))
        .containsExactly(newest.id(), revoked.id(), expired.id(), oldest.id());
    assertThat(ids(new LeaseSearch(w, null, null, "active", now, null, 10)))
        .containsExactly(newest.id(), oldest.id());
    assertThat(ids(new LeaseSearch(w, null, null, "expired", now, null, 10)))
        .containsExactly(expired.id());
    assertThat(ids(new LeaseSearch(w, null, null, "revoked", now, null, 10)))
        .containsExactly(revoked.id());
    assertThat(
            ids(new LeaseSearch(w, "ledger-db", CredentialKind.ACCESS_TOKEN, null, now, null, 10)))
        .hasSize(4);
    assertThat(ids(new LeaseSearch(w, "other-db", null, null, now, null, 10))).isEmpty();
    assertThat(ids(new LeaseSearch(w, null, CredentialKind.X509_SVID, null, now, null, 10)))
        .isEmpty();
    assertThat(ids(new LeaseSearch(w, null, null, null, now, null, 2)))
        .containsExactly(newest.id(), revoked.id());
    assertThat(ids(new LeaseSearch(w, null, null, null, now, revoked, 2)))
        .containsExactly(expired.id(), oldest.id());
    assertThat(
            leases()
                .search(new LeaseSearch(w, null, null, "revoked", now, null, 10))
                .get(0)
                .state())
        .isEqualTo(LeaseState.REVOKED);
  }

  @Test
  void searchPagesThroughLeasesIssuedAtTheSameInstantWithoutLosingOrRepeatingAny() {
    String w = "spiffe://example.org/" + unique("w");
    List<String> all = new java.util.ArrayList<>();
    for (int i = 0; i < 7; i++) {
      all.add(issue(lease(unique("jti"), w, T0, T0.plusSeconds(600), unique("fp"))).id());
    }
    List<String> seen = new java.util.ArrayList<>();
    Lease before = null;
    for (int page = 0; page < 10; page++) {
      List<LeaseRow> rows = leases().search(new LeaseSearch(w, null, null, null, T0, before, 3));
      rows.forEach(r -> seen.add(r.lease().id()));
      if (rows.size() < 3) {
        break;
      }
      before = rows.get(rows.size() - 1).lease();
    }
    assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
  }

  private List<String> ids(LeaseSearch q) {
    return leases().search(q).stream().map(r -> r.lease().id()).toList();
  }

  @Test
  void listActiveReturnsOnlyUnrevokedUnexpiredLeasesOfTheWorkload() {
    String w = "spiffe://example.org/" + unique("w");
    Instant now = T0.plusSeconds(100);
    Lease active = issue(lease(unique("jti"), w, T0, now.plusSeconds(1), unique("fp")));
    issue(lease(unique("jti"), w, T0, now, unique("fp"))); // expires exactly now: no longer active
    issue(lease(unique("jti"), w, T0, now.minusSeconds(1), unique("fp")));
    Lease revoked = issue(lease(unique("jti"), w, T0, now.plusSeconds(60), unique("fp")));
    leases().revoke(revoked.id(), T0.plusSeconds(50), "workload suspended");
    issue(lease(unique("jti"), w + "-other", T0, now.plusSeconds(60), unique("fp")));

    assertThat(leases().listActive(w, now)).containsExactly(active);
    assertThat(leases().listActive("spiffe://example.org/" + unique("none"), now)).isEmpty();
  }

  @Test
  void revokeAllRevokesEachUnrevokedLeaseOnceAndSaysWhich() {
    Lease a =
        issue(lease(unique("jti"), "spiffe://example.org/a", T0, T0.plusSeconds(60), unique("fp")));
    Lease b =
        issue(lease(unique("jti"), "spiffe://example.org/b", T0, T0.plusSeconds(60), unique("fp")));
    Lease earlier =
        issue(lease(unique("jti"), "spiffe://example.org/a", T0, T0.plusSeconds(60), unique("fp")));
    leases().revoke(earlier.id(), T0.plusSeconds(1), "leaked");
    Instant at = T0.plusSeconds(2);

    assertThat(
            leases()
                .revokeAll(List.of(b.id(), earlier.id(), a.id(), unique("unknown")), at, "expired"))
        .containsExactlyInAnyOrder(a.id(), b.id());
    assertThat(leases().revokeAll(List.of(a.id(), b.id()), at, "again")).isEmpty();

    assertThat(leases().get(a.id()).orElseThrow().revokeReason()).isEqualTo("expired");
    assertThat(leases().get(b.id()).orElseThrow().revokedAt()).isEqualTo(at);
    assertThat(leases().get(earlier.id()).orElseThrow().revokeReason()).isEqualTo("leaked");
  }

  @Test
  void revokeWhenActiveThenTrueOnceAndRecordsTimeAndReason() {
    Lease l =
        issue(lease(unique("jti"), "spiffe://example.org/a", T0, T0.plusSeconds(60), unique("fp")));
    Instant at = Instant.parse("2030-05-06T07:08:19.999999999Z");

    assertThat(leases().revoke(l.id(), at, "leaked")).isTrue();
    assertThat(leases().revoke(l.id(), at.plusSeconds(1), "again")).isFalse();

    Lease stored = leases().get(l.id()).orElseThrow();
    assertThat(stored.revokedAt()).isEqualTo(Instant.parse("2030-05-06T07:08:19.999999Z"));
    assertThat(stored.revokeReason()).isEqualTo("leaked");
    assertThat(stored.isActive(T0)).isFalse();
  }

  @Test
  void extendMovesOnlyALiveLeasesEndAndOnlyLater() {
    Lease l =
        issue(lease(unique("jti"), "spiffe://example.org/a", T0, T0.plusSeconds(60), unique("fp")));
    Instant now = T0.plusSeconds(30);

    assertThat(leases().extend(l.id(), T0.plusSeconds(50), now)).as("never earlier").isFalse();
    assertThat(leases().extend(l.id(), T0.plusSeconds(120), now)).isTrue();
    assertThat(leases().get(l.id()).orElseThrow().expiresAt()).isEqualTo(T0.plusSeconds(120));
    assertThat(leases().extend(l.id(), T0.plusSeconds(500), T0.plusSeconds(121)))
        .as("not once expired")
        .isFalse();
    Lease revoked =
        issue(lease(unique("jti"), "spiffe://example.org/a", T0, T0.plusSeconds(60), unique("fp")));
    leases().revoke(revoked.id(), now, "leaked");
    assertThat(leases().extend(revoked.id(), T0.plusSeconds(120), now))
        .as("not once revoked")
        .isFalse();
    assertThat(leases().extend(unique("unknown"), T0.plusSeconds(120), now)).isFalse();
  }

  @Test
  void revokeWhenUnknownThenFalse() {
    assertThat(leases().revoke(unique("unknown"), T0, "x")).isFalse();
  }

  @Test
  void revokeAfterExpiryStillRecordsTheRevocation() {
    Lease l =
        issue(lease(unique("jti"), "spiffe://example.org/a", T0, T0.plusSeconds(60), unique("fp")));

    assertThat(leases().revoke(l.id(), T0.plusSeconds(3600), "reaped")).isTrue();
    assertThat(leases().get(l.id()).orElseThrow().revokeReason()).isEqualTo("reaped");
  }

  @Test
  void revokingALeaseLeavesItsIssuanceEventAsIssued() {
    Lease l =
        issue(lease(unique("jti"), "spiffe://example.org/a", T0, T0.plusSeconds(60), unique("fp")));
    AuditRecord before =
        store().audit().readChain(1, 100_000).stream()
            .filter(r -> r.event().lease() != null && r.event().lease().id().equals(l.id()))
            .findFirst()
            .orElseThrow();

    leases().revoke(l.id(), T0.plusSeconds(1), "leaked");

    AuditRecord after = store().audit().readChain(before.seq(), 1).getFirst();
    assertThat(after.event()).isEqualTo(before.event());
    assertThat(after.event().lease().revokedAt()).isNull();
  }
}
