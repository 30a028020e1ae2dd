package dev.warden.core.inventory;

import static dev.warden.core.inventory.FactsBuilder.NOW;
import static dev.warden.core.inventory.FactsBuilder.daysAgo;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KpiTest {
  @Test
  void sharesLifetimesLeaksAndCounts() {
    var b =
        new FactsBuilder()
            .workload("api")
            .workload("web")
            .imported(FactsBuilder.staticSecret("K1", null, "prod", null, daysAgo(1), null, null))
            .imported(FactsBuilder.staticSecret("K2", "o", "prod", null, daysAgo(1), null, null))
            .imported(
                new ImportedNhi(
                    "csv",
                    "api-key",
                    "K3",
                    "o",
                    null,
                    null,
                    null,
                    null,
                    daysAgo(400),
                    null,
                    daysAgo(3),
                    null,
                    null))
            .imported(
                new ImportedNhi(
                    "csv",
                    "api-key",
                    "K4",
                    "o",
                    null,
                    null,
                    null,
                    null,
                    daysAgo(400),
                    null,
                    daysAgo(200),
                    null,
                    null));
    b.leases.add(
        new LeaseSummary(
            "spiffe://acme.test/api",
            "db",
            10,
            0,
            daysAgo(2),
            daysAgo(1),
            Duration.ofMinutes(5),
            daysAgo(1)));
    b.leaks.add(
        new LeakRecord(
            "jti-1",
            "spiffe://acme.test/api",
            "db",
            FactsBuilder.FP,
            NOW.minusSeconds(10),
            null,
            null));
    InventoryFacts f = b.build();
    List<Duration> ttls =
        List.of(
            Duration.ofMinutes(1),
            Duration.ofMinutes(5),
            Duration.ofMinutes(5),
            Duration.ofMinutes(60));

    Kpi k =
        Kpi.compute(
            f,
            Posture.evaluate(f, PostureThresholds.DEFAULTS),
            ttls,
            Map.of("jti-1", NOW.minusSeconds(8)));

    assertThat(k.identities()).isEqualTo(6);
    assertThat(k.ownerShare()).isEqualTo(5.0 / 6);
    assertThat(k.staticSecrets()).isEqualTo(4);
    assertThat(k.shortLivedShare()).isEqualTo(1.0 / 5);
    assertThat(k.manualRotations()).as("K3, rotated 3 days ago").isEqualTo(1);
    assertThat(k.rotationsOverdue()).as("K4, rotated 200 days ago").isEqualTo(1);
    assertThat(k.meanCredentialLifetime())
        .isEqualTo(Duration.ofSeconds((60 + 300 + 300 + 3600) / 4));
    assertThat(k.p95CredentialLifetime()).isEqualTo(Duration.ofMinutes(60));
    assertThat(k.meanLeakToRevocation()).isEqualTo(Duration.ofSeconds(2));
    assertThat(k.stale()).isEqualTo(1); // web: never used (api was, through its leases)
    assertThat(k.orphaned()).isEqualTo(1); // K1 has no owner
  }

  @Test
  void emptyInventoryHasNoLifetimes() {
    Kpi k = Kpi.compute(new FactsBuilder().build(), List.of(), List.of(), Map.of());
    assertThat(k.meanCredentialLifetime()).isNull();
    assertThat(k.ownerShare()).isEqualTo(1.0);
  }

  @Test
  void fieldsKeepTheirOrderAndLeaveOutAbsentDurations() {
    Kpi k = new Kpi(3, 1.0, 0.5, Duration.ofMinutes(5), null, 2, 1, 0, null, 0, 1, 0, 0);

    assertThat(k.fields())
        .containsExactly(
            Map.entry("identities", 3),
            Map.entry("ownerShare", 1.0),
            Map.entry("shortLivedShare", 0.5),
            Map.entry("meanCredentialLifetime", "PT5M"),
            Map.entry("credentialsSampled", 2),
            Map.entry("staticSecrets", 1),
            Map.entry("manualRotations", 0),
            Map.entry("rotationsOverdue", 0),
            Map.entry("leaks", 0),
            Map.entry("stale", 0),
            Map.entry("orphaned", 1));
  }
}
