package dev.warden.core.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Usage, lease aggregates and live leases, from the baseline and then event by event. */
class IssuanceTallyTest {
  static final Instant T = Instant.parse("2027-03-01T12:00:00Z");
  static final String W = "spiffe://acme.test/api";

  static InventoryStore.Change issued(
      String lease, String resource, Instant at, Duration ttl, String address) {
    String details = address == null ? "{}" : "{\"sourceAddress\":\"" + address + "\"}";
    return new InventoryStore.Change(
        1,
        "token.issued",
        at,
        W,
        resource,
        null,
        details,
        lease,
        lease == null ? null : at,
        lease == null ? null : at.plus(ttl));
  }

  @Test
  void issuanceCountsUsageAndAggregatesLeasesPerResource() {
    IssuanceTally t = new IssuanceTally();
    t.recordIssuance(issued("l1", "db", T, Duration.ofMinutes(5), "10.0.0.1"));
    t.recordIssuance(issued("l2", "db", T.minusSeconds(60), Duration.ofHours(1), "10.0.0.2"));
    t.recordIssuance(issued(null, "db", T.plusSeconds(5), null, "10.0.0.1"));
    assertThat(t.usage(W))
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.count()).isEqualTo(3);
              assertThat(u.lastIssued()).isEqualTo(T.plusSeconds(5));
              assertThat(u.sourceAddresses()).containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2");
            });
    assertThat(t.leaseSummaries(W, T))
        .singleElement()
        .isEqualTo(
            new LeaseSummary(
                W,
                "db",
                2,
                2,
                T.minusSeconds(60),
                T,
                Duration.ofHours(1),
                T.minusSeconds(60).plus(Duration.ofHours(1))));
    assertThat(t.usage(null)).hasSize(1);
    assertThat(t.usage("spiffe://acme.test/other")).isEmpty();
  }

  @Test
  void anIssuanceWithoutAWorkloadIsNotCounted() {
    IssuanceTally t = new IssuanceTally();
    t.recordIssuance(
        new InventoryStore.Change(
            1, "token.issued", T, null, "db", null, "{}", "l1", T, T.plusSeconds(9)));
    assertThat(t.usage(null)).isEmpty();
    assertThat(t.leaseSummaries(null, T)).isEmpty();
  }

  @Test
  void callerAddressesStopBeingCollectedAtSixtyFour() {
    IssuanceTally t = new IssuanceTally();
    for (int i = 0; i < 100; i++) {
      t.recordIssuance(issued(null, "db", T, null, "10.0.0." + i));
    }
    assertThat(t.usage(W).getFirst().sourceAddresses()).hasSize(64);
  }

  @Test
  void liveCountsAreAsOfTheQueryAndRevokedOrExpiredLeasesDropOut() {
    IssuanceTally t = new IssuanceTally();
    t.add(
        new LeaseSummary(
            W,
            "db",
            10,
            0,
            T.minusSeconds(3600),
            T.minusSeconds(600),
            Duration.ofMinutes(5),
            T.minusSeconds(300)));
    t.recordIssuance(issued("l1", "db", T, Duration.ofMinutes(5), null));
    t.recordIssuance(issued("l2", "db", T, Duration.ofMinutes(30), null));
    t.addLive(new InventoryStore.LiveLease("l0", W, "db", T.plusSeconds(60)));
    assertThat(t.leaseSummaries(W, T).getFirst().active()).isEqualTo(3);
    assertThat(t.leaseSummaries(W, T.plus(Duration.ofMinutes(10))).getFirst().active())
        .isEqualTo(1);
    t.removeLive("l2");
    t.removeLive("unknown");
    t.removeLive(null);
    assertThat(t.leaseSummaries(W, T).getFirst())
        .satisfies(
            l -> {
              assertThat(l.active()).isEqualTo(2);
              assertThat(l.count()).as("a revocation does not undo the issuance").isEqualTo(12);
              assertThat(l.firstIssued()).isEqualTo(T.minusSeconds(3600));
            });
    t.dropExpired(W, T.plusSeconds(300));
    assertThat(t.leaseSummaries(W, T).getFirst().active())
        .as("l0 and l1 are gone for good")
        .isZero();
  }

  @Test
  void theBaselineSeedsUsageAndEveryWorkloadWithUsageOrLeasesIsNamed() {
    IssuanceTally t = new IssuanceTally();
    t.add(new Usage("spiffe://acme.test/a", "db", 4, T, Set.of("10.0.0.9")));
    t.add(
        new LeaseSummary(
            "spiffe://acme.test/b", "db", 1, 0, T, T, Duration.ofMinutes(1), T.plusSeconds(60)));
    t.recordIssuance(
        new InventoryStore.Change(
            2,
            "token.issued",
            T.plusSeconds(1),
            "spiffe://acme.test/a",
            "db",
            null,
            "{}",
            null,
            null,
            null));
    assertThat(t.usage("spiffe://acme.test/a").getFirst().count()).isEqualTo(5);
    Set<String> ws = new HashSet<>();
    t.workloadsInto(ws);
    assertThat(ws).containsExactlyInAnyOrder("spiffe://acme.test/a", "spiffe://acme.test/b");
  }
}
