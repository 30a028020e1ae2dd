package dev.warden.core.inventory;

import static dev.warden.core.inventory.IndexFixtures.START;
import static dev.warden.core.inventory.IndexFixtures.THRESHOLDS;
import static dev.warden.core.inventory.IndexFixtures.fp;
import static dev.warden.core.inventory.IndexFixtures.secret;
import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.core.model.Sensitivity;
import dev.warden.testkit.MutableClock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The index's state: loaded as a recompute would judge it, its indexes in step, its units apart.
 */
class IndexStateTest {
  static final String W0 = "spiffe://acme.test/ci/w0";

  MutableClock clock;
  FakeInventory fake;

  @BeforeEach
  void estate() {
    clock = IndexFixtures.clock();
    fake = IndexFixtures.estate(clock);
  }

  @Test
  void aLoadMatchesTheAuditHeadAndJudgesWhatARecomputeJudges() {
    IndexState s = IndexState.load(fake, fake, clock, THRESHOLDS);
    assertThat(s.head).isEqualTo(fake.auditHead());
    assertThat(s.judgedAt).isEqualTo(START);
    assertThat(IndexFixtures.findings(s))
        .containsExactlyElementsOf(Posture.evaluate(fake.facts(), THRESHOLDS));
    assertThat(IndexFixtures.items(s))
        .containsExactlyElementsOf(
            Inventory.build(fake.facts()).stream()
                .sorted(Comparator.comparing(InventoryItem::id))
                .toList());
    InventoryFacts all = s.facts(START, null, List.copyOf(s.imported.values()));
    assertThat(all.imported()).hasSize(4);
    assertThat(all.usage())
        .singleElement()
        .satisfies(u -> assertThat(u.sourceAddresses()).containsExactly("10.9.1.1"));
  }

  @Test
  void replacingAnImportedItemMovesItInEveryIndex() {
    IndexState s = new IndexState(THRESHOLDS);
    ImportedNhi a =
        new ImportedNhi(
            "csv",
            "api-key",
            "K",
            "a@acme.test",
            "t1",
            "prod",
            null,
            fp('1'),
            null,
            null,
            null,
            null,
            Map.of());
    ImportedNhi b =
        new ImportedNhi(
            "csv",
            "api-key",
            "K",
            "b@acme.test",
            "t2",
            "dev",
            null,
            fp('2'),
            null,
            null,
            null,
            null,
            Map.of());
    s.putImported(a.id(), a);
    s.putImported(b.id(), b);
    assertThat(s.byOwner.ids("a@acme.test")).isEmpty();
    assertThat(s.byOwner.ids("b@acme.test")).containsExactly(a.id());
    assertThat(s.byTeam.ids("t1")).isEmpty();
    assertThat(s.byEnvironment.ids("dev")).containsExactly(a.id());
    assertThat(s.byFingerprint.ids(fp('1'))).isEmpty();
    assertThat(s.byKind.ids("api-key")).containsExactly(a.id());
    assertThat(s.group(fp('2'))).containsExactly(b);
  }

  @Test
  void aFingerprintGroupIsOrderedById() {
    IndexState s = new IndexState(THRESHOLDS);
    for (String name : List.of("Z", "A", "M")) {
      ImportedNhi n = secret(name, null, null, fp('7'), null);
      s.putImported(n.id(), n);
    }
    assertThat(s.group(fp('7'))).extracting(ImportedNhi::id).isSorted().hasSize(3);
  }

  @Test
  void aWorkloadsUnitHoldsOnlyItsOwnFacts() {
    String lease = fake.issue(W0, "cache", Duration.ofHours(1), null);
    fake.revoke(lease, true);
    fake.issue("spiffe://acme.test/ci/w1", "cache", Duration.ofHours(1), null);
    IndexState s = IndexState.load(fake, fake, clock, THRESHOLDS);
    InventoryFacts mine = s.facts(START, W0, null);
    assertThat(mine.workloads())
        .extracting(dev.warden.core.model.Workload::name)
        .containsExactly(W0);
    assertThat(mine.leaks())
        .singleElement()
        .satisfies(l -> assertThat(l.leaseId()).isEqualTo(lease));
    assertThat(mine.leases()).extracting(LeaseSummary::workload).containsOnly(W0);
    assertThat(mine.usage()).extracting(Usage::workload).containsOnly(W0);
    assertThat(mine.adminTokens()).isEmpty();
    assertThat(mine.imported()).isEmpty();
    assertThat(mine.resources()).hasSize(2);
  }

  @Test
  void everyWorkloadWithAnythingInTheIndexHasAUnitEvenOnceItIsDeleted() {
    fake.issue("spiffe://acme.test/gone", "cache", Duration.ofHours(1), null);
    IndexState s = IndexState.load(fake, fake, clock, THRESHOLDS);
    assertThat(s.workloadUnits())
        .containsExactlyInAnyOrder(W0, "spiffe://acme.test/ci/w1", "spiffe://acme.test/gone");
  }

  @Test
  void changedResourcesReachTheFactsOnceTheSharedCopyIsDropped() {
    IndexState s = IndexState.load(fake, fake, clock, THRESHOLDS);
    s.resources.put("vault", IndexFixtures.resource("vault", Sensitivity.HIGH));
    assertThat(s.facts(START, W0, null).resources()).as("the copy shared by every unit").hasSize(2);
    s.configChanged();
    assertThat(s.facts(START, W0, null).resources()).hasSize(3);
  }

  @Test
  void judgingAWorkloadForgetsItsExpiredLeases() {
    IndexState s = IndexState.load(fake, fake, clock, THRESHOLDS);
    assertThat(s.facts(START, W0, null).leases().getFirst().active()).isEqualTo(1);
    clock.advance(Duration.ofHours(2));
    s.judgeWorkload(W0, clock.instant(), s.context(clock.instant()));
    assertThat(s.facts(START, W0, null).leases().getFirst().active())
        .as("even asked as of before")
        .isZero();
  }
}
