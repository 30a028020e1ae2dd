package dev.warden.core.inventory;

import static dev.warden.core.inventory.IndexFixtures.START;
import static dev.warden.core.inventory.IndexFixtures.THRESHOLDS;
import static dev.warden.core.inventory.IndexFixtures.fp;
import static dev.warden.core.inventory.IndexFixtures.secret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warden.core.error.StoreException;
import dev.warden.testkit.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The index as the server uses it: reads catch up first, failures read everything again, news is
 * announced.
 */
class PostureIndexLifecycleTest {
  MutableClock clock;
  FakeInventory fake;
  PostureIndex index;
  List<Finding> announced;

  @BeforeEach
  void start() {
    clock = IndexFixtures.clock();
    fake = IndexFixtures.estate(clock);
    index = new PostureIndex(fake, fake, clock, THRESHOLDS);
    announced = new ArrayList<>();
  }

  List<Finding> recomputed() {
    return Posture.evaluate(fake.facts(), THRESHOLDS);
  }

  @Test
  void theFirstReadLoadsAndEveryReadSeesWhatWasWrittenBeforeIt() {
    assertThat(index.ready()).isFalse();
    assertThat(index.allFindings()).containsExactlyElementsOf(recomputed());
    assertThat(index.ready()).isTrue();
    ImportedNhi n = secret("NEW", "a@acme.test", "prod", null, START);
    fake.importItems(n);
    assertThat(index.item(n.id())).hasValueSatisfying(i -> assertThat(i.name()).isEqualTo("NEW"));
    assertThat(index.size())
        .satisfies(
            s -> {
              assertThat(s.imported()).isEqualTo(5);
              assertThat(s.head()).isEqualTo(fake.auditHead());
              assertThat(s.findings()).isEqualTo(recomputed().size());
            });
    assertThat(index.facts().imported()).hasSize(5);
  }

  @Test
  void nothingNewCostsOneLookAtTheAuditHead() {
    index.rebuild();
    int reads = fake.feedReads;
    index.catchUp();
    index.findings(null, null, 0, 10);
    assertThat(fake.feedReads).isEqualTo(reads);
  }

  @Test
  void aCatchUpThatFailedHalfWayMakesTheNextOneReadEverythingAgain() {
    index.rebuild();
    fake.importItems(secret("KEY_9", "a@acme.test", "prod", fp('2'), START));
    fake.issue("spiffe://acme.test/ci/w1", "cache", Duration.ofMinutes(5), null);
    fake.failReads = new StoreException("the database went away", null);
    assertThatThrownBy(index::catchUp).isSameAs(fake.failReads);
    fake.failReads = null;
    int loads = fake.baselineReads;
    assertThat(index.allFindings()).containsExactlyElementsOf(recomputed());
    assertThat(fake.baselineReads)
        .as("the issuance was counted before the failure: only a full read is right")
        .isEqualTo(loads + 1);
    assertThat(index.size().head()).isEqualTo(fake.auditHead());
    index.catchUp();
    assertThat(fake.baselineReads).isEqualTo(loads + 1);
  }

  @Test
  void whatACatchUpBringsIsAnnouncedOnceAndOnlyFromTheChosenSeverity() {
    index.onNewFindings(Finding.Severity.HIGH, announced::addAll);
    index.rebuild();
    assertThat(announced).as("not the whole estate at the first load").isEmpty();
    fake.importItems(secret("COPY", "a@acme.test", "prod", fp('2'), START));
    index.catchUp();
    assertThat(announced)
        .extracting(Finding::ruleId, Finding::subject)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(Posture.SHARED_SECRET, "KEY_3"),
            org.assertj.core.groups.Tuple.tuple(Posture.SHARED_SECRET, "COPY"));
    index.catchUp();
    index.refreshWardenSide();
    assertThat(announced).hasSize(2);
  }

  @Test
  void aRebuildAnnouncesWhatThePassageOfTimeBrought() {
    fake.importItems(
        secret("AGING", "a@acme.test", "prod", null, START.minus(Duration.ofDays(89))));
    index.onNewFindings(Finding.Severity.HIGH, announced::addAll);
    index.rebuild();
    clock.advance(Duration.ofDays(2));
    index.rebuild();
    assertThat(announced)
        .filteredOn(f -> f.subject().equals("AGING"))
        .extracting(Finding::ruleId)
        .containsExactly(Posture.LONG_LIVED);
  }

  @Test
  void aListenerThatFailsDoesNotStopTheIndex() {
    index.onNewFindings(
        Finding.Severity.LOW,
        found -> {
          throw new IllegalStateException("webhook down");
        });
    index.rebuild();
    fake.importItems(secret("COPY", null, "prod", fp('2'), START));
    assertThat(index.allFindings()).containsExactlyElementsOf(recomputed());
  }

  @Test
  void aRefreshJudgesWhatTimeMovedOnWardensSide() {
    index.rebuild();
    fake.deleteWorkload("spiffe://acme.test/ci/w0");
    assertThat(index.findings(null, Posture.CREDENTIAL_OUTLIVES_WORKLOAD, 0, 10).total())
        .isEqualTo(1);
    clock.advance(Duration.ofHours(2));
    index.refreshWardenSide();
    assertThat(index.findings(null, Posture.CREDENTIAL_OUTLIVES_WORKLOAD, 0, 10).total())
        .as("the lease expired")
        .isZero();
    assertThat(index.allFindings()).containsExactlyElementsOf(recomputed());
  }
}
