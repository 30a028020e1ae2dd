package dev.warden.store;

import static dev.warden.store.AuditFixtures.issued;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.lease.LeaseState;
import dev.warden.core.lease.TargetLease;
import dev.warden.core.lease.TargetLeaseStore;
import dev.warden.core.model.CredentialKind;
import dev.warden.core.model.Lease;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link TargetLeaseStore}: intent before effect, activation only with the issuance
 * event, revocation into REVOKING, removal with retries, and the quota.
 */
abstract class TargetLeaseStoreContract extends StoreContract {
  private static final Instant T0 = Instant.parse("2030-05-06T07:08:09.123456Z");
  private static final String TARGET = "{\"url\":\"jdbc:postgresql://db/ledger\"}";

  TargetLeaseStore targets() {
    return store().targetLeases();
  }

  private Lease dbLease(String workload, Instant issued, Instant expires) {
    return new Lease(
        unique("w_user"),
        CredentialKind.DATABASE_USER,
        workload,
        "ledger-db",
        issued,
        expires,
        null,
        null,
        unique("fp"));
  }

  private String workload() {
    return "spiffe://example.org/" + unique("w");
  }

  @Test
  void recordIntentStoresAnIssuingLeaseWithItsTarget() {
    Lease l = dbLease(workload(), T0, T0.plusSeconds(600));

    assertThat(targets().recordIntent(l, TARGET, 5, T0)).isTrue();

    TargetLease t = targets().get(l.id()).orElseThrow();
    assertThat(t.state()).isEqualTo(LeaseState.ISSUING);
    assertThat(t.target()).isEqualTo(TARGET);
    assertThat(t.lease()).isEqualTo(l);
  }

  @Test
  void issuanceEventActivatesTheIntentInItsTransaction() {
    Lease l = dbLease(workload(), T0, T0.plusSeconds(600));
    targets().recordIntent(l, TARGET, 5, T0);

    store().audit().append(List.of(issued(T0, l)));

    assertThat(targets().get(l.id()).orElseThrow().state()).isEqualTo(LeaseState.ACTIVE);
    assertThat(store().leases().get(l.id())).contains(l);
  }

  @Test
  void issuanceEventWhenTheIntentWasRevokedMeanwhileThenFailsAndNothingIsAppended() {
    Lease l = dbLease(workload(), T0, T0.plusSeconds(600));
    targets().recordIntent(l, TARGET, 5, T0);
    store().leases().revoke(l.id(), T0.plusSeconds(1), "workload retired");
    long before = AuditFixtures.verifyWholeChain(store().audit());

    assertThatThrownBy(() -> store().audit().append(List.of(issued(T0, l))));

    assertThat(AuditFixtures.verifyWholeChain(store().audit())).isEqualTo(before);
    assertThat(targets().get(l.id()).orElseThrow().state()).isEqualTo(LeaseState.REVOKING);
  }

  @Test
  void revokeMovesATargetLeaseToRevokingAndDueAtOnce() {
    Lease l = dbLease(workload(), T0, T0.plusSeconds(600));
    targets().recordIntent(l, TARGET, 5, T0);
    store().audit().append(List.of(issued(T0, l)));
    Instant at = T0.plusSeconds(10);

    assertThat(store().leases().revoke(l.id(), at, "revoked by admin:x")).isTrue();

    TargetLease t = targets().get(l.id()).orElseThrow();
    assertThat(t.state()).isEqualTo(LeaseState.REVOKING);
    assertThat(t.removalDue()).isEqualTo(at);
    assertThat(targets().dueForRemoval(at, 100)).extracting(TargetLease::id).contains(l.id());
    assertThat(targets().dueForRemoval(at.minusSeconds(1), 100))
        .extracting(TargetLease::id)
        .doesNotContain(l.id());
  }

  @Test
  void claimRemovalLetsOnlyOneNodeAttempt() {
    Lease l = dbLease(workload(), T0, T0.plusSeconds(600));
    targets().recordIntent(l, TARGET, 5, T0);
    store().leases().revoke(l.id(), T0, "x");

    assertThat(targets().claimRemoval(l.id(), T0, T0.plusSeconds(60))).isTrue();
    assertThat(targets().claimRemoval(l.id(), T0, T0.plusSeconds(60))).isFalse();
    assertThat(targets().dueForRemoval(T0.plusSeconds(59), 100))
        .extracting(TargetLease::id)
        .doesNotContain(l.id());
  }

  private Lease active(Instant expires) {
    Lease l = dbLease(workload(), T0, expires);
    targets().recordIntent(l, TARGET, 5, T0);
    store().audit().append(List.of(issued(T0, l)));
    return l;
  }

  @Test
  void revokeAllMovesOnlyTheUnrevokedAndSaysWhich() {
    Lease a = active(T0.plusSeconds(60));
    Lease b = active(T0.plusSeconds(60));
    Lease gone = active(T0.plusSeconds(60));
    store().leases().revoke(gone.id(), T0, "revoked by admin:x");
    Instant at = T0.plusSeconds(61);

    assertThat(
            store()
                .leases()
                .revokeAll(List.of(a.id(), gone.id(), b.id(), "no-such-lease"), at, "expired"))
        .containsExactlyInAnyOrder(a.id(), b.id());

    for (Lease l : List.of(a, b)) {
      TargetLease t = targets().get(l.id()).orElseThrow();
      assertThat(t.state()).isEqualTo(LeaseState.REVOKING);
      assertThat(t.removalDue()).isEqualTo(at);
      assertThat(t.lease().revokeReason()).isEqualTo("expired");
    }
    assertThat(targets().get(gone.id()).orElseThrow().lease().revokeReason())
        .as("revoked once, not again")
        .isEqualTo("revoked by admin:x");
    assertThat(store().leases().revokeAll(List.of(a.id(), b.id()), at, "expired")).isEmpty();
    assertThat(store().leases().revokeAll(List.of(), at, "expired")).isEmpty();
  }

  @Test
  void claimRemovalsTakesOnlyWhatNoOtherNodeClaimedFirst() {
    List<Lease> ls = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Lease l = dbLease(workload(), T0, T0.plusSeconds(600));
      targets().recordIntent(l, TARGET, 5, T0);
      store().leases().revoke(l.id(), T0, "x");
      ls.add(l);
    }
    // another node claimed one, and one moved on (removed) since this node read them
    assertThat(targets().claimRemoval(ls.get(1).id(), T0, T0.plusSeconds(120))).isTrue();
    targets().removed(ls.get(3).id(), T0.plusSeconds(1));
    List<TargetLeaseStore.Claim> claims =
        ls.stream().map(l -> new TargetLeaseStore.Claim(l.id(), T0)).toList();

    assertThat(targets().claimRemovals(claims, T0.plusSeconds(60)))
        .containsExactlyInAnyOrder(ls.get(0).id(), ls.get(2).id(), ls.get(4).id());

    assertThat(targets().claimRemovals(claims, T0.plusSeconds(60)))
        .as("a second node gets nothing")
        .isEmpty();
    assertThat(targets().get(ls.get(1).id()).orElseThrow().removalDue())
        .as("the other node's claim is kept")
        .isEqualTo(T0.plusSeconds(120));
    assertThat(targets().get(ls.get(0).id()).orElseThrow().removalDue())
        .isEqualTo(T0.plusSeconds(60));
    assertThat(targets().dueForRemoval(T0.plusSeconds(59), 100))
        .extracting(TargetLease::id)
        .doesNotContainAnyElementsOf(ls.stream().map(Lease::id).toList());
    assertThat(targets().claimRemovals(List.of(), T0)).isEmpty();
  }

  @Test
  void concurrentBatchClaimsNeverGiveOneLeaseToTwoNodes() throws Exception {
    List<TargetLeaseStore.Claim> claims = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Lease l = dbLease(workload(), T0, T0.plusSeconds(600));
      targets().recordIntent(l, TARGET, 5, T0);
      store().leases().revoke(l.id(), T0, "x");
      claims.add(new TargetLeaseStore.Claim(l.id(), T0));
    }
    List<TargetLeaseStore.Claim> reversed = new ArrayList<>(claims);
    java.util.Collections.reverse(reversed);
    ExecutorService ex = Executors.newFixedThreadPool(2);
    try {
      Future<java.util.Set<String>> a =
          ex.submit(() -> targets().claimRemovals(claims, T0.plusSeconds(60)));
      Future<java.util.Set<String>> b =
          ex.submit(() -> targets().claimRemovals(reversed, T0.plusSeconds(60)));
      java.util.Set<String> both = new java.util.HashSet<>(a.get());
      both.retainAll(b.get());
      assertThat(both).as("claimed by both nodes").isEmpty();
      assertThat(a.get().size() + b.get().size()).isEqualTo(40);
    } finally {
      ex.shutdown();
    }
  }

  @Test
  void removedAllMakesEveryClaimedLeaseFinal() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Lease l = dbLease(workload(), T0, T0.plusSeconds(600));
      targets().recordIntent(l, TARGET, 5, T0);
      store().leases().revoke(l.id(), T0, "x");
      ids.add(l.id());
    }
    targets().removalFailed(ids.get(2), 9, T0.plusSeconds(5), "down", true);

    targets().removedAll(ids, T0.plusSeconds(7));

    for (String id : ids) {
      TargetLease t = targets().get(id).orElseThrow();
      assertThat(t.state()).isEqualTo(LeaseState.REVOKED);
      assertThat(t.removedAt()).isEqualTo(T0.plusSeconds(7));
      assertThat(t.removalDue()).isNull();
      assertThat(t.removalError()).isNull();
    }
  }

  @Test
  void removalFailuresCountUpThenIrrevocableAndRemovedIsFinal() {
    Lease l = dbLease(workload(), T0, T0.plusSeconds(600));
    targets().recordIntent(l, TARGET, 5, T0);
    store().leases().revoke(l.id(), T0, "x");

    targets().removalFailed(l.id(), 1, T0.plusSeconds(5), "cannot connect (SQLSTATE 08001)", false);
    assertThat(targets().get(l.id()).orElseThrow())
        .extracting(TargetLease::state, TargetLease::removalAttempts, TargetLease::removalError)
        .containsExactly(LeaseState.REVOKING, 1, "cannot connect (SQLSTATE 08001)");
    targets().removalFailed(l.id(), 2, T0.plusSeconds(60), "still down", true);
    assertThat(targets().get(l.id()).orElseThrow().state()).isEqualTo(LeaseState.IRREVOCABLE);
    assertThat(targets().list(LeaseState.IRREVOCABLE, 100))
        .extracting(TargetLease::id)
        .contains(l.id());
    assertThat(targets().countByState().get(LeaseState.IRREVOCABLE)).isPositive();

    targets().removed(l.id(), T0.plusSeconds(70));
    TargetLease t = targets().get(l.id()).orElseThrow();
    assertThat(t.state()).isEqualTo(LeaseState.REVOKED);
    assertThat(t.removedAt()).isEqualTo(T0.plusSeconds(70));
    assertThat(t.removalDue()).isNull();
    assertThat(targets().openTargets()).isNotNull();
  }

  @Test
  void forgetEndsOnlyAnIrrevocableLeaseAsRevokedWithTheNoteAndNoRemovalTime() {
    Lease stuck = dbLease(workload(), T0, T0.plusSeconds(600));
    Lease retrying = dbLease(workload(), T0, T0.plusSeconds(600));
    for (Lease l : List.of(stuck, retrying)) {
      targets().recordIntent(l, TARGET, 5, T0);
      store().leases().revoke(l.id(), T0, "x");
    }
    targets().removalFailed(stuck.id(), 8, T0.plusSeconds(3600), "down", true);
    targets().removalFailed(retrying.id(), 1, T0.plusSeconds(5), "down", false);

    assertThat(targets().forget(retrying.id(), "forgotten by admin:a: dropped by hand")).isFalse();
    assertThat(targets().forget(stuck.id(), "forgotten by admin:a: dropped by hand")).isTrue();
    assertThat(targets().forget(stuck.id(), "again")).as("only once").isFalse();

    TargetLease t = targets().get(stuck.id()).orElseThrow();
    assertThat(t.state()).isEqualTo(LeaseState.REVOKED);
    assertThat(t.removedAt()).as("never seen removed").isNull();
    assertThat(t.removalDue()).isNull();
    assertThat(t.removalError()).isEqualTo("forgotten by admin:a: dropped by hand");
    assertThat(targets().dueForRemoval(T0.plusSeconds(7200), 100))
        .extracting(TargetLease::id)
        .doesNotContain(stuck.id())
        .contains(retrying.id());
    assertThat(targets().get(retrying.id()).orElseThrow().state()).isEqualTo(LeaseState.REVOKING);
  }

  @Test
  void abandonWhenNothingWasCreatedIsRevokedElseRevoking() {
    Lease a = dbLease(workload(), T0, T0.plusSeconds(600));
    Lease b = dbLease(workload(), T0, T0.plusSeconds(600));
    targets().recordIntent(a, TARGET, 5, T0);
    targets().recordIntent(b, TARGET, 5, T0);

    assertThat(targets().abandon(a.id(), T0, "target unavailable", true)).isTrue();
    assertThat(targets().abandon(b.id(), T0, "commit lost", false)).isTrue();
    assertThat(targets().abandon(b.id(), T0, "again", false)).isFalse();

    assertThat(targets().get(a.id()).orElseThrow().state()).isEqualTo(LeaseState.REVOKED);
    assertThat(targets().get(b.id()).orElseThrow().state()).isEqualTo(LeaseState.REVOKING);
  }

  @Test
  void expiredAndStaleIntentsAreListed() {
    String w = workload();
    Lease active = dbLease(w, T0, T0.plusSeconds(60));
    targets().recordIntent(active, TARGET, 5, T0);
    store().audit().append(List.of(issued(T0, active)));
    Lease issuing = dbLease(w, T0, T0.plusSeconds(600));
    targets().recordIntent(issuing, TARGET, 5, T0);

    assertThat(targets().expired(T0.plusSeconds(59), 100))
        .extracting(TargetLease::id)
        .doesNotContain(active.id());
    assertThat(targets().expired(T0.plusSeconds(60), 100))
        .extracting(TargetLease::id)
        .contains(active.id());
    assertThat(targets().staleIntents(T0, 100))
        .extracting(TargetLease::id)
        .doesNotContain(issuing.id());
    assertThat(targets().staleIntents(T0.plusSeconds(1), 100))
        .extracting(TargetLease::id)
        .contains(issuing.id())
        .doesNotContain(active.id());
  }

  @Test
  void recordIntentOverTheQuotaIsRefusedAndKeptAsRevoked() {
    String w = workload();
    for (int i = 0; i < 3; i++) {
      assertThat(targets().recordIntent(dbLease(w, T0, T0.plusSeconds(600)), TARGET, 3, T0))
          .isTrue();
    }
    Lease over = dbLease(w, T0, T0.plusSeconds(600));

    assertThat(targets().recordIntent(over, TARGET, 3, T0)).isFalse();

    TargetLease t = targets().get(over.id()).orElseThrow();
    assertThat(t.state()).isEqualTo(LeaseState.REVOKED);
    assertThat(t.lease().revokeReason()).isEqualTo("quota exceeded");
    // another workload, and the same workload once its leases expired, are not affected
    assertThat(targets().recordIntent(dbLease(workload(), T0, T0.plusSeconds(600)), TARGET, 3, T0))
        .isTrue();
    assertThat(
            targets()
                .recordIntent(dbLease(w, T0, T0.plusSeconds(1200)), TARGET, 3, T0.plusSeconds(600)))
        .isTrue();
  }

  @Test
  void concurrentIntentsNeverExceedTheQuota() throws Exception {
    String w = workload();
    int max = 3;
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Boolean>> tasks = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        tasks.add(
            () -> targets().recordIntent(dbLease(w, T0, T0.plusSeconds(600)), TARGET, max, T0));
      }
      long accepted = 0;
      for (Future<Boolean> f : pool.invokeAll(tasks)) {
        accepted += f.get() ? 1 : 0;
      }
      // one at a time per workload and resource: exactly the quota, never none of a burst
      assertThat(accepted).isEqualTo(max);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void revokingAnAccessTokenLeaseEndsItAtOnce() {
    Lease l = AuditFixtures.lease(unique("jti"), workload(), T0, T0.plusSeconds(60), unique("fp"));
    store().audit().append(List.of(issued(T0, l)));

    store().leases().revoke(l.id(), T0, "x");

    assertThat(targets().get(l.id())).isEmpty();
    assertThat(targets().dueForRemoval(T0.plusSeconds(1), 1000))
        .extracting(TargetLease::id)
        .doesNotContain(l.id());
  }
}
