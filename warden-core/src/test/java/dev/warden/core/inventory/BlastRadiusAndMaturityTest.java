package dev.warden.core.inventory;

import static dev.warden.core.inventory.FactsBuilder.NOW;
import static dev.warden.core.inventory.FactsBuilder.daysAgo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.NotFoundException;
import dev.warden.core.model.Sensitivity;
import dev.warden.core.model.WorkloadState;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BlastRadiusAndMaturityTest {
  static final String API = "spiffe://acme.test/api";

  FactsBuilder world() {
    return new FactsBuilder()
        .workload("api")
        .workload("web")
        .resource("ledger", Sensitivity.CRITICAL)
        .resource("cache", Sensitivity.LOW)
        .resource("search", Sensitivity.MEDIUM)
        .allow("api-ledger", "api", "ledger")
        .allow("api-misc", "api", "cache", "search")
        .allow("web-cache", "web", "cache")
        .deny("no-search", "api", "search");
  }

  @Test
  void blastRadiusIsWeightedRankedAndNamesTheGrantingPolicy() {
    BlastRadius b = BlastRadius.of(world().build(), "workload:" + API);

    assertThat(b.score()).isEqualTo(27 + 1);
    assertThat(b.reachable())
        .extracting(Grants.Grant::resource, Grants.Grant::policy)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ledger", "api-ledger"),
            org.assertj.core.groups.Tuple.tuple("cache", "api-misc"));
  }

  @Test
  void aStaticCredentialAWorkloadHoldsWidensItsReachAndNamesThePath() {
    var b =
        world()
            .imported(
                new ImportedNhi(
                    "env:web",
                    "env-var",
                    "LEDGER_KEY",
                    "o",
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    Map.of("workload", "spiffe://acme.test/web", "resources", "ledger")));
    BlastRadius web = BlastRadius.of(b.build(), "workload:spiffe://acme.test/web");
    assertThat(web.score()).isEqualTo(27 + 1);
    assertThat(web.reachable())
        .extracting(Grants.Grant::resource, Grants.Grant::path)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "ledger", "static credential LEDGER_KEY from env:web"),
            org.assertj.core.groups.Tuple.tuple("cache", "policy web-cache"));
    assertThat(BlastRadius.ranking(b.build()))
        .filteredOn(r -> r.subject().endsWith("/web"))
        .singleElement()
        .extracting(BlastRadius::score)
        .isEqualTo(28);

    String keyId =
        new ImportedNhi(
                "env:web",
                "env-var",
                "LEDGER_KEY",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null)
            .id();
    BlastRadius key = BlastRadius.of(b.build(), keyId);
    assertThat(key.reachable())
        .extracting(Grants.Grant::path)
        .containsExactly(
            "the credential itself", "used by workload spiffe://acme.test/web, policy web-cache");
  }

  @Test
  void aResourceReachedTwiceCountsOnce() {
    var b =
        world()
            .imported(
                new ImportedNhi(
                    "env:api",
                    "env-var",
                    "LEDGER_KEY",
                    "o",
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    Map.of("workload", API, "resources", "ledger")));
    BlastRadius api = BlastRadius.of(b.build(), "workload:" + API);
    assertThat(api.reachable()).hasSize(3);
    assertThat(api.score()).isEqualTo(27 + 1);
  }

  @Test
  void rankingPutsTheWidestReachFirst() {
    assertThat(BlastRadius.ranking(world().build()))
        .extracting(BlastRadius::subject)
        .containsExactly(API, "spiffe://acme.test/web");
  }

  @Test
  void issuedCredentialReachesOnlyItsResource() {
    var b = world();
    b.leases.add(
        new LeaseSummary(
            API, "ledger", 1, 1, NOW, NOW, Duration.ofMinutes(5), NOW.plusSeconds(300)));
    BlastRadius r = BlastRadius.of(b.build(), "credential:" + API + "|ledger");
    assertThat(r.score()).isEqualTo(27);
  }

  @Test
  void unknownItemIsNotFound() {
    assertThatThrownBy(() -> BlastRadius.of(world().build(), "workload:spiffe://acme.test/none"))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void maturityStagesFollowTheDocumentedRules() {
    var b =
        world()
            .workload("gone", "o", "prod", WorkloadState.RETIRED, null, daysAgo(5))
            .imported(
                new ImportedNhi(
                    "env:app",
                    "env-var",
                    "DB_PASSWORD",
                    "o",
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    Map.of("workload", "spiffe://acme.test/web")))
            .imported(
                new ImportedNhi(
                    "k8s",
                    "k8s-service-account",
                    "payments/api",
                    "o",
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    Map.of()))
            .imported(
                new ImportedNhi(
                    "vault",
                    "static",
                    "legacy",
                    "o",
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    Map.of("storage", "secrets-manager")))
            .imported(
                new ImportedNhi(
                    "scan:repo",
                    "static",
                    "hardcoded",
                    "o",
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    Map.of()))
            .imported(
                new ImportedNhi(
                    "inventory",
                    "service",
                    "telnet",
                    "o",
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    Map.of("authentication", "none")));
    Maturity.Report r = Maturity.assess(b.build());

    Map<String, Integer> stage = new java.util.HashMap<>();
    r.subjects().forEach(a -> stage.put(a.subject(), a.stage()));
    assertThat(stage)
        .containsEntry(API, 7)
        .containsEntry("spiffe://acme.test/web", 3)
        .containsEntry("payments/api", 6)
        .containsEntry("legacy", 5)
        .containsEntry("hardcoded", 2)
        .containsEntry("telnet", 1)
        .doesNotContainKey("spiffe://acme.test/gone")
        .doesNotContainKey("DB_PASSWORD");
    assertThat(r.distribution())
        .containsEntry(1, 1)
        .containsEntry(2, 1)
        .containsEntry(3, 1)
        .containsEntry(4, 0)
        .containsEntry(5, 1)
        .containsEntry(6, 1)
        .containsEntry(7, 1);
  }

  @Test
  void inventoryListsEveryKindAndFilters() {
    var b = world();
    b.leases.add(
        new LeaseSummary(API, "ledger", 4, 1, daysAgo(3), daysAgo(1), Duration.ofMinutes(5), NOW));
    b.used("api", "ledger", NOW.minusSeconds(10));
    b.imported(
        FactsBuilder.staticSecret("K", "bob@acme.test", "dev", null, daysAgo(3), null, null));
    var items = Inventory.build(b.build());

    assertThat(items)
        .extracting(InventoryItem::kind)
        .contains("workload", "issued-credential", "static");
    InventoryItem api =
        items.stream().filter(i -> i.id().equals("workload:" + API)).findFirst().orElseThrow();
    assertThat(api.lastUsed()).isEqualTo(NOW.minusSeconds(10));
    assertThat(api.privileges()).containsExactly("ledger", "cache");
    assertThat(api.credentialType()).isEqualTo(CredentialType.ATTESTED_IDENTITY);
    assertThat(
            Inventory.list(
                b.build(), new Inventory.Filter(null, "bob@acme.test", null, null, null)))
        .extracting(InventoryItem::name)
        .containsExactly("K");
    assertThat(
            Inventory.list(
                b.build(),
                new Inventory.Filter(null, null, null, null, CredentialType.SHORT_LIVED)))
        .singleElement()
        .satisfies(i -> assertThat(i.attributes()).containsEntry("count", "4"));
  }
}
